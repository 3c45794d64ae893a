-- Readiness reads: the newest applied migration and the job backlog, for
-- service_role only (the health function asks as the service role after
-- checking the caller is an admin).

begin;
select plan(8);

select lives_ok($$select tests.create_user('user@lab.test')$$, 'A user can be created.');

create temporary table newest on commit drop as select max(version) as version from supabase_migrations.schema_migrations;
grant select on newest to service_role;
select tests.authenticate_as_service_role();
select is(private.schema_version(), (select version from newest),
  'schema_version is the newest applied migration.');
select ok(private.schema_version() >= '20261202006400', 'It includes the readiness migration itself.');
select is(private.job_backlog(), '{"queued": 0, "oldestQueuedAt": null}'::jsonb,
  'With no job queued the backlog is empty.');

select tests.clear_authentication();
insert into public.jobs (user_id, kind, created_at)
values (tests.get_user_id('user@lab.test'), 'export', '2026-12-01 10:00:00+00'),
       (tests.get_user_id('user@lab.test'), 'export', '2026-12-01 11:00:00+00'),
       (tests.get_user_id('user@lab.test'), 'export', '2026-12-01 09:00:00+00');
update public.jobs set status = 'cancelled' where created_at = '2026-12-01 09:00:00+00';
select tests.authenticate_as_service_role();
select is(private.job_backlog(), '{"queued": 2, "oldestQueuedAt": "2026-12-01T10:00:00+00:00"}'::jsonb,
  'With a jobs table the backlog counts queued jobs and names the oldest one''s time.');

select tests.authenticate_with_hook(tests.get_user_id('user@lab.test'));
select throws_ok($$select private.schema_version()$$, '42501', 'permission denied for function schema_version',
  'A signed-in user cannot read the schema version.');
select throws_ok($$select private.job_backlog()$$, '42501', 'permission denied for function job_backlog',
  'A signed-in user cannot read the job backlog.');

select tests.authenticate_as_anon();
select throws_ok($$select private.schema_version()$$, '42501', 'permission denied for schema private',
  'Anonymous callers cannot read the schema version.');

select * from finish();
rollback;

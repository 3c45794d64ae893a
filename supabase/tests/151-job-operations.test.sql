-- Jobs on the operations side, per actor: an admin's job_stats and
-- failed_jobs cover every user's jobs; an owner's only their own; a stranger
-- sees nothing; anonymous callers have no access.

begin;
select plan(10);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('other@lab.test')$$, 'Another user can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');
select tests.create_user('admin@lab.test');
insert into public.user_roles (user_id, role) values (tests.get_user_id('admin@lab.test'), 'admin');

-- The owner's export succeeds; the other user's fails; a third waits.
select tests.authenticate_as_service_role();
select private.enqueue_job('export', '{}', '30000000-0000-4000-8000-000000000001', null, 1, tests.get_user_id('owner@lab.test'));
select private.enqueue_job('export', '{}', '30000000-0000-4000-8000-000000000002', null, 1, tests.get_user_id('other@lab.test'));
select private.enqueue_job('export', '{}', '30000000-0000-4000-8000-000000000003', null, 1, tests.get_user_id('other@lab.test'));
create temporary table leases on commit drop as
  select (c ->> 'id')::uuid as id, (c ->> 'lease_token')::uuid as token
    from (values (private.claim_job(60, 5, '["export"]', '30000000-0000-4000-8000-000000000001')),
                 (private.claim_job(60, 5, '["export"]', '30000000-0000-4000-8000-000000000002'))) as v(c);
select private.settle_job(id, token, 'succeeded', '{}') from leases where id = '30000000-0000-4000-8000-000000000001';
select private.settle_job(id, token, 'failed', null, 'Storage unavailable') from leases
 where id = '30000000-0000-4000-8000-000000000002';

-- Admin -----------------------------------------------------------------------------------
select tests.authenticate_with_hook(tests.get_user_id('admin@lab.test'));
select results_eq(
  $$select kind, succeeded, failed, cancelled, failure_rate, queued, running
      from private.job_stats(now() - interval '1 hour')$$,
  $$values ('export', 1::bigint, 1::bigint, 0::bigint, 0.5::float8, 1::bigint, 0::bigint)$$,
  'An admin''s job figures count every user''s jobs.');
select results_eq($$select job_id, kind, error, attempts from public.failed_jobs$$,
  $$values ('30000000-0000-4000-8000-000000000002'::uuid, 'export', 'Storage unavailable', 1)$$,
  'An admin sees every failed job with its error.');

-- Owner -----------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select results_eq(
  $$select kind, succeeded, failed, queued from private.job_stats(now() - interval '1 hour')$$,
  $$values ('export', 1::bigint, 0::bigint, 0::bigint)$$,
  'An owner''s job figures count only their own jobs.');
select is_empty($$select job_id from public.failed_jobs$$, 'An owner does not see another user''s failed job.');

-- Stranger --------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@lab.test'));
select is_empty($$select kind from private.job_stats(now() - interval '1 hour')$$,
  'A stranger''s job figures are empty.');

-- Anonymous -------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select * from public.failed_jobs$$, '42501', null, 'Anonymous callers cannot read failed jobs.');
select throws_ok($$select * from private.job_stats(now())$$, '42501', null,
  'Anonymous callers cannot read job figures.');

select * from finish();
rollback;

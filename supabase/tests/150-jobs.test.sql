-- Jobs: the queue's rules per actor — the owner reads and cancels their own
-- jobs and never sees a checkpoint or lease; a stranger sees nothing;
-- anonymous callers have no access; an admin reads every job; only the lab
-- (service_role) claims, checkpoints and settles, and only with the lease.

begin;
select plan(46);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('other@lab.test')$$, 'Another user can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');
select lives_ok($$select tests.create_user('admin@lab.test')$$, 'The admin can be created.');
insert into public.user_roles (user_id, role) values (tests.get_user_id('admin@lab.test'), 'admin');

select has_table('public', 'jobs', 'public.jobs exists.');
select ok((select relrowsecurity from pg_class where oid = 'public.jobs'::regclass), 'RLS is on for jobs.');

-- Owner -----------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select tests.set_correlation_id('00000000-0000-4000-8000-000000000150');

select lives_ok(
  $$select private.enqueue_job('export', '{"format": "csv"}', '10000000-0000-4000-8000-000000000001', 10)$$,
  'The lab creates a job for the owner in the owner''s transaction.');
select lives_ok(
  $$select private.enqueue_job('export', '{}', '10000000-0000-4000-8000-000000000002')$$,
  'The lab creates a second job for the owner.');
select throws_ok(
  $$select private.enqueue_job('export', '{}', null, null, 5, tests.get_user_id('other@lab.test'))$$,
  '42501', 'Cannot create a job for another user',
  'A job cannot be created for someone else from a user''s transaction.');
select results_eq(
  $$select user_id, kind, status, progress_total, correlation_id from public.jobs
     where id = '10000000-0000-4000-8000-000000000001'$$,
  $$values (tests.get_user_id('owner@lab.test'), 'export', 'queued', 10::bigint,
            '00000000-0000-4000-8000-000000000150'::uuid)$$,
  'The owner reads their job: queued, their own, under the request''s correlation id.');
select throws_ok($$select checkpoint from public.jobs$$, '42501', 'permission denied for table jobs',
  'The owner cannot read a job''s checkpoint.');
select throws_ok($$select lease_token from public.jobs$$, '42501', 'permission denied for table jobs',
  'The owner cannot read a lease token.');
select throws_ok($$insert into public.jobs (user_id, kind) values (auth.uid(), 'export')$$,
  '42501', 'permission denied for table jobs', 'The owner cannot insert a job through the Data API.');
select throws_ok($$update public.jobs set status = 'succeeded'$$,
  '42501', 'permission denied for table jobs', 'The owner cannot change a job''s status directly.');
select throws_ok($$delete from public.jobs$$,
  '42501', 'permission denied for table jobs', 'The owner cannot delete a job.');
select throws_ok($$select private.claim_job(60, 2, '["export"]')$$,
  '42501', 'permission denied for function claim_job', 'The owner cannot claim jobs.');
select throws_ok(
  $$select private.settle_job('10000000-0000-4000-8000-000000000001', gen_random_uuid(), 'succeeded')$$,
  '42501', 'permission denied for function settle_job', 'The owner cannot settle a job.');
select is(
  private.checkpoint_job('10000000-0000-4000-8000-000000000001', gen_random_uuid(), 60, '{"forged": true}'),
  null, 'A checkpoint without the lease''s token changes nothing.');

-- Stranger --------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@lab.test'));
select is((select count(*)::int from public.jobs), 0, 'A stranger sees no job of anyone else.');
select throws_ok($$select * from public.cancel_job('10000000-0000-4000-8000-000000000001')$$,
  'LB404', 'Job not found', 'A stranger cannot cancel someone else''s job (404, nothing revealed).');

-- Anonymous -------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select id from public.jobs$$, '42501', 'permission denied for table jobs',
  'Anonymous callers cannot read jobs.');
select throws_ok($$select * from public.cancel_job('10000000-0000-4000-8000-000000000001')$$,
  '42501', 'permission denied for function cancel_job', 'Anonymous callers cannot cancel jobs.');
select throws_ok($$select private.enqueue_job('export')$$, '42501', null,
  'Anonymous callers cannot create jobs.');

-- Admin -----------------------------------------------------------------------------------
select tests.authenticate_with_hook(tests.get_user_id('admin@lab.test'));
select is((select count(*)::int from public.jobs), 2, 'An admin reads every user''s jobs.');
select throws_ok($$select * from public.cancel_job('10000000-0000-4000-8000-000000000001')$$,
  'LB404', 'Job not found', 'An admin cannot cancel someone else''s job.');

-- The lab (service_role): claim, cap, lease, checkpoint, settle ----------------------------
select tests.authenticate_as_service_role();
select lives_ok(
  $$select private.enqueue_job('export', '{}', '20000000-0000-4000-8000-000000000001', null, 2,
                               tests.get_user_id('other@lab.test'))$$,
  'The lab creates a job for a named user as service_role.');
update public.jobs set run_after = now() - interval '1 minute' where id = '20000000-0000-4000-8000-000000000001';

create temporary table claimed on commit drop as
  select (c ->> 'id')::uuid as id, (c ->> 'attempts')::int as attempts, (c ->> 'lease_token')::uuid as lease_token
    from private.claim_job(60, 1, '["export"]') as c;
select results_eq($$select id, attempts from claimed$$,
  $$values ('20000000-0000-4000-8000-000000000001'::uuid, 1)$$,
  'A claim takes the oldest ready job and counts the attempt.');
select is((select status from public.jobs where id = '20000000-0000-4000-8000-000000000001'), 'running',
  'The claimed job is running under a lease.');
select results_eq(
  $$select (private.claim_job(60, 1, '["export"]') ->> 'id')::uuid$$,
  $$values ('10000000-0000-4000-8000-000000000001'::uuid)$$,
  'With a cap of one, the next claim takes another user''s job.');
select is(private.claim_job(60, 1, '["export"]'), null,
  'Every user with ready jobs is at the cap: nothing more is claimed.');

select is(private.checkpoint_job('20000000-0000-4000-8000-000000000001', (select lease_token from claimed), 60,
                                 '{"cursor": 5}', 5, 9, 1, '{"empty": 1}'),
  false, 'The lease holder checkpoints (no cancel requested).');
select results_eq(
  $$select checkpoint, progress_done, progress_total, progress_skipped, skipped_by_reason from public.jobs
     where id = '20000000-0000-4000-8000-000000000001'$$,
  $$values ('{"cursor": 5}'::jsonb, 5::bigint, 9::bigint, 1::bigint, '{"empty": 1}'::jsonb)$$,
  'The checkpoint and progress are saved together.');

select ok(private.settle_job('20000000-0000-4000-8000-000000000001', (select lease_token from claimed), 'queued'),
  'The lease holder hands the rest of the work back to the queue.');
select results_eq(
  $$select status, attempts, lease_token is null from public.jobs where id = '20000000-0000-4000-8000-000000000001'$$,
  $$values ('queued', 0, true)$$,
  'Handing on is no failed attempt: the claim''s count is given back and the lease dropped.');
select ok(not private.settle_job('20000000-0000-4000-8000-000000000001', (select lease_token from claimed), 'succeeded'),
  'A lease that ended cannot settle the job again.');

-- A lease that lapses is claimed again.
update public.jobs set lease_expires_at = now() - interval '1 second'
 where id = '10000000-0000-4000-8000-000000000001';
select results_eq(
  $$select (c ->> 'id')::uuid, (c ->> 'attempts')::int
      from private.claim_job(60, 1, '["export"]', '10000000-0000-4000-8000-000000000001') as c$$,
  $$values ('10000000-0000-4000-8000-000000000001'::uuid, 2)$$,
  'A running job whose lease lapsed is claimed again, as its next attempt.');

-- Retry with an error, then failure for good.
select ok(private.settle_job('10000000-0000-4000-8000-000000000001',
  (select lease_token from public.jobs where id = '10000000-0000-4000-8000-000000000001'),
  'queued', null, 'Storage unavailable', now() + interval '1 hour'),
  'A failed attempt goes back to the queue with its error and a later run_after.');
select is(private.claim_job(60, 5, '["export"]', '10000000-0000-4000-8000-000000000001'), null,
  'A job waiting out its backoff is not claimed.');
select results_eq(
  $$select status, attempts, error from public.jobs where id = '10000000-0000-4000-8000-000000000001'$$,
  $$values ('queued', 2, 'Storage unavailable')$$, 'The retry keeps the attempt and its error.');
select throws_ok($$update public.jobs set status = 'failed' where id = '20000000-0000-4000-8000-000000000001'$$,
  '23514', null, 'A job cannot fail without an error.');
update public.jobs set status = 'cancelled' where id = '10000000-0000-4000-8000-000000000001';
select throws_ok($$update public.jobs set status = 'queued' where id = '10000000-0000-4000-8000-000000000001'$$,
  '23514', null, 'A finished job never changes again.');

-- Owner: cancel -----------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select results_eq(
  $$select id, status, cancel_requested_at is not null from public.cancel_job('10000000-0000-4000-8000-000000000002')$$,
  $$values ('10000000-0000-4000-8000-000000000002'::uuid, 'queued', true)$$,
  'The owner asks to cancel their queued job; the worker stops it when it next claims it.');
select tests.authenticate_as_service_role();
select results_eq(
  $$select (c ->> 'id')::uuid, c ->> 'cancel_requested_at' is not null
      from private.claim_job(60, 5, '["export"]', '10000000-0000-4000-8000-000000000002') as c$$,
  $$values ('10000000-0000-4000-8000-000000000002'::uuid, true)$$,
  'The worker claims a job whose cancel was asked for, and sees the request.');
select is(private.checkpoint_job('10000000-0000-4000-8000-000000000002',
  (select lease_token from public.jobs where id = '10000000-0000-4000-8000-000000000002'), 60, '{}'),
  true, 'Every checkpoint of a job with a cancel request answers that it must stop.');

-- Audit: every transition, under the job's correlation id ----------------------------------
select bag_eq(
  $$select event_type, event_data ->> 'from' from public.audit_logs
     where event_data ->> 'job_id' = '20000000-0000-4000-8000-000000000001'$$,
  $$values ('job_queued', null), ('job_running', 'queued'), ('job_queued', 'running')$$,
  'Each status change of a job is in the audit trail.');
select is(
  (select count(*)::int from public.audit_logs
    where event_data ->> 'job_id' = '10000000-0000-4000-8000-000000000001'
      and correlation_id = '00000000-0000-4000-8000-000000000150' and source = 'database'),
  4, 'A job''s audit rows carry the correlation id of the request that created it.');

select * from finish();
rollback;

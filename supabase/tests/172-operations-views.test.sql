-- The dashboard's views and model call statistics: security_invoker views,
-- so an admin sees every request and a user only their own; model call
-- statistics are counts for admins only, never experiment content.

begin;
select plan(16);

select lives_ok($$select tests.create_user('admin@lab.test')$$, 'The admin can be created.');
select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');

select tests.authenticate_as_service_role();
select lives_ok(
  $$insert into public.user_roles (user_id, role) values (tests.get_user_id('admin@lab.test'), 'admin')$$,
  'service_role makes the admin.');
select lives_ok(
  $$insert into public.system_metrics (user_id, route, method, status_code, latency_ms)
    values (tests.get_user_id('owner@lab.test'), '/generate', 'POST', 200, 900),
           (tests.get_user_id('owner@lab.test'), '/generate', 'POST', 502, 1500),
           (tests.get_user_id('stranger@lab.test'), '/calibration', 'POST', 200, 20)$$,
  'service_role records three requests.');
select lives_ok(
  $$select private.record_audit_event('request_failed',
      '{"code": "upstream_unavailable", "status": 502, "route": "/generate", "method": "POST"}', 'server',
      tests.get_user_id('owner@lab.test'), 'a0000000-0000-4000-8000-000000000172')$$,
  'service_role records the failure.');

select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select lives_ok(
  $$select tests.create_experiment(tests.get_user_id('owner@lab.test'),
      tests.create_calibration(tests.get_user_id('owner@lab.test')),
      tests.make_responses('[[0.8, 0.6, 0.7, 0.9], null, null]'))$$,
  'The owner stores an experiment with two failed model calls of three.');

-- Admin ------------------------------------------------------------------------------------
select tests.authenticate_with_hook(tests.get_user_id('admin@lab.test'));
select results_eq(
  $$select route, requests, server_errors from public.requests_per_route_day order by route$$,
  $$values ('/calibration', 1::bigint, 0::bigint), ('/generate', 2::bigint, 1::bigint)$$,
  'The admin reads requests and server errors per route and day for everyone.');
select results_eq(
  $$select route, requests, p95_ms from public.slowest_routes$$,
  $$values ('/generate', 2::bigint, 1470::float8), ('/calibration', 1::bigint, 20::float8)$$,
  'The admin reads the slowest routes of the last day, slowest p95 first.');
select results_eq(
  $$select route, status, code, correlation_id from public.recent_errors$$,
  $$values ('/generate', 502, 'upstream_unavailable', 'a0000000-0000-4000-8000-000000000172'::uuid)$$,
  'The admin reads recent errors with their code and correlation id.');
select results_eq(
  $$select model, calls, failed, failures_by_code from private.model_call_stats(now() - interval '1 day')$$,
  $$values ('test-model', 3::bigint, 2::bigint, '{"upstream_error": 2}'::jsonb)$$,
  'The admin reads model calls, failures and their codes, without any prompt or response.');

-- Owner and stranger -------------------------------------------------------------------------
select tests.authenticate_with_hook(tests.get_user_id('owner@lab.test'));
select results_eq(
  $$select route, requests from public.requests_per_route_day$$,
  $$values ('/generate', 2::bigint)$$,
  'The owner sees only their own requests in the views.');
select throws_ok($$select * from private.model_call_stats(now() - interval '1 day')$$, '42501',
  'Only admins may read model call statistics', 'The owner cannot read model call statistics.');

select tests.authenticate_with_hook(tests.get_user_id('stranger@lab.test'));
select is_empty($$select * from public.recent_errors$$, 'A stranger does not see the owner''s errors.');

-- Anonymous and service_role -------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select * from public.slowest_routes$$, '42501', 'permission denied for view slowest_routes',
  'Anonymous callers cannot read the views.');

select tests.authenticate_as_service_role();
select results_eq(
  $$select sum(calls)::int from private.model_call_stats(now() - interval '1 day')$$,
  array[3],
  'service_role reads model call statistics too.');

select * from finish();
rollback;

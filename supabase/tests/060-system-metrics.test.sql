-- system_metrics: written by service_role (the telemetry middleware); users
-- read the telemetry of their own requests and write nothing.

begin;
select plan(24);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');

-- service_role writes --------------------------------------------------------------------
select tests.authenticate_as_service_role();
select lives_ok(
  $$insert into public.system_metrics (id, user_id, route, method, status_code, latency_ms, correlation_id)
    values ('50000000-0000-4000-8000-000000000001', tests.get_user_id('owner@lab.test'), '/generate', 'POST', 201, 850,
            'a0000000-0000-4000-8000-000000000001'),
           ('50000000-0000-4000-8000-000000000002', tests.get_user_id('stranger@lab.test'), '/calibration', 'POST', 400, 12, null),
           ('50000000-0000-4000-8000-000000000003', null, '/generate', 'POST', 401, 3, null)$$,
  'service_role records requests of the owner, the stranger and an unauthenticated caller.');
select results_eq($$select count(*)::int from public.system_metrics$$, array[3], 'service_role reads every metric.');
select throws_ok($$update public.system_metrics set latency_ms = 0$$,
  '42501', 'permission denied for table system_metrics', 'Not even service_role can rewrite a metric.');

-- Owner ------------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));

select results_eq($$select id, route, status_code from public.system_metrics$$,
  $$values ('50000000-0000-4000-8000-000000000001'::uuid, '/generate', 201)$$,
  'The owner reads only the telemetry of their own requests.');
select throws_ok(
  $$insert into public.system_metrics (route, method, status_code, latency_ms) values ('/generate', 'GET', 200, 1)$$,
  '42501', 'permission denied for table system_metrics', 'The owner cannot write telemetry.');
select throws_ok($$update public.system_metrics set latency_ms = 0$$,
  '42501', 'permission denied for table system_metrics', 'The owner cannot change their telemetry.');
select throws_ok($$delete from public.system_metrics$$,
  '42501', 'permission denied for table system_metrics', 'The owner cannot delete their telemetry.');

-- Stranger ------------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@lab.test'));

select is_empty($$select * from public.system_metrics where id = '50000000-0000-4000-8000-000000000001'$$,
  'A stranger does not see the owner''s telemetry.');
select is_empty($$select * from public.system_metrics where user_id is null$$,
  'A stranger does not see unauthenticated requests either.');
select throws_ok(
  $$insert into public.system_metrics (user_id, route, method, status_code, latency_ms)
    values (tests.get_user_id('owner@lab.test'), '/generate', 'GET', 200, 1)$$,
  '42501', 'permission denied for table system_metrics', 'A stranger cannot write telemetry in the owner''s name.');
select throws_ok($$update public.system_metrics set latency_ms = 0 where id = '50000000-0000-4000-8000-000000000001'$$,
  '42501', 'permission denied for table system_metrics', 'A stranger cannot change the owner''s telemetry.');
select throws_ok($$delete from public.system_metrics where id = '50000000-0000-4000-8000-000000000001'$$,
  '42501', 'permission denied for table system_metrics', 'A stranger cannot delete the owner''s telemetry.');

-- Anonymous --------------------------------------------------------------------------------------
select tests.authenticate_as_anon();

select throws_ok($$select * from public.system_metrics$$, '42501', 'permission denied for table system_metrics',
  'Anonymous callers cannot read telemetry.');
select throws_ok(
  $$insert into public.system_metrics (route, method, status_code, latency_ms) values ('/generate', 'GET', 200, 1)$$,
  '42501', 'permission denied for table system_metrics', 'Anonymous callers cannot write telemetry.');
select throws_ok($$update public.system_metrics set latency_ms = 0$$,
  '42501', 'permission denied for table system_metrics', 'Anonymous callers cannot change telemetry.');
select throws_ok($$delete from public.system_metrics$$,
  '42501', 'permission denied for table system_metrics', 'Anonymous callers cannot delete telemetry.');

-- service_role deletes; accounts go, metrics stay -------------------------------------------------
select tests.authenticate_as_service_role();
select results_eq(
  $$delete from public.system_metrics where id = '50000000-0000-4000-8000-000000000003' returning id$$,
  $$values ('50000000-0000-4000-8000-000000000003'::uuid)$$,
  'service_role can delete old telemetry.');

select tests.clear_authentication();
select lives_ok($$delete from auth.users where id = tests.get_user_id('owner@lab.test')$$, 'The owner''s account can be deleted.');
select results_eq(
  $$select user_id, route from public.system_metrics where id = '50000000-0000-4000-8000-000000000001'$$,
  $$values (null::uuid, '/generate')$$,
  'A deleted user''s telemetry is kept with user_id set to null.');
select results_eq(
  $$select user_id from public.system_metrics where id = '50000000-0000-4000-8000-000000000002'$$,
  $$values (tests.get_user_id('stranger@lab.test'))$$,
  'Other users'' telemetry keeps its user.');
select col_hasnt_default('public', 'system_metrics', 'user_id',
  'system_metrics.user_id has no default: the middleware names the verified caller.');
select col_is_fk('public', 'system_metrics', 'user_id', 'system_metrics.user_id references auth.users.');

select * from finish();
rollback;

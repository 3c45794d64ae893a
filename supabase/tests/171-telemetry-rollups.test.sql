-- Telemetry rollups and the figures read from them: route_latency_stats gives
-- exactly percentile_cont's percentiles, and the same figures before and
-- after private.rollup_system_metrics folds old rows into per-minute buckets.
-- Actors: the admin, the owner of some requests, a stranger, anonymous and
-- service_role (the only one that runs the rollup).

begin;
select plan(30);

select lives_ok($$select tests.create_user('admin@lab.test')$$, 'The admin can be created.');
select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');

select tests.authenticate_as_service_role();
select lives_ok(
  $$insert into public.user_roles (user_id, role) values (tests.get_user_id('admin@lab.test'), 'admin')$$,
  'service_role makes the admin.');

-- 300 requests over ten days: two routes, latencies with ties, some 4xx and 5xx.
select lives_ok(
  $$insert into public.system_metrics (user_id, route, method, status_code, latency_ms, created_at)
    select case when i % 3 = 0 then tests.get_user_id('owner@lab.test') else null end,
           case when i % 2 = 0 then '/generate' else '/calibration' end,
           'POST',
           case when i % 10 = 0 then 502 when i % 7 = 0 then 400 else 200 end,
           (i * 37) % 101 + (i % 5) * 250,
           now() - (i * interval '48 minutes') - interval '7 seconds'
      from generate_series(1, 300) as i$$,
  'service_role records 300 requests spread over ten days.');

-- The figures match percentile_cont -----------------------------------------------------------
select tests.authenticate_with_hook(tests.get_user_id('admin@lab.test'));
create temporary table expected_week on commit drop as
  select m.route, m.method, count(*)::bigint as requests,
         percentile_cont(0.50) within group (order by m.latency_ms) as p50,
         percentile_cont(0.95) within group (order by m.latency_ms) as p95,
         percentile_cont(0.99) within group (order by m.latency_ms) as p99,
         (count(*) filter (where m.status_code >= 500))::float8 / count(*) as error_rate
    from public.system_metrics as m
   where m.created_at >= date_trunc('minute', now() - interval '7 days')
   group by 1, 2;
create temporary table before_rollup on commit drop as
  select * from private.route_latency_stats(now() - interval '7 days');

select results_eq(
  $$select route, method, requests, p50_ms, p95_ms, p99_ms, error_rate from before_rollup order by route$$,
  $$select route, method, requests, p50, p95, p99, error_rate from expected_week order by route$$,
  'route_latency_stats gives the admin exactly percentile_cont''s p50, p95 and p99, the counts and the 5xx rate.');
select results_eq(
  $$select sum(status_2xx + status_3xx + status_4xx + status_5xx)::bigint, sum(requests)::bigint from before_rollup$$,
  $$values ((select count(*) from public.system_metrics where created_at >= date_trunc('minute', now() - interval '7 days')),
            (select count(*) from public.system_metrics where created_at >= date_trunc('minute', now() - interval '7 days')))$$,
  'Every request of the window is counted in exactly one status class.');

-- Actors on the figures and the rollups before any rollup --------------------------------------
select tests.authenticate_with_hook(tests.get_user_id('owner@lab.test'));
select results_eq(
  $$select sum(requests)::int from private.route_latency_stats(now() - interval '30 days')$$,
  $$select count(*)::int from public.system_metrics$$,
  'The owner''s figures count only the owner''s own requests (RLS applies).');
select results_eq($$select count(*)::int from public.system_metrics$$, array[100], 'The owner sees their 100 requests.');
select throws_ok($$select private.rollup_system_metrics()$$, '42501',
  'permission denied for function rollup_system_metrics', 'The owner cannot run the rollup.');

select tests.authenticate_with_hook(tests.get_user_id('stranger@lab.test'));
select is_empty($$select * from private.route_latency_stats(now() - interval '30 days')$$,
  'A stranger without requests gets no figures.');
select throws_ok($$select private.rollup_system_metrics()$$, '42501',
  'permission denied for function rollup_system_metrics', 'A stranger cannot run the rollup.');

select tests.authenticate_with_hook(tests.get_user_id('admin@lab.test'));
select throws_ok($$select private.rollup_system_metrics()$$, '42501',
  'permission denied for function rollup_system_metrics', 'Not even an admin runs the rollup directly: the function does, as service_role.');

select tests.authenticate_as_anon();
select throws_ok($$select * from private.route_latency_stats(now())$$, '42501',
  'permission denied for schema private', 'Anonymous callers cannot read the figures.');
select throws_ok($$select * from public.system_metrics_rollups$$, '42501',
  'permission denied for table system_metrics_rollups', 'Anonymous callers cannot read rollups.');

-- The rollup ------------------------------------------------------------------------------------
select tests.authenticate_as_service_role();
select throws_ok($$select private.rollup_system_metrics(interval '0 seconds')$$, '22023',
  'Invalid retention: keep raw rows at least a minute and rollups at least as long',
  'A retention under a minute is refused.');
select results_eq(
  $$select private.rollup_system_metrics(interval '1 day', interval '30 days')$$,
  $$values (jsonb_build_object(
      'rolledUp', (select count(*) from public.system_metrics where created_at < date_trunc('minute', now() - interval '1 day')),
      'prunedBuckets', 0))$$,
  'The rollup moves every raw row older than the window (cut at a whole minute) and reports how many.');
select is_empty($$select * from public.system_metrics where created_at < date_trunc('minute', now() - interval '1 day')$$,
  'No raw row older than the window is left.');
select results_eq($$select sum(request_count)::int from public.system_metrics_rollups$$,
  $$values (300 - (select count(*)::int from public.system_metrics))$$,
  'The rollups count every moved request once.');
select is_empty(
  $$select * from public.system_metrics_rollups where bucket_start <> date_trunc('minute', bucket_start)$$,
  'Every rollup bucket starts at a whole minute.');
select results_eq($$select private.rollup_system_metrics(interval '1 day', interval '30 days') ->> 'rolledUp'$$,
  $$values ('0')$$, 'Running it again moves nothing.');

select tests.authenticate_with_hook(tests.get_user_id('admin@lab.test'));
select results_eq(
  $$select * from private.route_latency_stats(now() - interval '7 days')$$,
  $$select * from before_rollup$$,
  'The week''s figures are the same after the rollup as before it.');
select ok((select count(*) from public.system_metrics_rollups) > 0, 'The admin sees rolled-up rows.');

select tests.authenticate_with_hook(tests.get_user_id('owner@lab.test'));
select is_empty($$select * from public.system_metrics_rollups$$,
  'The owner cannot read rollups: they no longer say whose requests they were.');

-- A rollup into an existing bucket adds to it; old buckets are pruned ------------------------------
select tests.authenticate_as_service_role();
create temporary table latest_bucket on commit drop as
  select * from public.system_metrics_rollups order by bucket_start desc, route, status_code, latency_ms limit 1;
select lives_ok(
  $$insert into public.system_metrics (route, method, status_code, latency_ms, created_at)
    select route, method, status_code, latency_ms, bucket_start + interval '30 seconds' from latest_bucket$$,
  'A late row lands in the minute of an existing bucket.');
select results_eq($$select private.rollup_system_metrics(interval '1 day', interval '30 days') ->> 'rolledUp'$$,
  $$values ('1')$$, 'The late row is rolled up on its own.');
select results_eq(
  $$select r.request_count from public.system_metrics_rollups as r join latest_bucket as b
       using (bucket_start, route, method, status_code, latency_ms)$$,
  $$select request_count + 1 from latest_bucket$$,
  'It is added to the existing bucket.');
select results_eq(
  $$select sum(request_count)::int from public.system_metrics_rollups$$,
  $$values (301 - (select count(*)::int from public.system_metrics))$$,
  'The rollups still count every request once.');
select results_eq(
  $$select (private.rollup_system_metrics(interval '1 day', interval '8 days') ->> 'prunedBuckets')::int > 0$$,
  $$values (true)$$,
  'Buckets older than the rollup retention are deleted.');
select is_empty($$select * from public.system_metrics_rollups where bucket_start < now() - interval '8 days 1 minute'$$,
  'No bucket older than the rollup retention is left.');

select * from finish();
rollback;

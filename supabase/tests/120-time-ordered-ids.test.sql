-- Time-ordered ids: experiments, audit_logs and system_metrics get UUIDv7
-- primary keys from private.uuid_v7(), whoever inserts them, so their
-- indexes grow at the right edge (see the bench's analytics scale figure).

begin;
select plan(8);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');

-- The function ---------------------------------------------------------------------------
select is(substr(private.uuid_v7()::text, 15, 1), '7', 'private.uuid_v7() mints version-7 UUIDs.');
select ok(substr(private.uuid_v7()::text, 20, 1) in ('8', '9', 'a', 'b'), 'private.uuid_v7() keeps the RFC 9562 variant.');
select ok(
  abs(('x' || replace(left(private.uuid_v7()::text, 13), '-', ''))::bit(48)::bigint
      - floor(extract(epoch from clock_timestamp()) * 1000)::bigint) < 60000,
  'The first 48 bits of private.uuid_v7() are the current Unix time in milliseconds.');
select ok(not has_function_privilege('anon', 'private.uuid_v7()', 'execute'), 'anon cannot call private.uuid_v7().');

-- As the owner -------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select tests.create_calibration(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-0000000000a1');

select results_eq(
  $$with e as (
      insert into public.experiments (calibration_id, prompt, model, parameters, responses, status, latency_ms)
      values ('c0000000-0000-4000-8000-0000000000a1', 'Write a haiku about tides.', 'test-model', '{"seed": 7}'::jsonb,
              tests.make_responses('[[0.8, 0.6, 0.7, 0.9]]'), 'completed', 10)
      returning id)
    select substr(id::text, 15, 1) from e$$,
  $$values ('7')$$,
  'An experiment the owner inserts gets a UUIDv7 id.');
select is(
  substr(private.record_audit_event('experiment_generated', '{}'::jsonb)::text, 15, 1),
  '7', 'An audit event recorded as the owner gets a UUIDv7 id.');

select tests.authenticate_as_service_role();
select results_eq(
  $$with m as (
      insert into public.system_metrics (route, method, status_code, latency_ms) values ('/generate', 'POST', 200, 5)
      returning id)
    select substr(id::text, 15, 1) from m$$,
  $$values ('7')$$,
  'A request metric service_role records gets a UUIDv7 id.');

select * from finish();
rollback;

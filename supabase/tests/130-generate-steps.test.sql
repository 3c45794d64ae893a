-- generate's one-statement steps: private.start_generation and
-- private.store_generation act as the claims they are given, so no API role
-- may call them (nor private.act_as_user); what they do runs under RLS as
-- that user, a stranger's claims reach nothing of the owner's, and the
-- outcomes a request answers with are raised as lab HTTP errors
-- (SQLSTATE LB<status>) that roll the step back. Also the shared
-- Idempotency-Key claim, private.claim_idempotency_key.

begin;
select plan(36);

select lives_ok($$select tests.create_user('owner@steps.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@steps.test')$$, 'The stranger can be created.');
select lives_ok(
  $$select tests.create_calibration(tests.get_user_id('owner@steps.test'), 'ca110000-0000-4000-8000-000000000001')$$,
  'The owner''s calibration can be created.');

create temporary table claims_of (email text primary key, claims jsonb not null) on commit drop;
insert into claims_of
select u.email, pg_catalog.jsonb_build_object('sub', u.id, 'role', 'authenticated', 'email', u.email)
  from auth.users as u
 where u.email in ('owner@steps.test', 'stranger@steps.test');
grant select on claims_of to authenticated;

-- Who may call them -----------------------------------------------------------------------
select is_empty(
  $$select r.rolname, f.signature
      from (values ('anon'), ('authenticated'), ('service_role')) as r(rolname)
     cross join (values ('private.act_as_user(jsonb, uuid)'),
                        ('private.start_generation(jsonb, uuid, uuid, integer, jsonb, text, text)'),
                        ('private.store_generation(jsonb, uuid, jsonb, jsonb, text, jsonb)')) as f(signature)
     where pg_catalog.has_function_privilege(r.rolname, f.signature, 'execute')$$,
  'No API role may execute the functions that take claims as an argument.');
select is(
  pg_catalog.has_function_privilege('authenticated', 'private.claim_idempotency_key(text, text, text)', 'execute'),
  true,
  'authenticated may claim its own Idempotency-Keys.');
select is(
  pg_catalog.has_function_privilege('anon', 'private.claim_idempotency_key(text, text, text)', 'execute'),
  false,
  'anon may not claim Idempotency-Keys.');
select is(
  (select count(*)::int from pg_catalog.pg_proc
    where oid in ('private.start_generation(jsonb, uuid, uuid, integer, jsonb, text, text)'::regprocedure,
                  'private.store_generation(jsonb, uuid, jsonb, jsonb, text, jsonb)'::regprocedure,
                  'private.act_as_user(jsonb, uuid)'::regprocedure)
      and not prosecdef),
  3,
  'The step functions run as the invoker, so RLS applies once they switch to the caller.');

select tests.authenticate_as(tests.get_user_id('owner@steps.test'));
select throws_ok(
  $$select private.start_generation((select claims from claims_of where email = 'stranger@steps.test'), null,
      'ca110000-0000-4000-8000-000000000001', 30, '{}')$$,
  '42501', 'permission denied for function start_generation',
  'A signed-in user cannot start a generation with someone else''s claims.');
select throws_ok(
  $$select private.act_as_user((select claims from claims_of where email = 'stranger@steps.test'), null)$$,
  '42501', 'permission denied for function act_as_user',
  'A signed-in user cannot switch to someone else.');
select tests.clear_authentication();

-- act_as_user -------------------------------------------------------------------------------
select throws_ok(
  $$select private.act_as_user('{"role":"authenticated"}', null)$$,
  '42501', 'Cannot act as a user without a subject claim',
  'Claims without a subject are refused.');
select results_eq(
  $$select current_user::text collate "default", auth.uid(), current_setting('app.correlation_id') collate "default"
      from private.act_as_user((select claims from claims_of where email = 'owner@steps.test'),
                               'c0110000-0000-4000-8000-000000000001')$$,
  $$values ('authenticated', tests.get_user_id('owner@steps.test'), 'c0110000-0000-4000-8000-000000000001')$$,
  'act_as_user switches to role authenticated with the caller''s claims and correlation id.');
select tests.clear_authentication();

-- start_generation ------------------------------------------------------------------------
select is(
  private.start_generation((select claims from claims_of where email = 'owner@steps.test'),
    'c0110000-0000-4000-8000-000000000002', 'ca110000-0000-4000-8000-000000000001', 30, '{"model":"m"}'),
  '{"kind":"started","ranges":{"top_p_max":0.95,"top_p_min":0.5,"max_tokens_max":1024,"max_tokens_min":128,
    "temperature_max":1.2,"temperature_min":0.2,"frequency_penalty_max":0.5,"frequency_penalty_min":0}}'::jsonb,
  'The owner''s start returns the calibration''s ranges as numbers.');
select is(current_user::text collate "default", 'authenticated', 'The rest of the statement''s transaction runs as the caller.');
select is(current_setting('synchronous_commit'), 'off', 'The start is committed without waiting for the WAL flush.');
select tests.clear_authentication();
select results_eq(
  $$select event_type, user_id, source, event_data from public.audit_logs
     where correlation_id = 'c0110000-0000-4000-8000-000000000002'$$,
  $$values ('llm_request_started'::text, tests.get_user_id('owner@steps.test'), 'server'::text, '{"model":"m"}'::jsonb)$$,
  'The start is audited as the owner''s llm_request_started with the correlation id.');
select is(
  (select request_count from private.rate_limits where user_id = tests.get_user_id('owner@steps.test')),
  1,
  'The start is counted against the owner''s rate limit.');

select throws_ok(
  $$select private.start_generation((select claims from claims_of where email = 'stranger@steps.test'),
      'c0110000-0000-4000-8000-000000000003', 'ca110000-0000-4000-8000-000000000001', 30, '{}')$$,
  'LB404', 'Calibration not found: ca110000-0000-4000-8000-000000000001',
  'A stranger''s start cannot see the owner''s calibration: 404.');
select tests.clear_authentication();
select is_empty(
  $$select 1 from public.audit_logs where correlation_id = 'c0110000-0000-4000-8000-000000000003'$$,
  'A refused start writes no audit event.');

select throws_like(
  $$select private.start_generation((select claims from claims_of where email = 'owner@steps.test'),
      'c0110000-0000-4000-8000-000000000004', 'ca110000-0000-4000-8000-000000000001', 1, '{}')$$,
  'Too many requests: at most 1 per 60 seconds, try again in % seconds',
  'A start past the rate limit is refused with the seconds to wait.');
select tests.clear_authentication();
select is(
  (select request_count from private.rate_limits where user_id = tests.get_user_id('owner@steps.test')),
  1,
  'A refused start is not counted.');

-- Idempotency-Keys ----------------------------------------------------------------------------
select is(
  private.start_generation((select claims from claims_of where email = 'owner@steps.test'), null,
    'ca110000-0000-4000-8000-000000000001', 30, '{}', 'key-1', 'hash-1') ->> 'kind',
  'started',
  'A start with a new key runs.');
select tests.clear_authentication();
select throws_ok(
  $$select private.start_generation((select claims from claims_of where email = 'owner@steps.test'), null,
      'ca110000-0000-4000-8000-000000000001', 30, '{}', 'key-1', 'hash-1')$$,
  'LB409', 'A request with this Idempotency-Key is still running: retry shortly',
  'The same key is refused while its first request runs.');
select tests.clear_authentication();
select throws_ok(
  $$select private.start_generation((select claims from claims_of where email = 'owner@steps.test'), null,
      'ca110000-0000-4000-8000-000000000001', 30, '{}', 'key-1', 'another-hash')$$,
  'LB409', 'Idempotency-Key reused with a different request body',
  'The same key with another body is a conflict.');
select tests.clear_authentication();
select tests.authenticate_as(tests.get_user_id('stranger@steps.test'));
select is(
  private.claim_idempotency_key('generate', 'key-1', 'hash-1'),
  '{"kind":"new"}'::jsonb,
  'Keys are per user: the stranger''s key-1 is new.');
select tests.clear_authentication();

-- store_generation -------------------------------------------------------------------------
select is(
  private.store_generation((select claims from claims_of where email = 'owner@steps.test'),
    'c0110000-0000-4000-8000-000000000005',
    pg_catalog.jsonb_build_object(
      'id', 'e0110000-0000-4000-8000-000000000001', 'calibration_id', 'ca110000-0000-4000-8000-000000000001',
      'prompt', 'Explain tides.', 'model', 'm', 'parameters', '{"seed":1}'::jsonb,
      'responses', tests.make_responses('[[0.5, 0.25, 1, 0.75]]'), 'status', 'completed', 'latency_ms', 40),
    '{"experimentId":"e0110000-0000-4000-8000-000000000001"}', 'key-1', '{"experimentId":"e0110000-0000-4000-8000-000000000001"}')
    -> 'analytics',
  '{"count":1,"responseCount":1,"avgCreativity":0.5,"avgCoherence":0.25,"avgStructure":1,"avgCompleteness":0.75,"avgLatency":40}'::jsonb,
  'Storing returns the calibration''s updated analytics summary.');
select tests.clear_authentication();
select results_eq(
  $$select user_id, correlation_id, status, jsonb_typeof(responses) from public.experiments
     where id = 'e0110000-0000-4000-8000-000000000001'$$,
  $$values (tests.get_user_id('owner@steps.test'), 'c0110000-0000-4000-8000-000000000005'::uuid, 'completed'::text, 'array'::text)$$,
  'The experiment is the owner''s, with the request''s correlation id and its JSON as JSON.');
select results_eq(
  $$select event_type from public.audit_logs
     where correlation_id = 'c0110000-0000-4000-8000-000000000005' order by event_type$$,
  $$values ('analytics_updated'::text), ('experiment_generated'::text)$$,
  'The store is audited by the trigger and as experiment_generated.');
select is(
  (select response_body -> 'analytics' ->> 'count' from public.idempotency_keys
    where user_id = tests.get_user_id('owner@steps.test') and key = 'key-1' and status = 'completed'),
  '1',
  'The key is completed with the answer and the fresh analytics.');
select is(
  private.start_generation((select claims from claims_of where email = 'owner@steps.test'), null,
    'ca110000-0000-4000-8000-000000000001', 30, '{}', 'key-1', 'hash-1'),
  '{"kind":"replay","status":200,"body":{"experimentId":"e0110000-0000-4000-8000-000000000001",
    "analytics":{"count":1,"responseCount":1,"avgCreativity":0.5,"avgCoherence":0.25,"avgStructure":1,
                 "avgCompleteness":0.75,"avgLatency":40}}}'::jsonb,
  'A completed key replays its stored answer.');
select tests.clear_authentication();

select throws_ok(
  $$select private.store_generation((select claims from claims_of where email = 'stranger@steps.test'), null,
      pg_catalog.jsonb_build_object(
        'calibration_id', 'ca110000-0000-4000-8000-000000000001', 'prompt', 'Steal.', 'model', 'm',
        'parameters', '{}'::jsonb, 'responses', tests.make_responses('[null]'), 'status', 'failed', 'latency_ms', 1),
      '{}')$$,
  '23503', null,
  'A stranger cannot store an experiment on the owner''s calibration.');
select tests.clear_authentication();

select lives_ok(
  $$select tests.create_calibration(tests.get_user_id('stranger@steps.test'), 'ca110000-0000-4000-8000-000000000002')$$,
  'The stranger''s own calibration can be created.');
select is(
  private.store_generation((select claims from claims_of where email = 'stranger@steps.test'),
    'c0110000-0000-4000-8000-000000000006',
    pg_catalog.jsonb_build_object(
      'calibration_id', 'ca110000-0000-4000-8000-000000000002', 'prompt', 'Explain tides.', 'model', 'm',
      'parameters', '{}'::jsonb, 'responses', tests.make_responses('[null]'), 'status', 'failed', 'latency_ms', 5),
    '{"errors":[]}', 'key-1'),
  null,
  'A failed experiment is stored and returns no summary.');
select tests.clear_authentication();
select results_eq(
  $$select event_type from public.audit_logs where correlation_id = 'c0110000-0000-4000-8000-000000000006'$$,
  $$values ('llm_request_failed'::text)$$,
  'A failed experiment is audited as llm_request_failed and counts nothing.');
select is_empty(
  $$select 1 from public.idempotency_keys where user_id = tests.get_user_id('stranger@steps.test')$$,
  'A failed experiment releases its key for a retry.');
select is(
  (select count(*)::int from public.experiments where user_id = tests.get_user_id('owner@steps.test')),
  1,
  'Nothing the stranger did reached the owner''s experiments.');

-- raise_http_error ---------------------------------------------------------------------------
select throws_ok(
  $$select private.raise_http_error(200, 'ok', 'Fine')$$,
  '22023', 'Invalid HTTP error status: 200',
  'Only 4xx and 5xx statuses can be raised.');

select * from finish();
rollback;

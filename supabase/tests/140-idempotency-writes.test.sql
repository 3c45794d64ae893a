-- Stored idempotent answers cannot be forged through the Data API: users may
-- read their keys but not insert, update or delete them, so neither a PATCH
-- of response_body nor a completed key inserted ahead of the request can make
-- the lab replay an answer it never gave. The lab writes keys through its
-- security definer functions, for the caller's own keys only.

begin;
select plan(17);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');

-- Owner -----------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));

select lives_ok($$select private.claim_idempotency_key('generate', 'key-1', 'sha256-a')$$,
  'The lab claims the owner''s key.');
select lives_ok($$select private.complete_idempotency_key('generate', 'key-1', 200, '{"experimentId": "e1"}')$$,
  'The lab completes it with its answer.');
select throws_ok(
  $$update public.idempotency_keys set response_body = '{"experimentId": "forged"}' where key = 'key-1'$$,
  '42501', 'permission denied for table idempotency_keys',
  'The owner cannot rewrite their stored answer (PATCH /rest/v1/idempotency_keys).');
select throws_ok(
  $$insert into public.idempotency_keys (scope, key, request_hash, status, response_status, response_body)
    values ('generate', 'key-2', 'sha256-a', 'completed', 200, '{"experimentId": "forged"}')$$,
  '42501', 'permission denied for table idempotency_keys',
  'The owner cannot plant a completed key with a forged answer (POST /rest/v1/idempotency_keys).');
select throws_ok(
  $$delete from public.idempotency_keys where key = 'key-1'$$,
  '42501', 'permission denied for table idempotency_keys',
  'The owner cannot delete a key (DELETE /rest/v1/idempotency_keys).');
select results_eq(
  $$select private.claim_idempotency_key('generate', 'key-1', 'sha256-a')$$,
  $$values ('{"kind":"replay","status":200,"body":{"experimentId":"e1"}}'::jsonb)$$,
  'The lab still replays exactly the answer it stored.');
select results_eq(
  $$select key, response_body from public.idempotency_keys$$,
  $$values ('key-1', '{"experimentId": "e1"}'::jsonb)$$,
  'The owner can still read their own keys.');

-- Stranger ---------------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@lab.test'));

select throws_ok(
  $$update public.idempotency_keys set response_body = '{}' where user_id = tests.get_user_id('owner@lab.test')$$,
  '42501', 'permission denied for table idempotency_keys',
  'A stranger cannot update the owner''s keys.');
select results_eq(
  $$select private.complete_idempotency_key('generate', 'key-1', 200, '{"experimentId": "forged"}')$$,
  $$values (false)$$,
  'The lab''s complete, called as a stranger, cannot reach the owner''s key.');

-- Anonymous ---------------------------------------------------------------------------------------
select tests.authenticate_as_anon();

select throws_ok($$select private.claim_idempotency_key('generate', 'k', 'h')$$,
  '42501', 'permission denied for schema private', 'Anonymous callers cannot claim keys.');
select throws_ok($$select private.complete_idempotency_key('generate', 'k', 200, '{}')$$,
  '42501', 'permission denied for schema private', 'Anonymous callers cannot complete keys.');
select throws_ok($$select private.release_idempotency_key('generate', 'k')$$,
  '42501', 'permission denied for schema private', 'Anonymous callers cannot release keys.');

-- Without a user ----------------------------------------------------------------------------------
select tests.clear_authentication();
set local role authenticated;
select throws_ok($$select private.claim_idempotency_key('generate', 'k', 'h')$$,
  '42501', 'Cannot use an Idempotency-Key without a user',
  'The functions refuse to act without a caller.');
reset role;

-- service_role -------------------------------------------------------------------------------------
select tests.authenticate_as_service_role();
select results_eq($$select count(*)::int from public.idempotency_keys$$, array[1],
  'service_role still reads every key.');

select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select results_eq(
  $$select response_body from public.idempotency_keys where key = 'key-1'$$,
  $$values ('{"experimentId": "e1"}'::jsonb)$$,
  'After every attempt the owner''s answer is the one the lab stored.');

select * from finish();
rollback;

-- idempotency_keys: per-user claims. Owners claim, complete and release their
-- own keys through the lab's functions; strangers neither see nor touch them
-- (and may use the same key for themselves); anonymous callers can do nothing.

begin;
select plan(30);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');

-- Owner -----------------------------------------------------------------------------------
-- Users write keys only through the lab's functions (see 140-idempotency-writes for the Data API).
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));

select results_eq(
  $$select private.claim_idempotency_key('generate', 'key-1', 'sha256-a')$$,
  $$values ('{"kind":"new"}'::jsonb)$$,
  'The owner claims a key through claim_idempotency_key.');
select results_eq(
  $$select user_id, status, locked_until > now() from public.idempotency_keys where key = 'key-1'$$,
  $$values (tests.get_user_id('owner@lab.test'), 'in_progress', true)$$,
  'A claim belongs to the caller, is in progress and locked for a while.');
select throws_ok(
  $$select private.claim_idempotency_key('generate', 'key-1', 'sha256-b')$$,
  'LB409', 'Idempotency-Key reused with a different request body',
  'The same key with another body is a conflict.');
select throws_ok(
  $$select private.claim_idempotency_key('generate', 'key-1', 'sha256-a')$$,
  'LB409', 'A request with this Idempotency-Key is still running: retry shortly',
  'The same key and body while the claim holds is in progress.');
select results_eq(
  $$select private.claim_idempotency_key('exports', 'key-1', 'sha256-b')$$,
  $$values ('{"kind":"new"}'::jsonb)$$,
  'The same key can be claimed in another scope.');
select results_eq(
  $$select private.complete_idempotency_key('generate', 'key-1', 201, '{"id": "e1"}')$$,
  $$values (true)$$,
  'The owner completes their key with the answer.');
select results_eq(
  $$select status, response_status, response_body, updated_at from public.idempotency_keys
     where key = 'key-1' and scope = 'generate'$$,
  $$values ('completed', 201, '{"id": "e1"}'::jsonb, now())$$,
  'The completed key holds the answer, and updated_at moved to now().');
select results_eq(
  $$select private.claim_idempotency_key('generate', 'key-1', 'sha256-a')$$,
  $$values ('{"kind":"replay","status":201,"body":{"id":"e1"}}'::jsonb)$$,
  'The same key and body replay the stored answer.');
select results_eq(
  $$select private.complete_idempotency_key('generate', 'key-1', 200, '{"forged": true}')$$,
  $$values (false)$$,
  'A completed answer is never rewritten, not even by the lab''s own function.');
select results_eq(
  $$select private.release_idempotency_key('exports', 'key-1')$$,
  $$values (true)$$,
  'The owner can release their own claim.');
select results_eq(
  $$select private.release_idempotency_key('generate', 'key-1')$$,
  $$values (false)$$,
  'A completed key is not released.');

-- Stranger ---------------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@lab.test'));

select is_empty($$select * from public.idempotency_keys$$, 'A stranger sees none of the owner''s keys.');
select results_eq(
  $$select private.claim_idempotency_key('generate', 'key-1', 'sha256-z')$$,
  $$values ('{"kind":"new"}'::jsonb)$$,
  'A stranger can use the same key for themselves: keys are per user.');
select results_eq(
  $$select private.complete_idempotency_key('generate', 'key-1', 200, '{"mine": true}')$$,
  $$values (true)$$,
  'The stranger''s complete acts on the stranger''s own key.');
select results_eq(
  $$select private.release_idempotency_key('exports', 'key-1')$$,
  $$values (false)$$,
  'A stranger cannot release anything of the owner''s.');

select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select results_eq(
  $$select key, request_hash, response_body from public.idempotency_keys$$,
  $$values ('key-1', 'sha256-a', '{"id": "e1"}'::jsonb)$$,
  'The owner''s key is still there, unchanged, and the stranger''s key stays invisible to the owner.');

-- Anonymous ---------------------------------------------------------------------------------------
select tests.authenticate_as_anon();

select throws_ok($$select * from public.idempotency_keys$$, '42501', 'permission denied for table idempotency_keys',
  'Anonymous callers cannot read keys.');
select throws_ok($$insert into public.idempotency_keys (scope, key, request_hash) values ('generate', 'k', 'h')$$,
  '42501', 'permission denied for table idempotency_keys', 'Anonymous callers cannot claim keys.');
select throws_ok($$update public.idempotency_keys set status = 'completed'$$,
  '42501', 'permission denied for table idempotency_keys', 'Anonymous callers cannot update keys.');
select throws_ok($$delete from public.idempotency_keys$$,
  '42501', 'permission denied for table idempotency_keys', 'Anonymous callers cannot delete keys.');

-- service_role -------------------------------------------------------------------------------------
select tests.authenticate_as_service_role();

select results_eq($$select count(*)::int from public.idempotency_keys$$, array[2], 'service_role reads every user''s keys.');
select lives_ok(
  $$insert into public.idempotency_keys (user_id, scope, key, request_hash)
    values (tests.get_user_id('owner@lab.test'), 'exports', 'key-3', 'sha256-d')$$,
  'service_role can claim a key for any user.');
select results_eq(
  $$update public.idempotency_keys set status = 'completed', response_status = 202, response_body = '{}'
     where key = 'key-3' returning status$$,
  $$values ('completed')$$,
  'service_role can complete any user''s key.');
select results_eq(
  $$delete from public.idempotency_keys where key = 'key-3' returning key$$,
  $$values ('key-3')$$,
  'service_role can delete any user''s key.');

-- updated_at and cascade ---------------------------------------------------------------------------
select tests.clear_authentication();
select lives_ok(
  $$insert into public.idempotency_keys (user_id, scope, key, request_hash, created_at, updated_at)
    values (tests.get_user_id('owner@lab.test'), 'generate', 'old-key', 'h', '2000-01-01', '2000-01-01')$$,
  'A key last changed in 2000 exists.');
select results_eq(
  $$update public.idempotency_keys set locked_until = now() where key = 'old-key' returning updated_at, created_at$$,
  $$values (now(), '2000-01-01'::timestamptz)$$,
  'Updating a key moves updated_at to now() and leaves created_at alone.');
select lives_ok($$delete from auth.users where id = tests.get_user_id('owner@lab.test')$$, 'The owner''s account can be deleted.');
select results_eq($$select count(*)::int from public.idempotency_keys$$, array[1],
  'Deleting a user deletes their keys and only theirs.');

select * from finish();
rollback;

-- idempotency_keys: per-user claims. Owners claim, complete, take over and
-- release their own keys; strangers neither see nor touch them (and may use
-- the same key for themselves); anonymous callers can do nothing.

begin;
select plan(30);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');

-- Owner -----------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));

select lives_ok(
  $$insert into public.idempotency_keys (scope, key, request_hash) values ('generate', 'key-1', 'sha256-a')$$,
  'The owner can claim a key without naming a user.');
select results_eq(
  $$select user_id, status, locked_until > now() from public.idempotency_keys where key = 'key-1'$$,
  $$values (tests.get_user_id('owner@lab.test'), 'in_progress', true)$$,
  'A claim belongs to the caller, is in progress and locked for a while.');
select throws_ok(
  $$insert into public.idempotency_keys (scope, key, request_hash) values ('generate', 'key-1', 'sha256-b')$$,
  '23505', 'duplicate key value violates unique constraint "idempotency_keys_pkey"',
  'The same key cannot be claimed twice in one scope.');
select lives_ok(
  $$insert into public.idempotency_keys (scope, key, request_hash) values ('exports', 'key-1', 'sha256-b')$$,
  'The same key can be claimed in another scope.');
select throws_ok(
  $$insert into public.idempotency_keys (user_id, scope, key, request_hash)
    values (tests.get_user_id('stranger@lab.test'), 'generate', 'key-x', 'sha256-a')$$,
  '42501', 'new row violates row-level security policy for table "idempotency_keys"',
  'The owner cannot claim a key in another user''s name.');
select throws_ok(
  $$update public.idempotency_keys set status = 'completed' where key = 'key-1' and scope = 'generate'$$,
  '23514', 'new row for relation "idempotency_keys" violates check constraint "idempotency_keys_completed_check"',
  'A key cannot be completed without its answer.');
select results_eq(
  $$update public.idempotency_keys set status = 'completed', response_status = 201, response_body = '{"id": "e1"}'
     where key = 'key-1' and scope = 'generate' returning status, response_status, updated_at$$,
  $$values ('completed', 201, now())$$,
  'The owner completes their key with the answer, and updated_at moves to now().');
select results_eq(
  $$update public.idempotency_keys set request_hash = 'sha256-c', locked_until = now() + interval '5 minutes'
     where key = 'key-1' and scope = 'exports' returning request_hash$$,
  $$values ('sha256-c')$$,
  'The owner can take over their own expired claim.');
select throws_ok(
  $$update public.idempotency_keys set user_id = tests.get_user_id('stranger@lab.test') where key = 'key-1' and scope = 'exports'$$,
  '42501', 'new row violates row-level security policy for table "idempotency_keys"',
  'The owner cannot hand a key to another user.');
select results_eq(
  $$delete from public.idempotency_keys where key = 'key-1' and scope = 'exports' returning scope$$,
  $$values ('exports')$$,
  'The owner can release their own claim.');

-- Stranger ---------------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@lab.test'));

select is_empty($$select * from public.idempotency_keys$$, 'A stranger sees none of the owner''s keys.');
select lives_ok(
  $$insert into public.idempotency_keys (scope, key, request_hash) values ('generate', 'key-1', 'sha256-z')$$,
  'A stranger can use the same key for themselves: keys are per user.');
select throws_ok(
  $$insert into public.idempotency_keys (user_id, scope, key, request_hash)
    values (tests.get_user_id('owner@lab.test'), 'generate', 'key-2', 'sha256-z')$$,
  '42501', 'new row violates row-level security policy for table "idempotency_keys"',
  'A stranger cannot claim a key in the owner''s name.');
select is_empty(
  $$update public.idempotency_keys set response_body = '{"forged": true}'
     where user_id = tests.get_user_id('owner@lab.test') returning key$$,
  'A stranger''s update of the owner''s key affects no row.');
select is_empty(
  $$delete from public.idempotency_keys where user_id = tests.get_user_id('owner@lab.test') returning key$$,
  'A stranger''s delete of the owner''s key affects no row.');

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

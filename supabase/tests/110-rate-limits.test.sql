-- rate limits: private.consume_rate_limit counts each user's requests per
-- scope in fixed windows, refuses (without counting) once the limit is used,
-- prunes the caller's past windows, and is the only way to the counters:
-- API roles can neither read nor write private.rate_limits, and anon cannot
-- call the function.

begin;
select plan(24);

select lives_ok($$select tests.create_user('limited@lab.test')$$, 'The limited user can be created.');
select lives_ok($$select tests.create_user('neighbour@lab.test')$$, 'The neighbour can be created.');

-- Shape -------------------------------------------------------------------------------
select has_table('private', 'rate_limits', 'private.rate_limits exists.');
select is(
  (select relrowsecurity from pg_catalog.pg_class where oid = 'private.rate_limits'::regclass),
  true,
  'private.rate_limits has row level security enabled.');
select is_empty(
  $$select r.rolname, p.privilege_type from (values ('anon'), ('authenticated'), ('service_role')) as r(rolname)
     cross join (values ('select'), ('insert'), ('update'), ('delete')) as p(privilege_type)
     where pg_catalog.has_table_privilege(r.rolname, 'private.rate_limits', p.privilege_type)$$,
  'No API role holds any privilege on private.rate_limits.');
select is(
  (select prosecdef from pg_catalog.pg_proc where oid = 'private.consume_rate_limit(text, integer, integer)'::regprocedure),
  true,
  'consume_rate_limit is security definer.');
select is(
  pg_catalog.has_function_privilege('anon', 'private.consume_rate_limit(text, integer, integer)', 'execute'),
  false,
  'anon may not execute consume_rate_limit.');
select is(
  pg_catalog.has_function_privilege('authenticated', 'private.consume_rate_limit(text, integer, integer)', 'execute'),
  true,
  'authenticated may execute consume_rate_limit.');

-- The limited user ------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('limited@lab.test'));

select results_eq(
  $$select private.consume_rate_limit('generate', 3, 3600) from pg_catalog.generate_series(1, 3)$$,
  $$values (0), (0), (0)$$,
  'The first three requests within a limit of three are allowed.');
select ok(
  private.consume_rate_limit('generate', 3, 3600) between 1 and 3600,
  'The fourth request is refused with the seconds left in the window.');
select ok(
  private.consume_rate_limit('generate', 3, 3600) between 1 and 3600,
  'A fifth request is refused too.');
select is(
  private.consume_rate_limit('exports', 3, 3600),
  0,
  'Another scope has its own counter.');
select throws_ok(
  $$select * from private.rate_limits$$,
  '42501', 'permission denied for table rate_limits',
  'A user cannot read the counters directly.');
select throws_ok(
  $$insert into private.rate_limits (user_id, scope, window_start, request_count)
    values (tests.get_user_id('limited@lab.test'), 'generate', now(), 0)$$,
  '42501', 'permission denied for table rate_limits',
  'A user cannot write a counter directly.');
select throws_ok(
  $$delete from private.rate_limits$$,
  '42501', 'permission denied for table rate_limits',
  'A user cannot reset their counters by deleting them.');
select throws_ok(
  $$select private.consume_rate_limit('generate', 0, 60)$$,
  '22023', 'Invalid rate limit: limit and window must be positive, got 0 per 60 s',
  'A limit below one is rejected.');

-- The neighbour ---------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('neighbour@lab.test'));

select is(
  private.consume_rate_limit('generate', 3, 3600),
  0,
  'Another user''s counter is independent of the limited user''s.');

-- Anonymous and service role --------------------------------------------------------------
select tests.authenticate_as_anon();

select throws_ok(
  $$select private.consume_rate_limit('generate', 3, 3600)$$,
  '42501', null,
  'An anonymous caller cannot consume a rate limit.');

select tests.authenticate_as_service_role();

select throws_ok(
  $$select private.consume_rate_limit('generate', 3, 3600)$$,
  '42501', 'Cannot consume a rate limit without a signed-in user',
  'A caller without a user id has no counter to consume.');

-- Bookkeeping, read as the migration role ---------------------------------------------------
select tests.clear_authentication();

select results_eq(
  $$select scope, request_count from private.rate_limits
     where user_id = tests.get_user_id('limited@lab.test') order by scope$$,
  $$values ('exports'::text, 1), ('generate'::text, 3)$$,
  'Refused requests were not counted: the generate counter stopped at the limit.');
select results_eq(
  $$select request_count from private.rate_limits where user_id = tests.get_user_id('neighbour@lab.test')$$,
  $$values (1)$$,
  'The neighbour''s one request is counted on their own row.');

select lives_ok(
  $$insert into private.rate_limits (user_id, scope, window_start, request_count)
    values (tests.get_user_id('neighbour@lab.test'), 'generate', now() - interval '2 hours', 3)$$,
  'A counter of a past window can be planted.');

select tests.authenticate_as(tests.get_user_id('neighbour@lab.test'));
select is(
  private.consume_rate_limit('generate', 3, 3600),
  0,
  'A past window does not count against the current one.');

select tests.clear_authentication();
select results_eq(
  $$select request_count from private.rate_limits where user_id = tests.get_user_id('neighbour@lab.test')$$,
  $$values (2)$$,
  'The caller''s past window was pruned, leaving only the current one.');

select * from finish();
rollback;

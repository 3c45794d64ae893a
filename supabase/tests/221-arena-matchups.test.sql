-- Arena matchups per actor: every (prompt, arm pair) an arena can hand out is
-- a row of private.arena_matchups, made as the answers are stored, and its
-- count rises with each pair handed out, least-shown first. No API role
-- reaches the table: not the owner, not a tester, not a stranger, not
-- anonymous callers; only the trigger and next_arena_pair write it.

begin;
select plan(18);

select lives_ok($$select tests.create_user('m-owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('m-tester@lab.test')$$, 'A tester can be created.');
select lives_ok($$select tests.create_user('m-other@lab.test')$$, 'A second tester can be created.');
select lives_ok($$select tests.create_user('m-stranger@lab.test')$$, 'A stranger can be created.');

-- Shape -------------------------------------------------------------------------------
select has_table('private', 'arena_matchups', 'private.arena_matchups exists.');
select is(
  (select relrowsecurity from pg_catalog.pg_class where oid = 'private.arena_matchups'::regclass),
  true,
  'private.arena_matchups has row level security enabled.');
select is_empty(
  $$select r.rolname, p.privilege_type from (values ('anon'), ('authenticated'), ('service_role')) as r(rolname)
     cross join (values ('select'), ('insert'), ('update'), ('delete')) as p(privilege_type)
     where pg_catalog.has_table_privilege(r.rolname, 'private.arena_matchups', p.privilege_type)$$,
  'No API role holds any privilege on private.arena_matchups.');

-- Owner -------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('m-owner@lab.test'));
select lives_ok(
  $$with arena as (
      insert into public.arenas (id, name) values ('a0000000-0000-4000-8000-0000000000a1', 'Matchups') returning id
    ), arms as (
      insert into public.arena_arms (id, arena_id, label, model, parameters)
      select v.id, (select id from arena), v.label, 'gpt-4o', '{}'
        from (values ('a1000000-0000-4000-8000-0000000000a1'::uuid, 'a'),
                     ('a1000000-0000-4000-8000-0000000000a2'::uuid, 'b'),
                     ('a1000000-0000-4000-8000-0000000000a3'::uuid, 'c')) v(id, label)
      returning id
    )
    insert into public.arena_prompts (id, arena_id, prompt, position)
    select 'a2000000-0000-4000-8000-0000000000a1', (select id from arena), 'Describe rain.', 0
     where (select count(*) from arms) = 3$$,
  'The owner creates an arena of three arms and one prompt.');
select lives_ok(
  $$insert into public.arena_responses (arena_id, prompt_id, arm_id, text, seed)
    select 'a0000000-0000-4000-8000-0000000000a1', 'a2000000-0000-4000-8000-0000000000a1', a.id, a.label, 1
      from public.arena_arms a where a.arena_id = 'a0000000-0000-4000-8000-0000000000a1'$$,
  'The owner stores the three answers.');
select throws_ok($$select * from private.arena_matchups$$, '42501', 'permission denied for table arena_matchups',
  'The owner cannot read the matchups.');

-- Tester ------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('m-tester@lab.test'));
select is(
  (select count(*)::int from public.next_arena_pair('a0000000-0000-4000-8000-0000000000a1')), 1,
  'A tester is handed a pair.');
select throws_ok($$update private.arena_matchups set shown = 0$$, '42501', 'permission denied for table arena_matchups',
  'A tester cannot reset the counts.');

-- Stranger and anonymous ------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('m-stranger@lab.test'));
select throws_ok($$insert into private.arena_matchups (prompt_id, arm_low, arm_high, arena_id) values
  ('a2000000-0000-4000-8000-0000000000a1', 'a1000000-0000-4000-8000-0000000000a1',
   'a1000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-0000000000a1')$$,
  '42501', 'permission denied for table arena_matchups', 'A stranger cannot add a matchup.');
select tests.authenticate_as_anon();
select throws_ok($$select * from private.arena_matchups$$, '42501', 'permission denied for schema private',
  'Anonymous callers cannot read the matchups.');

-- What the lab wrote ------------------------------------------------------------------------
select tests.clear_authentication();
select results_eq(
  $$select count(*)::int, sum(shown)::int from private.arena_matchups
     where arena_id = 'a0000000-0000-4000-8000-0000000000a1'$$,
  $$values (3, 1)$$,
  'Three answers to one prompt make three matchups, and the hand-out counted once.');
select tests.authenticate_as(tests.get_user_id('m-other@lab.test'));
select is(
  (select count(*)::int from public.next_arena_pair('a0000000-0000-4000-8000-0000000000a1')), 1,
  'A second tester is handed a pair.');
select tests.clear_authentication();
select results_eq(
  $$select pg_catalog.array_agg(shown order by shown) from private.arena_matchups
     where arena_id = 'a0000000-0000-4000-8000-0000000000a1'$$,
  $$values (array[0, 1, 1])$$,
  'The second tester gets a matchup not shown yet: the least-shown goes first.');
select results_eq(
  $$select (select sum(shown)::int from private.arena_matchups where arena_id = 'a0000000-0000-4000-8000-0000000000a1'),
           (select count(*)::int from public.arena_pairs where arena_id = 'a0000000-0000-4000-8000-0000000000a1')$$,
  $$values (2, 2)$$,
  'The counts add up to the pairs handed out.');

select * from finish();
rollback;

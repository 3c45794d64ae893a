-- Arenas per actor: the owner builds an arena and reads everything in it; an
-- invited tester is handed blind pairs and votes once per pair, never
-- reading arms, responses or pairs; an uninvited user and anonymous callers
-- get nothing. Counters stay under the cap.

begin;
select plan(30);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('tester@lab.test')$$, 'The invited tester can be created.');
select lives_ok($$select tests.create_user('uninvited@lab.test')$$, 'An uninvited user can be created.');

-- Owner -------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select lives_ok(
  $$insert into public.arenas (id, name, visibility, max_votes_per_arm)
    values ('a0000000-0000-4000-8000-000000000001', 'Warm or cold', 'invited', 2)$$,
  'The owner can create an invite-only arena with a cap of two pairs per arm.');
select lives_ok(
  $$insert into public.arena_invites (arena_id, email) values ('a0000000-0000-4000-8000-000000000001', 'tester@lab.test')$$,
  'The owner can invite a tester.');
select lives_ok(
  $$insert into public.arena_arms (id, arena_id, label, model, parameters) values
      ('a1000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'cold', 'gpt-4o', '{"temperature": 0.2}'),
      ('a1000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000001', 'warm', 'gpt-4o', '{"temperature": 1.2}')$$,
  'The owner can add two arms.');
select throws_ok(
  $$insert into public.arena_arms (arena_id, label, model, parameters, votes)
    values ('a0000000-0000-4000-8000-000000000001', 'rigged', 'gpt-4o', '{}', 5)$$,
  '42501', 'new row violates row-level security policy for table "arena_arms"',
  'An arm starts with no votes.');
select lives_ok(
  $$insert into public.arena_prompts (id, arena_id, prompt, position) values
      ('a2000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'Describe rain.', 0),
      ('a2000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000001', 'Describe snow.', 1),
      ('a2000000-0000-4000-8000-000000000003', 'a0000000-0000-4000-8000-000000000001', 'Describe hail.', 2)$$,
  'The owner can add three prompts.');
select lives_ok(
  $$insert into public.arena_responses (arena_id, prompt_id, arm_id, text, seed)
    select 'a0000000-0000-4000-8000-000000000001', p.id, a.id, a.label || ' ' || p.prompt, 1
      from public.arena_prompts p cross join public.arena_arms a$$,
  'The owner stores every arm''s response to every prompt.');
select throws_ok(
  $$select * from public.next_arena_pair('a0000000-0000-4000-8000-000000000001')$$,
  'LB403', 'Owners cannot vote in their own arena', 'The owner cannot vote unless the arena allows it.');

-- Invited tester -------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('tester@lab.test'));
select results_eq($$select name from public.arenas$$, $$values ('Warm or cold')$$,
  'The invited tester sees the arena.');
select is_empty($$select id from public.arena_arms$$, 'The tester cannot read the arms.');
select is_empty($$select id from public.arena_responses$$, 'The tester cannot read the responses.');
select is_empty($$select id from public.arena_pairs$$, 'The tester cannot read the pairs (they name the arms).');
select is_empty($$select arena_id from public.arena_invites$$, 'The tester cannot read the invitations.');
select is(
  (select count(*)::int from public.next_arena_pair('a0000000-0000-4000-8000-000000000001')), 1,
  'The tester is handed a pair.');
select results_eq(
  $$select pair_id from public.next_arena_pair('a0000000-0000-4000-8000-000000000001')$$,
  $$select pair_id from public.next_arena_pair('a0000000-0000-4000-8000-000000000001')$$,
  'A pair not voted on yet comes back until it is voted on.');
select isnt(
  set_config('tests.pair', (select pair_id::text from public.next_arena_pair('a0000000-0000-4000-8000-000000000001')), true),
  null, 'The pair''s id is kept for the vote.');
select is(
  (select left_text <> right_text and left_text like any (array['cold %', 'warm %']) and right_text like any (array['cold %', 'warm %'])
     from public.next_arena_pair('a0000000-0000-4000-8000-000000000001')),
  true, 'The pair shows the two arms'' answers to one prompt, sides only.');
select throws_ok(
  $$select public.cast_arena_vote(current_setting('tests.pair')::uuid, 'first')$$,
  'LB400', 'Cannot accept vote: "verdict" must be left, right, tie or both_bad', 'A verdict must be one of four.');
select lives_ok(
  $$select public.cast_arena_vote(current_setting('tests.pair')::uuid, 'left', 'Vivid.')$$,
  'The tester votes on the pair.');
select throws_ok(
  $$select public.cast_arena_vote(current_setting('tests.pair')::uuid, 'right')$$,
  'LB409', 'Cannot vote: this pair has a vote already, and votes are final', 'A vote is final.');
select results_eq($$select verdict, reason from public.arena_votes$$, $$values ('left', 'Vivid.')$$,
  'The tester reads their own vote.');
select is(
  (select count(*)::int from public.next_arena_pair('a0000000-0000-4000-8000-000000000001')), 1,
  'The tester is handed a second pair.');
select is(
  (select count(*)::int from public.next_arena_pair('a0000000-0000-4000-8000-000000000001')), 1,
  'and keeps it while unvoted.');

-- Owner again: the counters stopped at the cap ----------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select results_eq($$select votes from public.arena_arms order by label$$, $$values (2), (2)$$,
  'Each arm was handed out twice, its cap.');
select is((select count(*)::int from public.arena_votes), 1, 'The owner reads the votes.');

-- Uninvited user -----------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('uninvited@lab.test'));
select is_empty($$select id from public.arenas$$, 'An uninvited user does not see an invite-only arena.');
select throws_ok(
  $$select * from public.next_arena_pair('a0000000-0000-4000-8000-000000000001')$$,
  'LB404', 'Arena not found', 'and cannot be handed pairs from it.');

-- Anonymous ---------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select * from public.next_arena_pair('a0000000-0000-4000-8000-000000000001')$$,
  '42501', 'permission denied for function next_arena_pair', 'Anonymous callers cannot be handed pairs.');

select * from finish();
rollback;

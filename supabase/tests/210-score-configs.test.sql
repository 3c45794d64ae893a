-- score_configs: built-in configs are readable by everyone signed in; users
-- create, read and archive their own; a definition never changes; strangers
-- and anonymous callers see nothing of anyone else's.

begin;
select plan(17);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');

-- Owner -------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));

select results_eq(
  $$select name from public.score_configs where user_id is null order by name$$,
  $$values ('coherence'), ('completeness'), ('creativity'), ('quality'), ('realism'), ('structure')$$,
  'A user sees the six built-in configs.');
select results_eq(
  $$select min_value, max_value, step from public.score_configs where name = 'realism' and user_id is null$$,
  $$values (1::numeric, 7::numeric, 1::numeric)$$,
  'realism is a Likert scale from 1 to 7 in steps of 1.');
select lives_ok(
  $$insert into public.score_configs (id, name, data_type, categories)
    values ('5c000000-0000-4000-8000-000000000001', 'tone', 'categorical', array['dry', 'neutral', 'warm'])$$,
  'The owner can create a categorical config without naming a user.');
select is(
  (select user_id from public.score_configs where id = '5c000000-0000-4000-8000-000000000001'),
  tests.get_user_id('owner@lab.test'),
  'A new config belongs to its creator.');
select throws_ok(
  $$insert into public.score_configs (name, data_type, min_value, max_value) values ('bad', 'numeric', 5, 1)$$,
  '23514', 'new row for relation "score_configs" violates check constraint "score_configs_numeric_check"',
  'A numeric config needs min below max.');
select throws_ok(
  $$update public.score_configs set categories = array['a', 'b'] where id = '5c000000-0000-4000-8000-000000000001'$$,
  '42501', 'permission denied for table score_configs',
  'A config''s definition cannot be changed.');
select results_eq(
  $$update public.score_configs set archived = true where id = '5c000000-0000-4000-8000-000000000001' returning archived$$,
  $$values (true)$$,
  'The owner can archive their config.');
select throws_ok(
  $$update public.score_configs set archived = false where id = '5c000000-0000-4000-8000-000000000001'$$,
  '23514', 'Cannot unarchive score config 5c000000-0000-4000-8000-000000000001: create a new one instead',
  'An archived config stays archived.');
select is_empty(
  $$update public.score_configs set archived = true where user_id is null returning id$$,
  'Nobody can archive a built-in config.');
select throws_ok(
  $$insert into public.score_configs (name, data_type, user_id) values ('flag', 'boolean', null)$$,
  '42501', 'new row violates row-level security policy for table "score_configs"',
  'A user cannot create a built-in config.');

-- Stranger ----------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@lab.test'));
select is_empty(
  $$select id from public.score_configs where id = '5c000000-0000-4000-8000-000000000001'$$,
  'A stranger cannot see another user''s config.');
select is_empty(
  $$update public.score_configs set archived = true where id = '5c000000-0000-4000-8000-000000000001' returning id$$,
  'A stranger cannot archive another user''s config.');
select throws_ok(
  $$insert into public.score_configs (name, data_type, user_id) values ('flag', 'boolean', tests.get_user_id('owner@lab.test'))$$,
  '42501', 'new row violates row-level security policy for table "score_configs"',
  'A stranger cannot create a config in another user''s name.');

-- Anonymous ---------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select id from public.score_configs$$, '42501', 'permission denied for table score_configs',
  'Anonymous callers cannot read configs.');
select throws_ok($$insert into public.score_configs (name, data_type) values ('x', 'boolean')$$,
  '42501', 'permission denied for table score_configs', 'Anonymous callers cannot create configs.');

select * from finish();
rollback;

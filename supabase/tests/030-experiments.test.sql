-- experiments: owners create, read and delete their own and may only flip
-- saved/discarded; an experiment can only use a calibration of its own user;
-- strangers and anonymous callers see and change nothing.

begin;
select plan(38);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');
select lives_ok($$select tests.create_calibration(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000001')$$,
  'The owner has a calibration.');
select lives_ok($$select tests.create_calibration(tests.get_user_id('stranger@lab.test'), 'c0000000-0000-4000-8000-000000000002')$$,
  'The stranger has a calibration.');

-- Owner -------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select tests.set_correlation_id('0e000000-0000-4000-8000-000000000001');

select lives_ok(
  $$insert into public.experiments (id, calibration_id, prompt, model, parameters, responses, status, latency_ms)
    values ('e0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001', 'Describe the sea.',
            'test-model', '{"seed": 1}', tests.make_responses('[[0.8, 0.6, 0.7, 0.9], null]'), 'partial', 1200)$$,
  'The owner can store an experiment on their own calibration without naming a user.');
select results_eq(
  $$select user_id, correlation_id, saved, discarded from public.experiments where id = 'e0000000-0000-4000-8000-000000000001'$$,
  $$values (tests.get_user_id('owner@lab.test'), '0e000000-0000-4000-8000-000000000001'::uuid, false, false)$$,
  'A new experiment belongs to the caller, carries the correlation id and is neither saved nor discarded.');
select throws_ok(
  $$select tests.create_experiment(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000002',
      tests.make_responses('[[0.5, 0.5, 0.5, 0.5]]'))$$,
  '23503', 'insert or update on table "experiments" violates foreign key constraint "experiments_calibration_fkey"',
  'The owner cannot store an experiment on another user''s calibration.');
select throws_ok(
  $$select tests.create_experiment(tests.get_user_id('stranger@lab.test'), 'c0000000-0000-4000-8000-000000000002',
      tests.make_responses('[[0.5, 0.5, 0.5, 0.5]]'))$$,
  '42501', 'new row violates row-level security policy for table "experiments"',
  'The owner cannot store an experiment in another user''s name.');
select results_eq(
  $$update public.experiments set saved = true where id = 'e0000000-0000-4000-8000-000000000001' returning saved$$,
  $$values (true)$$,
  'The owner can save their experiment.');
select results_eq(
  $$update public.experiments set discarded = true where id = 'e0000000-0000-4000-8000-000000000001' returning discarded$$,
  $$values (true)$$,
  'The owner can discard their experiment.');
select throws_ok(
  $$update public.experiments set prompt = 'Rewritten' where id = 'e0000000-0000-4000-8000-000000000001'$$,
  '42501', 'permission denied for table experiments', 'The owner cannot rewrite an experiment''s prompt.');
select throws_ok(
  $$update public.experiments set responses = '[]' where id = 'e0000000-0000-4000-8000-000000000001'$$,
  '42501', 'permission denied for table experiments', 'The owner cannot rewrite an experiment''s responses.');
select throws_ok(
  $$update public.experiments set parameters = '{}' where id = 'e0000000-0000-4000-8000-000000000001'$$,
  '42501', 'permission denied for table experiments', 'The owner cannot rewrite an experiment''s parameters.');
select throws_ok(
  $$update public.experiments set user_id = tests.get_user_id('stranger@lab.test') where id = 'e0000000-0000-4000-8000-000000000001'$$,
  '42501', 'permission denied for table experiments', 'The owner cannot hand an experiment to another user.');
select throws_ok(
  $$update public.experiments set status = 'completed', latency_ms = 1 where id = 'e0000000-0000-4000-8000-000000000001'$$,
  '42501', 'permission denied for table experiments', 'The owner cannot change an experiment''s status or latency.');
select lives_ok(
  $$select tests.create_experiment(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000001',
      tests.make_responses('[[0.5, 0.5, 0.5, 0.5]]'), 900, 'e0000000-0000-4000-8000-000000000002')$$,
  'The owner can store a second experiment.');
select results_eq(
  $$delete from public.experiments where id = 'e0000000-0000-4000-8000-000000000002' returning id$$,
  $$values ('e0000000-0000-4000-8000-000000000002'::uuid)$$,
  'The owner can delete their experiment.');

-- Stranger ----------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@lab.test'));

select is_empty($$select * from public.experiments$$, 'A stranger sees none of the owner''s experiments.');
select throws_ok(
  $$select tests.create_experiment(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000001',
      tests.make_responses('[[0.5, 0.5, 0.5, 0.5]]'))$$,
  '42501', 'new row violates row-level security policy for table "experiments"',
  'A stranger cannot store an experiment in the owner''s name.');
select throws_ok(
  $$select tests.create_experiment(tests.get_user_id('stranger@lab.test'), 'c0000000-0000-4000-8000-000000000001',
      tests.make_responses('[[0.5, 0.5, 0.5, 0.5]]'))$$,
  '23503', 'insert or update on table "experiments" violates foreign key constraint "experiments_calibration_fkey"',
  'A stranger cannot store an experiment of their own on the owner''s calibration.');
select is_empty(
  $$update public.experiments set saved = false, discarded = false where id = 'e0000000-0000-4000-8000-000000000001' returning id$$,
  'A stranger''s update of the owner''s experiment affects no row.');
select is_empty(
  $$delete from public.experiments where id = 'e0000000-0000-4000-8000-000000000001' returning id$$,
  'A stranger''s delete of the owner''s experiment affects no row.');

select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select results_eq(
  $$select saved, discarded, prompt from public.experiments where id = 'e0000000-0000-4000-8000-000000000001'$$,
  $$values (true, true, 'Describe the sea.')$$,
  'The owner''s experiment is still there, unchanged, after the stranger''s attempts.');

-- Anonymous ----------------------------------------------------------------------------------
select tests.authenticate_as_anon();

select throws_ok($$select * from public.experiments$$, '42501', 'permission denied for table experiments',
  'Anonymous callers cannot read experiments.');
select throws_ok(
  $$select tests.create_experiment(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000001',
      tests.make_responses('[[0.5, 0.5, 0.5, 0.5]]'))$$,
  '42501', 'permission denied for table experiments', 'Anonymous callers cannot store experiments.');
select throws_ok($$update public.experiments set saved = true$$, '42501', 'permission denied for table experiments',
  'Anonymous callers cannot update experiments.');
select throws_ok($$delete from public.experiments$$, '42501', 'permission denied for table experiments',
  'Anonymous callers cannot delete experiments.');

-- service_role ---------------------------------------------------------------------------------
select tests.authenticate_as_service_role();

select results_eq($$select count(*)::int from public.experiments$$, array[1], 'service_role reads every user''s experiments.');
select lives_ok(
  $$select tests.create_experiment(tests.get_user_id('stranger@lab.test'), 'c0000000-0000-4000-8000-000000000002',
      tests.make_responses('[[0.5, 0.5, 0.5, 0.5]]'), 700, 'e0000000-0000-4000-8000-000000000003')$$,
  'service_role can store an experiment for any user on that user''s calibration.');
select throws_ok(
  $$select tests.create_experiment(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000002',
      tests.make_responses('[[0.5, 0.5, 0.5, 0.5]]'))$$,
  '23503', 'insert or update on table "experiments" violates foreign key constraint "experiments_calibration_fkey"',
  'Not even service_role can store an experiment on another user''s calibration.');
select results_eq(
  $$update public.experiments set saved = true where id = 'e0000000-0000-4000-8000-000000000003' returning saved$$,
  $$values (true)$$,
  'service_role can save any experiment.');
select throws_ok(
  $$update public.experiments set prompt = 'Rewritten' where id = 'e0000000-0000-4000-8000-000000000003'$$,
  '42501', 'permission denied for table experiments', 'Not even service_role can rewrite an experiment''s prompt.');
select results_eq(
  $$delete from public.experiments where id = 'e0000000-0000-4000-8000-000000000003' returning id$$,
  $$values ('e0000000-0000-4000-8000-000000000003'::uuid)$$,
  'service_role can delete any experiment.');

-- updated_at ----------------------------------------------------------------------------------
select tests.clear_authentication();
select lives_ok(
  $$insert into public.experiments (id, user_id, calibration_id, prompt, model, parameters, responses, status, latency_ms,
      created_at, updated_at)
    values ('e0000000-0000-4000-8000-000000000004', tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000001',
            'Old prompt', 'test-model', '{}', tests.make_responses('[null]'), 'failed', 5, '2000-01-01', '2000-01-01')$$,
  'An experiment last changed in 2000 can be stored by the table owner.');
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select lives_ok($$update public.experiments set saved = true where id = 'e0000000-0000-4000-8000-000000000004'$$,
  'The owner saves the old experiment.');
select is((select updated_at from public.experiments where id = 'e0000000-0000-4000-8000-000000000004'), now(),
  'Saving an experiment moves updated_at to now().');
select is((select created_at from public.experiments where id = 'e0000000-0000-4000-8000-000000000004'), '2000-01-01'::timestamptz,
  'Saving an experiment leaves created_at alone.');
select results_eq(
  $$select e.id from public.experiments e where e.saved order by e.created_at$$,
  $$values ('e0000000-0000-4000-8000-000000000004'::uuid), ('e0000000-0000-4000-8000-000000000001'::uuid)$$,
  'The owner lists exactly their own saved experiments.');

select * from finish();
rollback;

-- calibrations: owners create, read and delete their own; nobody updates a
-- calibration; strangers and anonymous callers see and change nothing.

begin;
select plan(33);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');

-- Owner ---------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select tests.set_correlation_id('0c000000-0000-4000-8000-000000000001');

select lives_ok(
  $$insert into public.calibrations (id, mode, questionnaire_version, answers,
      temperature_min, temperature_max, top_p_min, top_p_max, max_tokens_min, max_tokens_max,
      frequency_penalty_min, frequency_penalty_max, insights)
    values ('c0000000-0000-4000-8000-000000000001', 'deep', 'v2', '{"q1": "b"}',
      0.3, 1.1, 0.6, 0.9, 200, 800, -0.5, 0.5, '["You like surprises."]')$$,
  'The owner can create a calibration without naming a user.');
select results_eq(
  $$select user_id, correlation_id from public.calibrations where id = 'c0000000-0000-4000-8000-000000000001'$$,
  $$values (tests.get_user_id('owner@lab.test'), '0c000000-0000-4000-8000-000000000001'::uuid)$$,
  'A new calibration belongs to the caller and carries the request correlation id.');
select lives_ok($$select tests.create_calibration(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000002')$$,
  'The owner can create a calibration naming themselves.');
select results_eq($$select count(*)::int from public.calibrations$$, array[2], 'The owner sees both of their calibrations.');
select throws_ok(
  $$update public.calibrations set temperature_max = 2 where id = 'c0000000-0000-4000-8000-000000000001'$$,
  '42501', 'permission denied for table calibrations',
  'The owner cannot update a calibration: calibrations are immutable.');
select throws_ok(
  $$insert into public.calibrations (user_id, mode, questionnaire_version, answers, temperature_min, temperature_max,
      top_p_min, top_p_max, max_tokens_min, max_tokens_max, frequency_penalty_min, frequency_penalty_max)
    values (tests.get_user_id('stranger@lab.test'), 'quick', 'v1', '{}', 0, 1, 0, 1, 1, 2, 0, 0)$$,
  '42501', 'new row violates row-level security policy for table "calibrations"',
  'The owner cannot create a calibration for another user.');
select results_eq(
  $$delete from public.calibrations where id = 'c0000000-0000-4000-8000-000000000002' returning id$$,
  $$values ('c0000000-0000-4000-8000-000000000002'::uuid)$$,
  'The owner can delete their own calibration.');

-- Stranger --------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@lab.test'));

select is_empty($$select * from public.calibrations$$, 'A stranger sees none of the owner''s calibrations.');
select throws_ok(
  $$select tests.create_calibration(tests.get_user_id('owner@lab.test'))$$,
  '42501', 'new row violates row-level security policy for table "calibrations"',
  'A stranger cannot create a calibration in the owner''s name.');
select throws_ok(
  $$update public.calibrations set temperature_max = 2 where id = 'c0000000-0000-4000-8000-000000000001'$$,
  '42501', 'permission denied for table calibrations',
  'A stranger cannot update the owner''s calibration.');
select is_empty(
  $$delete from public.calibrations where id = 'c0000000-0000-4000-8000-000000000001' returning id$$,
  'A stranger''s delete of the owner''s calibration affects no row.');
select lives_ok($$select tests.create_calibration(tests.get_user_id('stranger@lab.test'), 'c0000000-0000-4000-8000-000000000003')$$,
  'A stranger can create a calibration of their own.');

select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select results_eq(
  $$select temperature_max from public.calibrations where id = 'c0000000-0000-4000-8000-000000000001'$$,
  $$values (1.10::numeric(4,2))$$,
  'The owner''s calibration is still there, unchanged, after the stranger''s attempts.');
select is_empty($$select * from public.calibrations where id = 'c0000000-0000-4000-8000-000000000003'$$,
  'The owner does not see the stranger''s calibration either.');

-- Anonymous --------------------------------------------------------------------------
select tests.authenticate_as_anon();

select throws_ok($$select * from public.calibrations$$, '42501', 'permission denied for table calibrations',
  'Anonymous callers cannot read calibrations.');
select throws_ok($$select tests.create_calibration(tests.get_user_id('owner@lab.test'))$$,
  '42501', 'permission denied for table calibrations', 'Anonymous callers cannot create calibrations.');
select throws_ok($$update public.calibrations set mode = 'quick'$$, '42501', 'permission denied for table calibrations',
  'Anonymous callers cannot update calibrations.');
select throws_ok($$delete from public.calibrations$$, '42501', 'permission denied for table calibrations',
  'Anonymous callers cannot delete calibrations.');

-- service_role -------------------------------------------------------------------------
select tests.authenticate_as_service_role();

select results_eq($$select count(*)::int from public.calibrations$$, array[2],
  'service_role reads every user''s calibrations.');
select lives_ok($$select tests.create_calibration(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000004')$$,
  'service_role can create a calibration for any user.');
select throws_ok(
  $$update public.calibrations set mode = 'quick' where id = 'c0000000-0000-4000-8000-000000000001'$$,
  '42501', 'permission denied for table calibrations', 'Not even service_role can update a calibration.');
select results_eq(
  $$delete from public.calibrations where id = 'c0000000-0000-4000-8000-000000000004' returning id$$,
  $$values ('c0000000-0000-4000-8000-000000000004'::uuid)$$,
  'service_role can delete any calibration.');

-- Relations ------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select lives_ok(
  $$select tests.create_experiment(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000001',
      tests.make_responses('[[0.5, 0.5, 0.5, 0.5]]'))$$,
  'The owner can run an experiment on their calibration.');
select throws_ok(
  $$delete from public.calibrations where id = 'c0000000-0000-4000-8000-000000000001'$$,
  '23503', 'update or delete on table "calibrations" violates foreign key constraint "experiments_calibration_fkey" on table "experiments"',
  'A calibration that experiments still use cannot be deleted.');

select tests.clear_authentication();
select lives_ok($$delete from auth.users where id = tests.get_user_id('owner@lab.test')$$,
  'Deleting a user with calibrations, experiments and analytics succeeds.');
select is_empty($$select * from public.calibrations where id = 'c0000000-0000-4000-8000-000000000001'$$,
  'Deleting a user deletes their calibrations.');
select is_empty($$select * from public.analytics_summaries where calibration_id = 'c0000000-0000-4000-8000-000000000001'$$,
  'Deleting a user deletes their analytics summaries.');
select isnt_empty($$select * from public.calibrations where id = 'c0000000-0000-4000-8000-000000000003'$$,
  'Deleting one user leaves other users'' calibrations alone.');

-- updated_at ------------------------------------------------------------------------------
select lives_ok(
  $$update public.calibrations set updated_at = '2000-01-01', created_at = '2000-01-01'
     where id = 'c0000000-0000-4000-8000-000000000003'$$,
  'The table owner can touch a calibration (maintenance only).');
select is((select updated_at from public.calibrations where id = 'c0000000-0000-4000-8000-000000000003'), now(),
  'The updated_at trigger overrides an explicit updated_at with now().');
select is((select created_at from public.calibrations where id = 'c0000000-0000-4000-8000-000000000003'), '2000-01-01'::timestamptz,
  'The updated_at trigger leaves created_at alone.');

select * from finish();
rollback;

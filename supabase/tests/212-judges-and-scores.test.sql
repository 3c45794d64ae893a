-- Judges, their verdicts, and every score read the same way: owners create
-- judges and immutable versions, store verdicts and judge ratings on their
-- own responses; response_scores shows heuristic, human and judge scores as
-- one shape; rating_bins summarises them across a calibration's range.
-- Strangers and anonymous callers see and store nothing.

begin;
select plan(24);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');

-- Owner -------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select lives_ok($$select tests.create_calibration(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000212')$$,
  'The owner has a calibration (temperature 0.2 to 1.2).');
select lives_ok(
  $$select tests.create_experiment(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000212',
      tests.make_responses('[[0.8, 0.6, 0.7, 0.9], [0.4, 0.5, 0.5, 0.5]]'), id => 'e0000000-0000-4000-8000-000000000212')$$,
  'The owner has an experiment with two scored responses.');
select lives_ok(
  $$insert into public.judges (id, name) values ('1d000000-0000-4000-8000-000000000001', 'Strict realism')$$,
  'The owner can create a judge.');
select lives_ok(
  $$insert into public.judge_versions (id, judge_id, version, rubric, config_id, model, parameters)
    values ('1d000000-0000-4000-8000-000000000011', '1d000000-0000-4000-8000-000000000001', 1,
            'Rate how realistic the response is.', '00000000-0000-4000-8000-00000000c001', 'gpt-4o',
            '{"temperature": 0, "seed": 1}')$$,
  'The owner can create a version of their judge.');
select throws_ok(
  $$update public.judge_versions set rubric = 'Be lenient.'$$,
  '42501', 'permission denied for table judge_versions', 'A judge version never changes.');
select throws_ok(
  $$insert into public.judge_versions (judge_id, version, rubric, config_id, model, parameters)
    values ('1d000000-0000-4000-8000-000000000001', 1, 'Again.', '00000000-0000-4000-8000-00000000c001', 'gpt-4o', '{}')$$,
  '23505', 'duplicate key value violates unique constraint "judge_versions_judge_id_version_key"',
  'A version number is used once per judge.');
select lives_ok(
  $$insert into public.judge_verdicts (judge_version_id, experiment_id, response_index, status, value, reasoning)
    values ('1d000000-0000-4000-8000-000000000011', 'e0000000-0000-4000-8000-000000000212', 0, 'scored', 6, 'Grounded.')$$,
  'The owner can store a scored verdict.');
select lives_ok(
  $$insert into public.judge_verdicts (judge_version_id, experiment_id, response_index, status, raw_reply, error)
    values ('1d000000-0000-4000-8000-000000000011', 'e0000000-0000-4000-8000-000000000212', 1, 'unparsable',
            'six-ish', 'The reply is not JSON')$$,
  'The owner can store an unparsable verdict with its raw reply.');
select throws_ok(
  $$insert into public.judge_verdicts (judge_version_id, experiment_id, response_index, status, value)
    values ('1d000000-0000-4000-8000-000000000011', 'e0000000-0000-4000-8000-000000000212', 1, 'unparsable', 3)$$,
  '23514', 'new row for relation "judge_verdicts" violates check constraint "judge_verdicts_scored_check"',
  'An unparsable verdict never carries a score.');
select lives_ok(
  $$insert into public.ratings (experiment_id, response_index, config_id, source, rater_id, judge_version_id, value)
    values ('e0000000-0000-4000-8000-000000000212', 0, '00000000-0000-4000-8000-00000000c001', 'judge', null,
            '1d000000-0000-4000-8000-000000000011', 6)$$,
  'The owner can store the judge''s rating.');
select throws_ok(
  $$insert into public.ratings (experiment_id, response_index, config_id, source, rater_id, judge_version_id, value)
    values ('e0000000-0000-4000-8000-000000000212', 0, '00000000-0000-4000-8000-00000000c002', 'judge', null,
            '1d000000-0000-4000-8000-000000000011', 6)$$,
  'LB400', 'Cannot accept rating: the judge version does not rate this config',
  'A judge''s rating must be of the config the judge version scores.');
select lives_ok(
  $$insert into public.ratings (experiment_id, response_index, config_id, source, value)
    values ('e0000000-0000-4000-8000-000000000212', 0, '00000000-0000-4000-8000-00000000c001', 'human', 5),
           ('e0000000-0000-4000-8000-000000000212', 1, '00000000-0000-4000-8000-00000000c001', 'human', 3)$$,
  'The owner rates both responses.');
select results_eq(
  $$select source, count(*)::int from public.response_scores
     where experiment_id = 'e0000000-0000-4000-8000-000000000212' group by source order by source$$,
  $$values ('heuristic', 8), ('human', 2), ('judge', 1)$$,
  'response_scores reads heuristic, human and judge scores as one shape.');
select is(
  (select value from public.response_scores
    where experiment_id = 'e0000000-0000-4000-8000-000000000212' and response_index = 0
      and config_id = '00000000-0000-4000-8000-00000000c101'),
  0.8, 'A heuristic score reads as a rating of its built-in config.');
select results_eq(
  $$select bin, source, mean, count::int from public.rating_bins('c0000000-0000-4000-8000-000000000212')
     where config_id = '00000000-0000-4000-8000-00000000c001' order by source$$,
  $$values (3, 'human', 4::numeric, 2), (3, 'judge', 6::numeric, 1)$$,
  'rating_bins puts both responses (temperature 0.7) in the middle of five bins, human and judge apart.');
select results_eq(
  $$select bin_from, bin_to from public.rating_bins('c0000000-0000-4000-8000-000000000212') limit 1$$,
  $$values (0.6::numeric, 0.8::numeric)$$,
  'The middle bin of 0.2 to 1.2 runs from 0.6 to 0.8.');
select throws_ok(
  $$select * from public.rating_bins('c0000000-0000-4000-8000-000000000212', 'seed')$$,
  'LB400', 'Cannot bin scores: "parameter" must be temperature, top_p, max_tokens or frequency_penalty',
  'Only sampling parameters can be binned.');

-- Stranger ----------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@lab.test'));
select is_empty($$select id from public.judges union all select id from public.judge_versions$$,
  'A stranger sees no judges or versions.');
select is_empty($$select id from public.judge_verdicts$$, 'A stranger sees no verdicts.');
select is_empty($$select experiment_id from public.response_scores$$, 'A stranger sees no scores.');
select throws_ok(
  $$select * from public.rating_bins('c0000000-0000-4000-8000-000000000212')$$,
  'LB404', 'Calibration not found', 'A stranger cannot summarise another user''s calibration.');

-- Anonymous ---------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select id from public.judge_verdicts$$, '42501', 'permission denied for table judge_verdicts',
  'Anonymous callers cannot read verdicts.');

select * from finish();
rollback;

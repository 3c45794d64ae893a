-- analytics_summaries: maintained by triggers on experiments with exact
-- numbers. Only scored (succeeded) responses count; an experiment without one
-- does not count; discards, undiscards and deletes move the numbers; each
-- change writes an analytics_updated audit event with the request's
-- correlation id. Users may only read their own summaries.

begin;
select plan(58);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');
select lives_ok($$select tests.create_calibration(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000001')$$,
  'The owner has a first calibration.');
select lives_ok($$select tests.create_calibration(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000002')$$,
  'The owner has a second calibration.');
select lives_ok($$select tests.create_calibration(tests.get_user_id('stranger@lab.test'), 'c0000000-0000-4000-8000-000000000003')$$,
  'The stranger has a calibration.');
select lives_ok(
  $$insert into public.analytics_summaries (user_id, calibration_id, created_at, updated_at)
    values (tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000002', '2000-01-01', '2000-01-01')$$,
  'An empty summary last changed in 2000 exists for the second calibration.');

-- Adding experiments --------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select tests.set_correlation_id('a0000000-0000-4000-8000-00000000000a');

select lives_ok(
  $$select tests.create_experiment(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000001',
      tests.make_responses('[[0.8, 0.6, 0.7, 0.9], [0.4, 0.2, 0.5, 0.3]]'), 1000, 'e0000000-0000-4000-8000-000000000001')$$,
  'The owner stores an experiment with two scored responses and latency 1000.');
select lives_ok(
  $$select tests.create_experiment(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000001',
      tests.make_responses('[[0.6, 0.7, 0.9, 0.6], null]'), 2000, 'e0000000-0000-4000-8000-000000000002')$$,
  'The owner stores an experiment with one scored and one failed response and latency 2000.');
select lives_ok(
  $$select tests.create_experiment(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000001',
      tests.make_responses('[null, null]'), 3000, 'e0000000-0000-4000-8000-000000000003')$$,
  'The owner stores an experiment whose responses all failed.');
select lives_ok(
  $$select tests.create_experiment(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000001',
      tests.make_responses('[[1, 1, 1, 1]]'), 500, 'e0000000-0000-4000-8000-000000000004', true)$$,
  'The owner stores an experiment that is discarded from the start.');

select results_eq(
  $$select experiment_count, response_count, sum_latency_ms::int from public.analytics_summaries
     where calibration_id = 'c0000000-0000-4000-8000-000000000001'$$,
  $$values (2, 3, 3000)$$,
  'Counters hold two experiments, three scored responses and 3000 ms: failed responses, all-failed and discarded experiments are left out.');
select is(
  (select metrics_summary from public.analytics_summaries where calibration_id = 'c0000000-0000-4000-8000-000000000001'),
  '{"count": 2, "responseCount": 3, "avgCreativity": 0.6, "avgCoherence": 0.5, "avgStructure": 0.7,
    "avgCompleteness": 0.6, "avgLatency": 1500}'::jsonb,
  'metrics_summary averages the three scored responses and the two counted experiments exactly.');
select results_eq(
  $$select user_id, source, event_data ->> 'change', event_data ->> 'calibrationId'
      from public.audit_logs
     where event_type = 'analytics_updated' and correlation_id = 'a0000000-0000-4000-8000-00000000000a'
     order by event_data ->> 'experimentId'$$,
  $$values (tests.get_user_id('owner@lab.test'), 'database', 'added', 'c0000000-0000-4000-8000-000000000001'),
           (tests.get_user_id('owner@lab.test'), 'database', 'added', 'c0000000-0000-4000-8000-000000000001')$$,
  'Each counted experiment wrote one analytics_updated database event with the request correlation id; the others wrote none.');
select is(
  (select event_data -> 'metricsSummary' from public.audit_logs
    where event_type = 'analytics_updated' and event_data ->> 'experimentId' = 'e0000000-0000-4000-8000-000000000002'),
  (select metrics_summary from public.analytics_summaries where calibration_id = 'c0000000-0000-4000-8000-000000000001'),
  'The audit event carries the summary as it stood after the change.');

-- Discard, undiscard, save ----------------------------------------------------------------
select tests.set_correlation_id('b0000000-0000-4000-8000-00000000000b');
select lives_ok($$update public.experiments set discarded = true where id = 'e0000000-0000-4000-8000-000000000001'$$,
  'The owner discards the first experiment.');
select is(
  (select metrics_summary from public.analytics_summaries where calibration_id = 'c0000000-0000-4000-8000-000000000001'),
  '{"count": 1, "responseCount": 1, "avgCreativity": 0.6, "avgCoherence": 0.7, "avgStructure": 0.9,
    "avgCompleteness": 0.6, "avgLatency": 2000}'::jsonb,
  'Discarding removes the experiment''s responses and latency from the summary.');
select results_eq(
  $$select source, event_data ->> 'change', event_data ->> 'experimentId' from public.audit_logs
     where event_type = 'analytics_updated' and correlation_id = 'b0000000-0000-4000-8000-00000000000b'$$,
  $$values ('database', 'removed', 'e0000000-0000-4000-8000-000000000001')$$,
  'The discard wrote a removed event with the new correlation id.');

select tests.set_correlation_id('c0000000-0000-4000-8000-00000000000c');
select lives_ok($$update public.experiments set discarded = false where id = 'e0000000-0000-4000-8000-000000000001'$$,
  'The owner takes the discard back.');
select is(
  (select metrics_summary from public.analytics_summaries where calibration_id = 'c0000000-0000-4000-8000-000000000001'),
  '{"count": 2, "responseCount": 3, "avgCreativity": 0.6, "avgCoherence": 0.5, "avgStructure": 0.7,
    "avgCompleteness": 0.6, "avgLatency": 1500}'::jsonb,
  'Undiscarding restores the previous numbers exactly.');
select results_eq(
  $$select event_data ->> 'change', event_data ->> 'experimentId' from public.audit_logs
     where event_type = 'analytics_updated' and correlation_id = 'c0000000-0000-4000-8000-00000000000c'$$,
  $$values ('added', 'e0000000-0000-4000-8000-000000000001')$$,
  'The undiscard wrote an added event with its correlation id.');

-- Through the Data API the id arrives as the x-correlation-id request header.
select tests.set_correlation_id(null);
select set_config('request.headers', '{"x-correlation-id": "d1000000-0000-4000-8000-0000000000d1"}', true);
select lives_ok($$update public.experiments set discarded = true where id = 'e0000000-0000-4000-8000-000000000001'$$,
  'The owner discards through the Data API, which carries only the header.');
select lives_ok($$update public.experiments set discarded = false where id = 'e0000000-0000-4000-8000-000000000001'$$,
  'The owner takes that discard back the same way.');
select results_eq(
  $$select event_data ->> 'change' from public.audit_logs
     where event_type = 'analytics_updated' and correlation_id = 'd1000000-0000-4000-8000-0000000000d1'
     order by created_at, event_data ->> 'change' desc$$,
  $$values ('removed'), ('added')$$,
  'Without app.correlation_id, trigger events carry the x-correlation-id request header.');
select tests.set_correlation_id('a1000000-0000-4000-8000-0000000000a1');
select lives_ok($$update public.experiments set discarded = true where id = 'e0000000-0000-4000-8000-000000000001'$$,
  'The owner discards again with both ids set.');
select lives_ok($$update public.experiments set discarded = false where id = 'e0000000-0000-4000-8000-000000000001'$$,
  'And takes it back.');
select results_eq(
  $$select count(*)::int from public.audit_logs
     where event_type = 'analytics_updated' and correlation_id = 'a1000000-0000-4000-8000-0000000000a1'$$,
  $$values (2)$$,
  'app.correlation_id, set by the functions, wins over the request header.');
select set_config('request.headers', '', true);

select lives_ok($$update public.experiments set discarded = false where id = 'e0000000-0000-4000-8000-000000000004'$$,
  'The owner takes back the discard of the experiment that was discarded from the start.');
select is(
  (select metrics_summary from public.analytics_summaries where calibration_id = 'c0000000-0000-4000-8000-000000000001'),
  '{"count": 3, "responseCount": 4, "avgCreativity": 0.7, "avgCoherence": 0.625, "avgStructure": 0.775,
    "avgCompleteness": 0.7, "avgLatency": 1166.7}'::jsonb,
  'Undiscarding an experiment stored as discarded adds it, with averages rounded (latency to one decimal).');

select tests.set_correlation_id('d0000000-0000-4000-8000-00000000000d');
select lives_ok(
  $$update public.experiments set saved = true where id in ('e0000000-0000-4000-8000-000000000001', 'e0000000-0000-4000-8000-000000000002')$$,
  'The owner saves two experiments.');
select is_empty(
  $$select * from public.audit_logs where correlation_id = 'd0000000-0000-4000-8000-00000000000d'$$,
  'Saving does not touch analytics and writes no analytics event.');
select lives_ok($$update public.experiments set discarded = false where id = 'e0000000-0000-4000-8000-000000000002'$$,
  'Un-discarding an experiment that is not discarded is harmless.');
select results_eq(
  $$select experiment_count, response_count from public.analytics_summaries where calibration_id = 'c0000000-0000-4000-8000-000000000001'$$,
  $$values (3, 4)$$,
  'Setting discarded to its current value changes no counter.');

-- Deleting experiments -----------------------------------------------------------------------
select tests.set_correlation_id('e0000000-0000-4000-8000-00000000000e');
select lives_ok($$delete from public.experiments where id in ('e0000000-0000-4000-8000-000000000004', 'e0000000-0000-4000-8000-000000000002')$$,
  'The owner deletes two counted experiments.');
select is(
  (select metrics_summary from public.analytics_summaries where calibration_id = 'c0000000-0000-4000-8000-000000000001'),
  '{"count": 1, "responseCount": 2, "avgCreativity": 0.6, "avgCoherence": 0.4, "avgStructure": 0.6,
    "avgCompleteness": 0.6, "avgLatency": 1000}'::jsonb,
  'Deleting removes the experiments'' contributions exactly.');
select results_eq(
  $$select count(*)::int from public.audit_logs
     where event_type = 'analytics_updated' and correlation_id = 'e0000000-0000-4000-8000-00000000000e'
       and event_data ->> 'change' = 'removed'$$,
  array[2],
  'Each delete wrote a removed event with the request correlation id.');
select lives_ok($$delete from public.experiments where id = 'e0000000-0000-4000-8000-000000000003'$$,
  'The owner deletes the experiment that never counted.');
select lives_ok($$delete from public.experiments where id = 'e0000000-0000-4000-8000-000000000001'$$,
  'The owner deletes the last counted experiment.');
select results_eq(
  $$select experiment_count, response_count, sum_latency_ms::int, metrics_summary from public.analytics_summaries
     where calibration_id = 'c0000000-0000-4000-8000-000000000001'$$,
  $$values (0, 0, 0, '{"count": 0, "responseCount": 0, "avgCreativity": null, "avgCoherence": null,
                       "avgStructure": null, "avgCompleteness": null, "avgLatency": null}'::jsonb)$$,
  'With nothing left the counters are zero and the averages null.');
select results_eq(
  $$select count(*)::int from public.audit_logs
     where event_type = 'analytics_updated' and correlation_id = 'e0000000-0000-4000-8000-00000000000e'$$,
  array[3],
  'Deleting the experiment that never counted wrote no analytics event.');

-- A second calibration has its own summary ---------------------------------------------------------
select lives_ok(
  $$select tests.create_experiment(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000002',
      tests.make_responses('[[0.2, 0.4, 0.6, 0.8]]'), 250, 'e0000000-0000-4000-8000-000000000005')$$,
  'The owner stores an experiment on the second calibration.');
select results_eq(
  $$select metrics_summary, updated_at, created_at from public.analytics_summaries
     where calibration_id = 'c0000000-0000-4000-8000-000000000002'$$,
  $$values ('{"count": 1, "responseCount": 1, "avgCreativity": 0.2, "avgCoherence": 0.4, "avgStructure": 0.6,
              "avgCompleteness": 0.8, "avgLatency": 250}'::jsonb, now(), '2000-01-01'::timestamptz)$$,
  'The second calibration''s summary counts only its experiment, and the change moves updated_at (not created_at).');

-- Who may read and write summaries --------------------------------------------------------------------
select results_eq($$select count(*)::int from public.analytics_summaries$$, array[2],
  'The owner reads their two summaries.');
select throws_ok(
  $$insert into public.analytics_summaries (user_id, calibration_id)
    values (tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000001')$$,
  '42501', 'permission denied for table analytics_summaries', 'The owner cannot write a summary directly.');
select throws_ok($$update public.analytics_summaries set experiment_count = 99$$,
  '42501', 'permission denied for table analytics_summaries', 'The owner cannot update a summary.');
select throws_ok($$delete from public.analytics_summaries$$,
  '42501', 'permission denied for table analytics_summaries', 'The owner cannot delete a summary.');

select tests.authenticate_as(tests.get_user_id('stranger@lab.test'));
select is_empty($$select * from public.analytics_summaries$$, 'A stranger sees none of the owner''s summaries.');
select throws_ok(
  $$insert into public.analytics_summaries (user_id, calibration_id)
    values (tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000002')$$,
  '42501', 'permission denied for table analytics_summaries', 'A stranger cannot write a summary for the owner.');
select throws_ok($$update public.analytics_summaries set experiment_count = 99$$,
  '42501', 'permission denied for table analytics_summaries', 'A stranger cannot update the owner''s summaries.');
select throws_ok($$delete from public.analytics_summaries$$,
  '42501', 'permission denied for table analytics_summaries', 'A stranger cannot delete the owner''s summaries.');

select tests.authenticate_as_anon();
select throws_ok($$select * from public.analytics_summaries$$, '42501', 'permission denied for table analytics_summaries',
  'Anonymous callers cannot read summaries.');
select throws_ok(
  $$insert into public.analytics_summaries (user_id, calibration_id)
    values (tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000001')$$,
  '42501', 'permission denied for table analytics_summaries', 'Anonymous callers cannot write summaries.');
select throws_ok($$update public.analytics_summaries set experiment_count = 99$$,
  '42501', 'permission denied for table analytics_summaries', 'Anonymous callers cannot update summaries.');
select throws_ok($$delete from public.analytics_summaries$$,
  '42501', 'permission denied for table analytics_summaries', 'Anonymous callers cannot delete summaries.');

select tests.authenticate_as_service_role();
select tests.set_correlation_id('f0000000-0000-4000-8000-00000000000f');
select lives_ok(
  $$select tests.create_experiment(tests.get_user_id('stranger@lab.test'), 'c0000000-0000-4000-8000-000000000003',
      tests.make_responses('[[0.5, 0.5, 0.5, 0.5]]'), 100)$$,
  'service_role stores an experiment for the stranger.');
select results_eq(
  $$select s.user_id, s.experiment_count, a.user_id, a.source
      from public.analytics_summaries s
      join public.audit_logs a on a.correlation_id = 'f0000000-0000-4000-8000-00000000000f'
     where s.calibration_id = 'c0000000-0000-4000-8000-000000000003'$$,
  $$values (tests.get_user_id('stranger@lab.test'), 1, tests.get_user_id('stranger@lab.test'), 'database')$$,
  'A service_role write counts for the experiment''s owner, whose audit trail gets the event.');
select throws_ok($$update public.analytics_summaries set experiment_count = 99$$,
  '42501', 'permission denied for table analytics_summaries', 'Not even service_role can update a summary directly.');
select throws_ok(
  $$insert into public.analytics_summaries (user_id, calibration_id)
    values (tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000001')$$,
  '42501', 'permission denied for table analytics_summaries', 'Not even service_role can write a summary directly.');
select throws_ok($$delete from public.analytics_summaries$$,
  '42501', 'permission denied for table analytics_summaries', 'Not even service_role can delete a summary directly.');

select * from finish();
rollback;

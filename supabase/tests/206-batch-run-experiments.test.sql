-- A completed batch run with a calibration becomes one experiment per item
-- (its repeats as responses), counted in the calibration's analytics and
-- audited; a failed run makes none until it completes; the owner reads
-- them, strangers and anonymous callers do not.

begin;
select plan(10);

select lives_ok($$select tests.create_user('owner@run-experiments.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@run-experiments.test')$$, 'The stranger can be created.');

create temporary table claims_of (email text primary key, claims jsonb not null) on commit drop;
insert into claims_of
select u.email, pg_catalog.jsonb_build_object('sub', u.id, 'role', 'authenticated', 'email', u.email)
  from auth.users as u
 where u.email in ('owner@run-experiments.test', 'stranger@run-experiments.test');
create temporary table ids (name text primary key, id uuid) on commit drop;
grant select on ids, claims_of to authenticated;

-- Fixtures: a calibration, a template version, a dataset of two items, a run of two responses per item.
insert into ids values ('calibration', tests.create_calibration(tests.get_user_id('owner@run-experiments.test')));
select tests.authenticate_as(tests.get_user_id('owner@run-experiments.test'));
insert into public.prompt_templates (id, name) values ('70600000-0000-4000-8000-000000000001', 'about');
insert into public.prompt_template_versions (template_id, body)
values ('70600000-0000-4000-8000-000000000001', 'About {{topic}}.');
insert into public.datasets (id, name) values ('da600000-0000-4000-8000-000000000001', 'topics');
select tests.clear_authentication();
insert into ids values
  ('version', (select id from public.prompt_template_versions where template_id = '70600000-0000-4000-8000-000000000001')),
  ('dataset_version', (private.create_dataset_version((select claims from claims_of where email = 'owner@run-experiments.test'), null,
     'da600000-0000-4000-8000-000000000001', tests.get_user_id('owner@run-experiments.test')::text || '/t.csv') ->> 'id')::uuid);
select private.begin_dataset_ingest((select claims from claims_of where email = 'owner@run-experiments.test'), null,
  (select id from ids where name = 'dataset_version'));
select private.store_dataset_rows((select claims from claims_of where email = 'owner@run-experiments.test'), null,
  (select id from ids where name = 'dataset_version'), '["topic"]',
  '[{"line": 2, "values": {"topic": "tides"}}, {"line": 3, "values": {"topic": "fog"}}]', '[]', 3);
select private.finish_dataset_ingest((select claims from claims_of where email = 'owner@run-experiments.test'), null,
  (select id from ids where name = 'dataset_version'));
insert into ids values ('run', (private.create_batch_run((select claims from claims_of where email = 'owner@run-experiments.test'), null,
  pg_catalog.jsonb_build_object('template_version_id', (select id from ids where name = 'version'),
    'dataset_version_id', (select id from ids where name = 'dataset_version'),
    'calibration_id', (select id from ids where name = 'calibration'),
    'responses_per_item', 2, 'model', 'gpt-4o', 'seed', 7)) ->> 'id')::uuid);

/** One recorded outcome: line 3's second repeat fails when fail_one is true. */
create function pg_temp.outcome(result jsonb, fail_one boolean) returns jsonb language sql immutable as $$
  select case when fail_one and (result ->> 'lineNumber')::int = 3 and (result ->> 'repeat')::int = 1
    then '{"status": "failed", "prompt": "About fog.", "errorCode": "upstream_error", "response": {"index": 1,
      "status": "failed", "latencyMs": 5, "parameters": {"temperature": 0.9, "top_p": 0.9, "max_tokens": 16,
      "frequency_penalty": 0}, "error": {"code": "upstream_error", "message": "down"}}}'::jsonb
    else pg_catalog.jsonb_build_object('status', 'succeeded', 'prompt', 'About ' || (result -> 'values' ->> 'topic') || '.',
      'response', pg_catalog.jsonb_build_object('index', (result ->> 'repeat')::int, 'status', 'succeeded',
        'text', 'Text.', 'finishReason', 'stop', 'systemFingerprint', null, 'latencyMs', 40 + (result ->> 'repeat')::int,
        'parameters', pg_catalog.jsonb_build_object('temperature', 0.3 + 0.5 * (result ->> 'repeat')::int, 'top_p', 0.9,
          'max_tokens', 16, 'frequency_penalty', 0),
        'usage', '{"promptTokens": 1000, "completionTokens": 100, "totalTokens": 1100}'::jsonb,
        'metrics', '{"creativity": 0.5, "coherence": 0.5, "structure": 0.5, "completeness": 0.5}'::jsonb))
  end || pg_catalog.jsonb_build_object('id', result ->> 'id')
$$;
create function pg_temp.work(fail_one boolean) returns jsonb language sql as $$
  select private.record_batch_results((select claims from claims_of where email = 'owner@run-experiments.test'), null,
    (select id from ids where name = 'run'),
    (select pg_catalog.jsonb_agg(pg_temp.outcome(r, fail_one))
       from pg_catalog.jsonb_array_elements(private.claim_batch_results(
         (select claims from claims_of where email = 'owner@run-experiments.test'), null,
         (select id from ids where name = 'run'), 10) -> 'results') as r));
  select private.finish_batch_run((select claims from claims_of where email = 'owner@run-experiments.test'), null,
    (select id from ids where name = 'run'));
$$;

select is(pg_temp.work(true) ->> 'status', 'failed', 'A run with a failed result ends failed.');
select is_empty($$select 1 from public.experiments where batch_run_id = (select id from ids where name = 'run')$$,
  'A failed run has made no experiments.');
select private.resume_batch_run((select claims from claims_of where email = 'owner@run-experiments.test'), null,
  (select id from ids where name = 'run'));
select is(pg_temp.work(false) ->> 'status', 'completed', 'Resumed, the run completes.');

-- Owner --------------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@run-experiments.test'));
select results_eq(
  $$select prompt, jsonb_array_length(responses), status, template_variables ->> 'topic',
           (select array_agg((r ->> 'index')::int order by o) from jsonb_array_elements(responses) with ordinality as x(r, o)),
           parameters ->> 'design', (parameters ->> 'numResponses')::int, cost_usd
      from public.experiments where batch_run_id = (select id from ids where name = 'run') order by prompt desc$$,
  $$values ('About tides.'::text, 2, 'completed'::text, 'tides'::text, array[0, 1], 'latin-hypercube'::text, 2, 0.007::numeric),
           ('About fog.', 2, 'completed', 'fog', array[0, 1], 'latin-hypercube', 2, 0.007::numeric)$$,
  'Owner: each item is one experiment with its repeats as responses in order, the item''s values as variables, priced.');
select is(
  (select experiment_count from public.analytics_summaries
    where calibration_id = (select id from ids where name = 'calibration')),
  2,
  'Owner: the run''s experiments count in the calibration''s analytics.');
select is(
  (select event_data ->> 'experiments' from public.audit_logs where event_type = 'batch_run_completed'
    and event_data ->> 'runId' = (select id from ids where name = 'run')::text),
  '2',
  'Owner: the completion is audited with the number of experiments made.');

-- Stranger and anonymous ---------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@run-experiments.test'));
select is_empty($$select 1 from public.experiments where batch_run_id is not null$$,
  'Stranger: the run''s experiments are not visible.');
select tests.authenticate_as_anon();
select throws_ok($$select 1 from public.experiments$$, '42501', 'permission denied for table experiments',
  'Anonymous: experiments cannot be read.');
select tests.clear_authentication();

select * from finish();
rollback;

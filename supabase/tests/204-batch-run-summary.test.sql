-- A batch run's summary: totals and per-bin scores, latency, cost and
-- failures of the owner's run; cost unknown (null) while a succeeded result
-- is unpriced; strangers get a 404 and anonymous callers cannot call it.

begin;
select plan(11);

select lives_ok($$select tests.create_user('owner@summary.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@summary.test')$$, 'The stranger can be created.');

create temporary table claims_of (email text primary key, claims jsonb not null) on commit drop;
insert into claims_of
select u.email, pg_catalog.jsonb_build_object('sub', u.id, 'role', 'authenticated', 'email', u.email)
  from auth.users as u
 where u.email in ('owner@summary.test', 'stranger@summary.test');
create temporary table ids (name text primary key, id uuid) on commit drop;
grant select on ids, claims_of to authenticated;

-- Fixtures: a calibration (temperature 0.2-1.0), a template version, a dataset of two items,
-- a run of two responses per item: three succeed (one unpriced model call has no usage), one fails.
insert into ids values ('calibration', tests.create_calibration(tests.get_user_id('owner@summary.test')));
update public.calibrations set temperature_min = 0.2, temperature_max = 1.0
 where id = (select id from ids where name = 'calibration');
select tests.authenticate_as(tests.get_user_id('owner@summary.test'));
insert into public.prompt_templates (id, name) values ('70400000-0000-4000-8000-000000000001', 'about');
insert into public.prompt_template_versions (template_id, body)
values ('70400000-0000-4000-8000-000000000001', 'About {{topic}}.');
insert into public.datasets (id, name) values ('da400000-0000-4000-8000-000000000001', 'topics');
select tests.clear_authentication();
insert into ids values
  ('version', (select id from public.prompt_template_versions where template_id = '70400000-0000-4000-8000-000000000001')),
  ('dataset_version', (private.create_dataset_version((select claims from claims_of where email = 'owner@summary.test'), null,
     'da400000-0000-4000-8000-000000000001', tests.get_user_id('owner@summary.test')::text || '/t.csv') ->> 'id')::uuid);
select private.begin_dataset_ingest((select claims from claims_of where email = 'owner@summary.test'), null,
  (select id from ids where name = 'dataset_version'));
select private.store_dataset_rows((select claims from claims_of where email = 'owner@summary.test'), null,
  (select id from ids where name = 'dataset_version'), '["topic"]',
  '[{"line": 2, "values": {"topic": "tides"}}, {"line": 3, "values": {"topic": "fog"}}]', '[]', 3);
select private.finish_dataset_ingest((select claims from claims_of where email = 'owner@summary.test'), null,
  (select id from ids where name = 'dataset_version'));
insert into ids values ('run', (private.create_batch_run((select claims from claims_of where email = 'owner@summary.test'), null,
  pg_catalog.jsonb_build_object('template_version_id', (select id from ids where name = 'version'),
    'dataset_version_id', (select id from ids where name = 'dataset_version'),
    'calibration_id', (select id from ids where name = 'calibration'),
    'responses_per_item', 2, 'model', 'gpt-4o', 'seed', 1)) ->> 'id')::uuid);

select tests.authenticate_as(tests.get_user_id('owner@summary.test'));
select is(
  public.batch_run_summary((select id from ids where name = 'run')) -> 'totals'
    -> 'pending',
  '4'::jsonb,
  'Owner: before any work every result counts as pending and no bin has results yet.');
select tests.clear_authentication();

create function pg_temp.outcome(result jsonb) returns jsonb language sql immutable as $$
  select case (result ->> 'lineNumber')::int * 10 + (result ->> 'repeat')::int
    when 20 then '{"status": "succeeded", "prompt": "About tides.", "response": {"status": "succeeded", "latencyMs": 100,
      "parameters": {"temperature": 0.3, "top_p": 0.9, "max_tokens": 16, "frequency_penalty": 0},
      "usage": {"promptTokens": 1000, "completionTokens": 100, "totalTokens": 1100},
      "metrics": {"creativity": 0.2, "coherence": 0.4, "structure": 0.6, "completeness": 0.8}}}'::jsonb
    when 21 then '{"status": "succeeded", "prompt": "About tides.", "response": {"status": "succeeded", "latencyMs": 300,
      "parameters": {"temperature": 0.9, "top_p": 0.9, "max_tokens": 16, "frequency_penalty": 0},
      "usage": {"promptTokens": 1000, "completionTokens": 100, "totalTokens": 1100},
      "metrics": {"creativity": 0.6, "coherence": 0.4, "structure": 0.6, "completeness": 0.8}}}'::jsonb
    when 30 then '{"status": "succeeded", "prompt": "About fog.", "response": {"status": "succeeded", "latencyMs": 200,
      "parameters": {"temperature": 0.35, "top_p": 0.9, "max_tokens": 16, "frequency_penalty": 0}, "usage": null,
      "metrics": {"creativity": 0.4, "coherence": 0.4, "structure": 0.6, "completeness": 0.8}}}'::jsonb
    else '{"status": "failed", "prompt": "About fog.", "errorCode": "upstream_timeout", "response": {"status": "failed",
      "latencyMs": 50, "parameters": {"temperature": 0.95, "top_p": 0.9, "max_tokens": 16, "frequency_penalty": 0},
      "error": {"code": "upstream_timeout", "message": "slow"}}}'::jsonb
  end || pg_catalog.jsonb_build_object('id', result ->> 'id')
$$;
select private.record_batch_results((select claims from claims_of where email = 'owner@summary.test'), null,
  (select id from ids where name = 'run'),
  (select pg_catalog.jsonb_agg(pg_temp.outcome(r))
     from pg_catalog.jsonb_array_elements(private.claim_batch_results(
       (select claims from claims_of where email = 'owner@summary.test'), null,
       (select id from ids where name = 'run'), 10) -> 'results') as r));

-- Owner --------------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@summary.test'));
create temporary table summary on commit drop as
select public.batch_run_summary((select id from ids where name = 'run'), 'temperature', 2) as s;
select is(
  (select s -> 'template' ->> 'name' || ' v' || (s -> 'template' ->> 'version') from summary),
  'about v1',
  'Owner: the summary names the run''s template version.');
select is(
  (select (s -> 'totals') - 'meanScores' - 'p50LatencyMs' - 'p95LatencyMs' from summary),
  '{"results": 4, "succeeded": 3, "failed": 1, "pending": 0, "costUsd": null, "knownCostUsd": 0.0070000000,
    "unpricedResults": 1, "meanLatencyMs": 200.0, "failuresByCode": {"upstream_timeout": 1}}'::jsonb,
  'Owner: totals count outcomes, failures per code, and leave the cost unknown while a result is unpriced.');
select is(
  (select s -> 'totals' -> 'meanScores' ->> 'creativity' from summary),
  '0.4000',
  'Owner: mean scores are over succeeded results only.');
select is(
  (select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('bin', b -> 'bin', 'from', b -> 'from', 'to', b -> 'to',
     'succeeded', b -> 'succeeded', 'failed', b -> 'failed', 'costUsd', b -> 'costUsd'))
     from summary, pg_catalog.jsonb_array_elements(s -> 'byBin') as b),
  '[{"bin": 1, "from": 0.2, "to": 0.6, "succeeded": 2, "failed": 0, "costUsd": null},
    {"bin": 2, "from": 0.6, "to": 1.0, "succeeded": 1, "failed": 1, "costUsd": 0.0035}]'::jsonb,
  'Owner: each bin of the calibration''s temperature range has its own outcomes and cost.');
select throws_ok(
  $$select public.batch_run_summary((select id from ids where name = 'run'), 'seed')$$,
  'LB400', 'Cannot summarise the run: "parameter" must be temperature, top_p, max_tokens or frequency_penalty',
  'Owner: an unknown parameter is refused, naming the choices.');
select throws_ok(
  $$select public.batch_run_summary((select id from ids where name = 'run'), 'temperature', 0)$$,
  'LB400', 'Cannot summarise the run: "bins" must be between 1 and 50',
  'Owner: a bin count out of range is refused.');

-- Stranger -----------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@summary.test'));
select throws_ok(
  $$select public.batch_run_summary((select id from ids where name = 'run'))$$,
  'LB404', 'Batch run not found: ' || (select id from ids where name = 'run')::text,
  'Stranger: the owner''s run is not found.');

-- Anonymous ----------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok(
  $$select public.batch_run_summary('00000000-0000-4000-8000-000000000000')$$,
  '42501', 'permission denied for function batch_run_summary',
  'Anonymous: the summary cannot be called.');
select tests.clear_authentication();

select * from finish();
rollback;

-- Schema shape: tables, columns, types and nullability, every check
-- constraint, indexes on foreign keys and user_id, RLS, the realtime
-- publication and the private functions' security settings.

begin;
select plan(113);

-- Tables ----------------------------------------------------------------------
select tables_are('public',
  array['calibrations', 'experiments', 'analytics_summaries', 'audit_logs', 'system_metrics',
        'experiment_exports', 'idempotency_keys',
        'score_configs', 'judges', 'judge_versions', 'judge_verdicts', 'review_queues',
        'review_queue_reviewers', 'review_queue_items', 'review_leases', 'ratings', 'rating_revisions',
        'arenas', 'arena_invites', 'arena_arms', 'arena_prompts', 'arena_responses', 'arena_pairs',
        'arena_votes', 'arena_judge_verdicts', 'prompt_templates', 'prompt_template_versions',
        'prompt_template_labels', 'model_prices', 'datasets', 'dataset_versions', 'dataset_items',
        'dataset_skips', 'batch_runs', 'batch_results', 'user_roles', 'system_metrics_rollups', 'jobs',
        'model_providers', 'models'],
  'public holds exactly the lab''s tables.');

-- Columns, types and nullability --------------------------------------------------
create function pg_temp.columns_of(t text) returns table (name text, type text, not_null boolean)
language sql stable set search_path = '' as $$
  select a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull
    from pg_catalog.pg_attribute a
   where a.attrelid = ('public.' || t)::regclass and a.attnum > 0 and not a.attisdropped
   order by a.attnum
$$;

select results_eq($$select * from pg_temp.columns_of('calibrations')$$,
  $$values ('id', 'uuid', true), ('user_id', 'uuid', true), ('mode', 'text', true),
           ('questionnaire_version', 'text', true), ('answers', 'jsonb', true),
           ('temperature_min', 'numeric(4,2)', true), ('temperature_max', 'numeric(4,2)', true),
           ('top_p_min', 'numeric(4,2)', true), ('top_p_max', 'numeric(4,2)', true),
           ('max_tokens_min', 'integer', true), ('max_tokens_max', 'integer', true),
           ('frequency_penalty_min', 'numeric(4,2)', true), ('frequency_penalty_max', 'numeric(4,2)', true),
           ('insights', 'jsonb', true), ('correlation_id', 'uuid', false),
           ('created_at', 'timestamp with time zone', true), ('updated_at', 'timestamp with time zone', true)$$,
  'calibrations has the expected columns, types and not-null flags.');

select results_eq($$select * from pg_temp.columns_of('experiments')$$,
  $$values ('id', 'uuid', true), ('user_id', 'uuid', true), ('calibration_id', 'uuid', true),
           ('prompt', 'text', true), ('model', 'text', true), ('parameters', 'jsonb', true),
           ('responses', 'jsonb', true), ('status', 'text', true), ('saved', 'boolean', true),
           ('discarded', 'boolean', true), ('latency_ms', 'integer', true), ('correlation_id', 'uuid', false),
           ('created_at', 'timestamp with time zone', true), ('updated_at', 'timestamp with time zone', true),
           ('template_version_id', 'uuid', false), ('template_variables', 'jsonb', false),
           ('cost_usd', 'numeric', false), ('unpriced_responses', 'integer', true),
           ('batch_run_id', 'uuid', false)$$,
  'experiments has the expected columns, types and not-null flags.');

select results_eq($$select * from pg_temp.columns_of('analytics_summaries')$$,
  $$values ('id', 'uuid', true), ('user_id', 'uuid', true), ('calibration_id', 'uuid', true),
           ('experiment_count', 'integer', true), ('response_count', 'integer', true),
           ('sum_creativity', 'double precision', true), ('sum_coherence', 'double precision', true),
           ('sum_structure', 'double precision', true), ('sum_completeness', 'double precision', true),
           ('sum_latency_ms', 'bigint', true), ('metrics_summary', 'jsonb', true),
           ('created_at', 'timestamp with time zone', true), ('updated_at', 'timestamp with time zone', true)$$,
  'analytics_summaries has the expected columns, types and not-null flags.');

select results_eq($$select * from pg_temp.columns_of('audit_logs')$$,
  $$values ('id', 'uuid', true), ('user_id', 'uuid', false), ('event_type', 'text', true),
           ('event_data', 'jsonb', true), ('correlation_id', 'uuid', false), ('source', 'text', true),
           ('created_at', 'timestamp with time zone', true)$$,
  'audit_logs has the expected columns, types and not-null flags.');

select results_eq($$select * from pg_temp.columns_of('system_metrics')$$,
  $$values ('id', 'uuid', true), ('user_id', 'uuid', false), ('route', 'text', true), ('method', 'text', true),
           ('status_code', 'integer', true), ('latency_ms', 'integer', true), ('correlation_id', 'uuid', false),
           ('created_at', 'timestamp with time zone', true)$$,
  'system_metrics has the expected columns, types and not-null flags.');

select results_eq($$select * from pg_temp.columns_of('experiment_exports')$$,
  $$values ('id', 'uuid', true), ('user_id', 'uuid', true), ('file_format', 'text', true), ('status', 'text', true),
           ('request', 'jsonb', true), ('experiment_count', 'integer', false), ('response_count', 'integer', false),
           ('byte_size', 'bigint', false), ('storage_path', 'text', false), ('file_url', 'text', false),
           ('url_expires_at', 'timestamp with time zone', false), ('error', 'text', false),
           ('correlation_id', 'uuid', false), ('created_at', 'timestamp with time zone', true),
           ('updated_at', 'timestamp with time zone', true), ('completed_at', 'timestamp with time zone', false)$$,
  'experiment_exports has the expected columns, types and not-null flags.');

select results_eq($$select * from pg_temp.columns_of('idempotency_keys')$$,
  $$values ('user_id', 'uuid', true), ('scope', 'text', true), ('key', 'text', true), ('request_hash', 'text', true),
           ('status', 'text', true), ('response_status', 'integer', false), ('response_body', 'jsonb', false),
           ('locked_until', 'timestamp with time zone', true), ('created_at', 'timestamp with time zone', true),
           ('updated_at', 'timestamp with time zone', true)$$,
  'idempotency_keys has the expected columns, types and not-null flags.');

select col_default_is('public', 'calibrations', 'user_id', 'auth.uid()', 'calibrations.user_id defaults to the caller.');
select col_default_is('public', 'experiments', 'user_id', 'auth.uid()', 'experiments.user_id defaults to the caller.');
select col_default_is('public', 'audit_logs', 'user_id', 'auth.uid()', 'audit_logs.user_id defaults to the caller.');
select col_default_is('public', 'experiment_exports', 'user_id', 'auth.uid()', 'experiment_exports.user_id defaults to the caller.');
select col_default_is('public', 'idempotency_keys', 'user_id', 'auth.uid()', 'idempotency_keys.user_id defaults to the caller.');
select col_default_is('public', 'audit_logs', 'source', 'client'::text, 'audit_logs.source defaults to client.');
select col_default_is('public', 'experiment_exports', 'status', 'pending'::text, 'experiment_exports.status defaults to pending.');
select col_default_is('public', 'idempotency_keys', 'status', 'in_progress'::text, 'idempotency_keys.status defaults to in_progress.');
select col_default_is('public', 'experiments', 'id', 'private.uuid_v7()', 'experiments.id defaults to a time-ordered UUIDv7.');
select col_default_is('public', 'audit_logs', 'id', 'private.uuid_v7()', 'audit_logs.id defaults to a time-ordered UUIDv7.');
select col_default_is('public', 'system_metrics', 'id', 'private.uuid_v7()', 'system_metrics.id defaults to a time-ordered UUIDv7.');

select col_is_pk('public', 'idempotency_keys', array['user_id', 'scope', 'key'], 'idempotency_keys are keyed by (user_id, scope, key).');
select col_is_unique('public', 'analytics_summaries', array['user_id', 'calibration_id'], 'There is one analytics summary per (user, calibration).');
select fk_ok('public', 'experiments', array['calibration_id', 'user_id'], 'public', 'calibrations', array['id', 'user_id'],
  'experiments reference their calibration together with its owner.');
select fk_ok('public', 'analytics_summaries', array['calibration_id', 'user_id'], 'public', 'calibrations', array['id', 'user_id'],
  'analytics_summaries reference their calibration together with its owner.');
select hasnt_fk('public', 'audit_logs', 'audit_logs has no foreign key, so the trail outlives accounts.');

-- Fixtures for the check constraints (as lab_postgres, the table owner) ------------
select lives_ok($$select tests.create_user('schema@lab.test')$$, 'A fixture user can be created.');
select lives_ok($$select tests.create_calibration(tests.get_user_id('schema@lab.test'), 'c0000000-0000-4000-8000-000000000001')$$,
  'A valid calibration can be created.');

-- calibrations checks ------------------------------------------------------------
create function pg_temp.calibration_sql(overrides text) returns text language sql as $$
  select format($q$insert into public.calibrations (user_id, mode, questionnaire_version, answers, insights,
      temperature_min, temperature_max, top_p_min, top_p_max, max_tokens_min, max_tokens_max,
      frequency_penalty_min, frequency_penalty_max)
    select tests.get_user_id('schema@lab.test'), mode, 'v1', answers, insights, tmin, tmax, pmin, pmax, kmin, kmax, fmin, fmax
      from (select 'quick' as mode, '{}'::jsonb as answers, '[]'::jsonb as insights, 0.2 as tmin, 1.2 as tmax,
                   0.5 as pmin, 0.9 as pmax, 128 as kmin, 1024 as kmax, 0.0 as fmin, 0.5 as fmax, 1 as _end) d,
           lateral (select %s) o$q$, overrides)
$$;
-- The overrides select replaces columns by shadowing: written as a second derived table.
create function pg_temp.calibration_with(col text, val text) returns text language sql as $$
  select replace(pg_temp.calibration_sql('1'), ' as ' || col || ',', ' as ' || col || '_unused, ' || val || ' as ' || col || ',')
$$;

select lives_ok(pg_temp.calibration_with('tmin', '0.0'), 'A temperature range starting at 0 is allowed.');
select throws_ok(pg_temp.calibration_with('tmin', '-0.1'), '23514',
  'new row for relation "calibrations" violates check constraint "calibrations_temperature_range"',
  'temperature_min below 0 is rejected.');
select throws_ok(pg_temp.calibration_with('tmax', '2.1'), '23514',
  'new row for relation "calibrations" violates check constraint "calibrations_temperature_range"',
  'temperature_max above 2 is rejected.');
select throws_ok(pg_temp.calibration_with('tmin', '1.5'), '23514',
  'new row for relation "calibrations" violates check constraint "calibrations_temperature_range"',
  'temperature_min above temperature_max is rejected.');
select throws_ok(pg_temp.calibration_with('pmin', '-0.1'), '23514',
  'new row for relation "calibrations" violates check constraint "calibrations_top_p_range"',
  'top_p_min below 0 is rejected.');
select throws_ok(pg_temp.calibration_with('pmax', '1.01'), '23514',
  'new row for relation "calibrations" violates check constraint "calibrations_top_p_range"',
  'top_p_max above 1 is rejected.');
select throws_ok(pg_temp.calibration_with('pmin', '0.95'), '23514',
  'new row for relation "calibrations" violates check constraint "calibrations_top_p_range"',
  'top_p_min above top_p_max is rejected.');
select throws_ok(pg_temp.calibration_with('kmin', '0'), '23514',
  'new row for relation "calibrations" violates check constraint "calibrations_max_tokens_range"',
  'max_tokens_min below 1 is rejected.');
select throws_ok(pg_temp.calibration_with('kmin', '2048'), '23514',
  'new row for relation "calibrations" violates check constraint "calibrations_max_tokens_range"',
  'max_tokens_min above max_tokens_max is rejected.');
select throws_ok(pg_temp.calibration_with('fmin', '-2.1'), '23514',
  'new row for relation "calibrations" violates check constraint "calibrations_frequency_penalty_range"',
  'frequency_penalty_min below -2 is rejected.');
select throws_ok(pg_temp.calibration_with('fmax', '2.1'), '23514',
  'new row for relation "calibrations" violates check constraint "calibrations_frequency_penalty_range"',
  'frequency_penalty_max above 2 is rejected.');
select throws_ok(pg_temp.calibration_with('fmin', '1.0'), '23514',
  'new row for relation "calibrations" violates check constraint "calibrations_frequency_penalty_range"',
  'frequency_penalty_min above frequency_penalty_max is rejected.');
select throws_ok(pg_temp.calibration_with('mode', '''medium'''), '23514',
  'new row for relation "calibrations" violates check constraint "calibrations_mode_check"',
  'A calibration mode other than quick or deep is rejected.');
select throws_ok(pg_temp.calibration_with('answers', '''[]''::jsonb'), '23514',
  'new row for relation "calibrations" violates check constraint "calibrations_answers_object"',
  'Calibration answers must be a JSON object.');
select throws_ok(pg_temp.calibration_with('insights', '''{}''::jsonb'), '23514',
  'new row for relation "calibrations" violates check constraint "calibrations_insights_array"',
  'Calibration insights must be a JSON array.');

-- experiments checks -------------------------------------------------------------
create function pg_temp.experiment_with(col text, val text) returns text language sql as $$
  select replace(
    $q$insert into public.experiments (user_id, calibration_id, prompt, model, parameters, responses, status, latency_ms)
       select tests.get_user_id('schema@lab.test'), 'c0000000-0000-4000-8000-000000000001', prompt, model, parameters, responses, status, latency_ms
         from (select 'Hello' as prompt, 'm' as model, '{}'::jsonb as parameters,
                      tests.make_responses('[[0.5, 0.5, 0.5, 0.5]]') as responses, 'completed' as status, 10 as latency_ms, 1 as _end) d$q$,
    ' as ' || col || ',', ' as ' || col || '_unused, ' || val || ' as ' || col || ',')
$$;

select lives_ok(pg_temp.experiment_with('latency_ms', '0'), 'A valid experiment with latency 0 is allowed.');
select throws_ok(pg_temp.experiment_with('prompt', ''''''), '23514',
  'new row for relation "experiments" violates check constraint "experiments_prompt_length"',
  'An empty prompt is rejected.');
select throws_ok(pg_temp.experiment_with('prompt', 'repeat(''x'', 32001)'), '23514',
  'new row for relation "experiments" violates check constraint "experiments_prompt_length"',
  'A prompt over 32000 characters is rejected.');
select lives_ok(pg_temp.experiment_with('prompt', 'repeat(''x'', 32000)'), 'A prompt of exactly 32000 characters is allowed.');
select throws_ok(pg_temp.experiment_with('model', ''''''), '23514',
  'new row for relation "experiments" violates check constraint "experiments_model_length"',
  'An empty model name is rejected.');
select throws_ok(pg_temp.experiment_with('model', 'repeat(''m'', 201)'), '23514',
  'new row for relation "experiments" violates check constraint "experiments_model_length"',
  'A model name over 200 characters is rejected.');
select throws_ok(pg_temp.experiment_with('parameters', '''[]''::jsonb'), '23514',
  'new row for relation "experiments" violates check constraint "experiments_parameters_object"',
  'Experiment parameters must be a JSON object.');
select throws_ok(pg_temp.experiment_with('responses', '''{}''::jsonb'), '23514',
  'new row for relation "experiments" violates check constraint "experiments_responses_array"',
  'Experiment responses must be a JSON array.');
select throws_ok(pg_temp.experiment_with('responses', '''[]''::jsonb'), '23514',
  'new row for relation "experiments" violates check constraint "experiments_responses_array"',
  'An experiment needs at least one response.');
select throws_ok(pg_temp.experiment_with('responses',
    'tests.make_responses(''[null, null, null, null, null, null, null, null, null, null, null]'')'), '23514',
  'new row for relation "experiments" violates check constraint "experiments_responses_array"',
  'An experiment has at most ten responses.');
select throws_ok(pg_temp.experiment_with('status', '''done'''), '23514',
  'new row for relation "experiments" violates check constraint "experiments_status_check"',
  'An experiment status other than completed, partial or failed is rejected.');
select throws_ok(pg_temp.experiment_with('latency_ms', '-1'), '23514',
  'new row for relation "experiments" violates check constraint "experiments_latency_check"',
  'A negative experiment latency is rejected.');

-- analytics_summaries, audit_logs, system_metrics checks ------------------------------
select throws_ok(
  $$insert into public.analytics_summaries (user_id, calibration_id, experiment_count)
    values (tests.get_user_id('schema@lab.test'), 'c0000000-0000-4000-8000-000000000001', -1)$$, '23514',
  'new row for relation "analytics_summaries" violates check constraint "analytics_summaries_counts_check"',
  'A negative experiment count is rejected.');
select throws_ok(
  $$insert into public.analytics_summaries (user_id, calibration_id, response_count)
    values (tests.get_user_id('schema@lab.test'), 'c0000000-0000-4000-8000-000000000001', -1)$$, '23514',
  'new row for relation "analytics_summaries" violates check constraint "analytics_summaries_counts_check"',
  'A negative response count is rejected.');

select throws_ok($$insert into public.audit_logs (event_type) values ('Bad-Event')$$, '23514',
  'new row for relation "audit_logs" violates check constraint "audit_logs_event_type_format"',
  'An event type that is not snake_case is rejected.');
select throws_ok($$insert into public.audit_logs (event_type) values ('ab')$$, '23514',
  'new row for relation "audit_logs" violates check constraint "audit_logs_event_type_format"',
  'An event type shorter than three characters is rejected.');
select throws_ok($$insert into public.audit_logs (event_type, event_data) values ('client_event', '[]')$$, '23514',
  'new row for relation "audit_logs" violates check constraint "audit_logs_event_data_object"',
  'Audit event data must be a JSON object.');
select throws_ok($$insert into public.audit_logs (event_type, source) values ('client_event', 'browser')$$, '23514',
  'new row for relation "audit_logs" violates check constraint "audit_logs_source_check"',
  'An audit source other than server, database, client or realtime is rejected.');

create function pg_temp.metric_sql(route text, method text, status_code int, latency_ms int) returns text language sql as $$
  select format('insert into public.system_metrics (route, method, status_code, latency_ms) values (%L, %L, %s, %s)',
                route, method, status_code, latency_ms)
$$;
select lives_ok(pg_temp.metric_sql('/generate', 'OPTIONS', 100, 0), 'A metric with status 100, latency 0 and method OPTIONS is allowed.');
select lives_ok(pg_temp.metric_sql('/generate', 'GET', 599, 5), 'A metric with status 599 is allowed.');
select throws_ok(pg_temp.metric_sql('/generate', 'GET', 99, 5), '23514',
  'new row for relation "system_metrics" violates check constraint "system_metrics_status_code_check"',
  'A status code below 100 is rejected.');
select throws_ok(pg_temp.metric_sql('/generate', 'GET', 600, 5), '23514',
  'new row for relation "system_metrics" violates check constraint "system_metrics_status_code_check"',
  'A status code above 599 is rejected.');
select throws_ok(pg_temp.metric_sql('/generate', 'GET', 200, -1), '23514',
  'new row for relation "system_metrics" violates check constraint "system_metrics_latency_check"',
  'A negative request latency is rejected.');
select throws_ok(pg_temp.metric_sql('/generate', 'get', 200, 5), '23514',
  'new row for relation "system_metrics" violates check constraint "system_metrics_method_check"',
  'A lowercase HTTP method is rejected.');
select throws_ok(pg_temp.metric_sql('', 'GET', 200, 5), '23514',
  'new row for relation "system_metrics" violates check constraint "system_metrics_route_length"',
  'An empty route is rejected.');
select throws_ok(pg_temp.metric_sql(repeat('r', 201), 'GET', 200, 5), '23514',
  'new row for relation "system_metrics" violates check constraint "system_metrics_route_length"',
  'A route over 200 characters is rejected.');

-- experiment_exports and idempotency_keys checks -------------------------------------
select throws_ok(
  $$insert into public.experiment_exports (user_id, file_format) values (tests.get_user_id('schema@lab.test'), 'pdf')$$, '23514',
  'new row for relation "experiment_exports" violates check constraint "experiment_exports_format_check"',
  'An export format other than csv, json or zip is rejected.');
select lives_ok(
  $$insert into public.experiment_exports (user_id, file_format)
    values (tests.get_user_id('schema@lab.test'), 'csv'), (tests.get_user_id('schema@lab.test'), 'json'),
           (tests.get_user_id('schema@lab.test'), 'zip')$$,
  'Exports in csv, json and zip are allowed.');
select throws_ok(
  $$insert into public.experiment_exports (user_id, file_format, request) values (tests.get_user_id('schema@lab.test'), 'csv', '[]')$$, '23514',
  'new row for relation "experiment_exports" violates check constraint "experiment_exports_request_object"',
  'An export request must be a JSON object.');
select throws_ok(
  $$insert into public.experiment_exports (user_id, file_format, experiment_count) values (tests.get_user_id('schema@lab.test'), 'csv', -1)$$, '23514',
  'new row for relation "experiment_exports" violates check constraint "experiment_exports_counts_check"',
  'A negative exported experiment count is rejected.');
select throws_ok(
  $$insert into public.experiment_exports (user_id, file_format, response_count) values (tests.get_user_id('schema@lab.test'), 'csv', -1)$$, '23514',
  'new row for relation "experiment_exports" violates check constraint "experiment_exports_counts_check"',
  'A negative exported response count is rejected.');
select throws_ok(
  $$insert into public.experiment_exports (user_id, file_format, byte_size) values (tests.get_user_id('schema@lab.test'), 'csv', -1)$$, '23514',
  'new row for relation "experiment_exports" violates check constraint "experiment_exports_counts_check"',
  'A negative export byte size is rejected.');
select throws_ok(
  $$insert into public.experiment_exports (user_id, file_format, status) values (tests.get_user_id('schema@lab.test'), 'csv', 'queued')$$, '23514',
  'A new export must start as pending or running, not queued',
  'An export status outside the status machine is rejected (by the transition trigger, before the check).');
select is(
  (select pg_get_constraintdef(oid) from pg_constraint where conname = 'experiment_exports_status_check'),
  $$CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'completed'::text, 'failed'::text])))$$,
  'The export status check allows exactly pending, running, completed and failed.');

create function pg_temp.key_sql(scope text, key text, status text default 'in_progress', response_status int default null)
returns text language sql as $$
  select format($q$insert into public.idempotency_keys (user_id, scope, key, request_hash, status, response_status, response_body)
                   values (tests.get_user_id('schema@lab.test'), %L, %L, 'h', %L, %s, %s)$q$,
                scope, key, status, coalesce(response_status::text, 'null'),
                case when response_status is null then 'null' else quote_literal('{}') end)
$$;
select lives_ok(pg_temp.key_sql('generate', 'k'), 'A one-character idempotency key in scope generate is allowed.');
select throws_ok(pg_temp.key_sql('Generate', 'k2'), '23514',
  'new row for relation "idempotency_keys" violates check constraint "idempotency_keys_scope_check"',
  'An idempotency scope that is not snake_case is rejected.');
select throws_ok(pg_temp.key_sql('generate', ''), '23514',
  'new row for relation "idempotency_keys" violates check constraint "idempotency_keys_key_length"',
  'An empty idempotency key is rejected.');
select throws_ok(pg_temp.key_sql('generate', repeat('k', 256)), '23514',
  'new row for relation "idempotency_keys" violates check constraint "idempotency_keys_key_length"',
  'An idempotency key over 255 characters is rejected.');
select throws_ok(pg_temp.key_sql('generate', 'k3', 'done'), '23514',
  'new row for relation "idempotency_keys" violates check constraint "idempotency_keys_status_check"',
  'An idempotency status other than in_progress or completed is rejected.');
select throws_ok(pg_temp.key_sql('generate', 'k4', 'completed'), '23514',
  'new row for relation "idempotency_keys" violates check constraint "idempotency_keys_completed_check"',
  'A completed idempotency key needs a stored answer.');
select lives_ok(pg_temp.key_sql('exports', 'k5', 'completed', 201), 'A completed idempotency key with its answer is allowed.');

-- Indexes ---------------------------------------------------------------------
select is_empty(
  $$select c.conrelid::regclass, c.conname
      from pg_catalog.pg_constraint c
     where c.contype = 'f' and c.connamespace = 'public'::regnamespace
       and not exists (
         select from pg_catalog.pg_index i
          where i.indrelid = c.conrelid
            and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
            and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)$$,
  'Every foreign key in public is covered by an index that starts with its columns.');
select has_index('public', 'calibrations', 'calibrations_user_id_created_at_idx', array['user_id', 'created_at'],
  'calibrations are indexed by user_id, newest first.');
select has_index('public', 'experiments', 'experiments_user_id_created_at_idx', array['user_id', 'created_at'],
  'experiments are indexed by user_id, newest first.');
select has_index('public', 'experiments', 'experiments_calibration_id_user_id_idx', array['calibration_id', 'user_id'],
  'experiments are indexed by their calibration foreign key.');
select has_index('public', 'analytics_summaries', 'analytics_summaries_user_calibration_key', array['user_id', 'calibration_id'],
  'analytics_summaries are indexed by user_id through their unique key.');
select has_index('public', 'analytics_summaries', 'analytics_summaries_calibration_id_user_id_idx', array['calibration_id', 'user_id'],
  'analytics_summaries are indexed by their calibration foreign key.');
select has_index('public', 'audit_logs', 'audit_logs_user_id_created_at_idx', array['user_id', 'created_at'],
  'audit_logs are indexed by user_id, newest first.');
select has_index('public', 'experiments', 'experiments_user_id_created_at_id_idx', array['user_id', 'created_at', 'id'],
  'experiments are indexed in export order, so an export''s pages seek to their first row.');
select has_index('public', 'audit_logs', 'audit_logs_user_id_created_at_id_idx', array['user_id', 'created_at', 'id'],
  'audit_logs are indexed in export order, so an export''s audit pages seek to their first row.');
select has_index('public', 'system_metrics', 'system_metrics_user_id_created_at_idx', array['user_id', 'created_at'],
  'system_metrics are indexed by user_id, newest first.');
select has_index('public', 'experiment_exports', 'experiment_exports_user_id_created_at_idx', array['user_id', 'created_at'],
  'experiment_exports are indexed by user_id, newest first.');
select has_index('public', 'idempotency_keys', 'idempotency_keys_pkey', array['user_id', 'scope', 'key'],
  'idempotency_keys are indexed by user_id through their primary key.');

-- RLS -------------------------------------------------------------------------
select is_empty(
  $$select c.relname from pg_catalog.pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relrowsecurity$$,
  'Row level security is enabled on every public table.');
select is_empty(
  $$select tablename, policyname from pg_catalog.pg_policies
     where schemaname = 'public' and (cmd = 'ALL' or roles <> '{authenticated}')
       and (tablename, policyname) <> ('user_roles', 'Supabase Auth reads roles to issue tokens')$$,
  'Every public policy is for one operation and only for authenticated (but the access token hook''s read).');
select is_empty(
  $$select tablename, policyname from pg_catalog.pg_policies
     where schemaname = 'public'
       and (coalesce(qual, '') || coalesce(with_check, '')) like '%auth.uid()%'
       and (coalesce(qual, '') || coalesce(with_check, '')) not like '%SELECT auth.uid()%'$$,
  'Policies call auth.uid() through (select ...), so it is evaluated once per statement.');

-- Realtime --------------------------------------------------------------------
select results_eq(
  $$select schemaname::text collate "default", tablename::text collate "default" from pg_catalog.pg_publication_tables
     where pubname = 'supabase_realtime' order by tablename$$,
  $$values ('public', 'analytics_summaries'), ('public', 'experiments')$$,
  'The realtime publication holds experiments and analytics_summaries and nothing else.');

-- Triggers --------------------------------------------------------------------
select has_trigger('public', 'calibrations', 'calibrations_set_updated_at', 'calibrations keep updated_at current.');
select has_trigger('public', 'experiments', 'experiments_set_updated_at', 'experiments keep updated_at current.');
select has_trigger('public', 'experiments', 'experiments_maintain_analytics', 'experiments maintain their analytics.');
select has_trigger('public', 'analytics_summaries', 'analytics_summaries_derive_metrics', 'analytics_summaries derive metrics_summary.');
select has_trigger('public', 'audit_logs', 'audit_logs_reject_update_delete', 'audit_logs reject updates and deletes.');
select has_trigger('public', 'audit_logs', 'audit_logs_reject_truncate', 'audit_logs reject truncate.');
select has_trigger('public', 'experiment_exports', 'experiment_exports_check_transition', 'experiment_exports enforce their status machine.');
select has_trigger('public', 'experiment_exports', 'experiment_exports_set_updated_at', 'experiment_exports keep updated_at current.');
select has_trigger('public', 'idempotency_keys', 'idempotency_keys_set_updated_at', 'idempotency_keys keep updated_at current.');

-- private functions -------------------------------------------------------------
select functions_are('private',
  array['set_updated_at', 'current_correlation_id', 'reject_audit_log_change', 'record_audit_event',
        'derive_metrics_summary', 'apply_experiment_to_analytics', 'experiments_maintain_analytics',
        'check_export_transition', 'consume_rate_limit', 'uuid_v7', 'raise_http_error', 'act_as_user',
        'claim_idempotency_key', 'start_generation', 'store_generation',
        'score_configs_keep_archived', 'heuristic_config_id', 'reviewable_queue_ids', 'reviewable_config_ids',
        'check_rating', 'record_rating_revision', 'topic_uuid',
        'broadcast_experiment_change', 'broadcast_analytics_change', 'broadcast_export_progress',
        'testable_arena_ids', 'template_variables', 'number_prompt_template_version',
        'resolve_prompt_template', 'price_in_force', 'usage_cost', 'price_experiment_responses',
        'check_dataset_version_transition', 'claims_subject', 'create_dataset_version',
        'begin_dataset_ingest', 'store_dataset_rows', 'finish_dataset_ingest', 'check_batch_run_transition',
        'create_batch_run', 'claim_batch_results', 'record_batch_results', 'finish_batch_run',
        'resume_batch_run', 'batch_run_context', 'release_batch_claims', 'idempotency_caller',
        'complete_idempotency_key',
        'release_idempotency_key', 'is_admin', 'audit_role_change', 'rollup_system_metrics',
        'route_latency_stats', 'model_call_stats', 'audit_model_setting_change', 'schema_version',
        'job_backlog', 'check_job_transition', 'audit_job_transition', 'broadcast_job_progress',
        'enqueue_job', 'claim_job', 'checkpoint_job', 'settle_job', 'job_stats', 'add_arena_matchups'],
  'private holds exactly the lab''s internal functions.');
select results_eq(
  $$select p.proname::text collate "default" from pg_catalog.pg_proc p
     where p.pronamespace = 'private'::regnamespace and p.prosecdef order by 1$$,
  $$values ('add_arena_matchups'), ('audit_job_transition'), ('audit_model_setting_change'), ('audit_role_change'),
           ('broadcast_analytics_change'), ('broadcast_experiment_change'), ('broadcast_export_progress'),
           ('broadcast_job_progress'), ('check_rating'), ('checkpoint_job'), ('claim_idempotency_key'),
           ('complete_idempotency_key'), ('consume_rate_limit'), ('enqueue_job'),
           ('experiments_maintain_analytics'), ('model_call_stats'), ('record_audit_event'),
           ('record_rating_revision'), ('release_idempotency_key'), ('reviewable_config_ids'),
           ('reviewable_queue_ids'), ('schema_version'), ('testable_arena_ids')$$,
  'Only the audit, analytics, rate-limit, rating, lookup, live-feed, idempotency-write, role and model-setting audit, model statistics, schema version, job (create, checkpoint, audit, broadcast) and arena matchup functions are security definer.');
select is_empty(
  $$select p.proname from pg_catalog.pg_proc p
     where p.pronamespace in ('private'::regnamespace, 'public'::regnamespace)
       and not coalesce('search_path=""' = any (p.proconfig), false)$$,
  'Every private and public function has a fixed, empty search_path.');
select results_eq(
  $$select p.proname::text collate "default" from pg_catalog.pg_proc p
     where p.pronamespace = 'public'::regnamespace order by 1$$,
  $$values ('batch_run_summary'), ('cancel_job'), ('cast_arena_vote'), ('custom_access_token_hook'),
           ('next_arena_pair'), ('next_review_item'), ('rating_bins'), ('share_responses'), ('submit_review')$$,
  'public holds only the review queue, arena, rating_bins, batch_run_summary and cancel_job functions and the access token hook.');
select is_empty(
  $$select r.rolname from pg_catalog.pg_roles r
     where r.rolname in ('anon', 'authenticated', 'service_role')
       and pg_catalog.has_function_privilege(r.rolname, 'public.custom_access_token_hook(jsonb)', 'execute')$$,
  'The Data API roles cannot execute the access token hook.');
select is_empty(
  $$select p.proname from pg_catalog.pg_proc p
     where p.pronamespace = 'public'::regnamespace
       and (pg_catalog.has_function_privilege('anon', p.oid, 'execute')
            or pg_catalog.has_function_privilege('public', p.oid, 'execute'))$$,
  'No public function is executable by anon or PUBLIC.');

select * from finish();
rollback;

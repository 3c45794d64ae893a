-- Grants: exactly which table, column, schema and function privileges the
-- API roles hold. RLS decides which rows; these decide which operations.

begin;
select plan(37);

-- Table privileges ---------------------------------------------------------------------------
select table_privs_are('public', 'calibrations', 'anon', array[]::text[], 'anon has no privilege on calibrations.');
select table_privs_are('public', 'calibrations', 'authenticated', array['SELECT', 'INSERT', 'DELETE'],
  'authenticated may select, insert and delete calibrations, never update them.');
select table_privs_are('public', 'calibrations', 'service_role', array['SELECT', 'INSERT', 'DELETE'],
  'service_role may select, insert and delete calibrations, never update them.');

select table_privs_are('public', 'experiments', 'anon', array[]::text[], 'anon has no privilege on experiments.');
select table_privs_are('public', 'experiments', 'authenticated', array['SELECT', 'INSERT', 'DELETE'],
  'authenticated may select, insert and delete experiments (updates are per column).');
select table_privs_are('public', 'experiments', 'service_role', array['SELECT', 'INSERT', 'DELETE'],
  'service_role may select, insert and delete experiments (updates are per column).');

select table_privs_are('public', 'analytics_summaries', 'anon', array[]::text[], 'anon has no privilege on analytics_summaries.');
select table_privs_are('public', 'analytics_summaries', 'authenticated', array['SELECT'],
  'authenticated may only read analytics_summaries.');
select table_privs_are('public', 'analytics_summaries', 'service_role', array['SELECT'],
  'service_role may only read analytics_summaries: the triggers write them.');

select table_privs_are('public', 'audit_logs', 'anon', array[]::text[], 'anon has no privilege on audit_logs.');
select table_privs_are('public', 'audit_logs', 'authenticated', array['SELECT'],
  'authenticated may read audit_logs (inserts are per column).');
select table_privs_are('public', 'audit_logs', 'service_role', array['SELECT', 'INSERT'],
  'service_role may read and append audit_logs, nothing else.');

select table_privs_are('public', 'system_metrics', 'anon', array[]::text[], 'anon has no privilege on system_metrics.');
select table_privs_are('public', 'system_metrics', 'authenticated', array['SELECT'],
  'authenticated may only read system_metrics.');
select table_privs_are('public', 'system_metrics', 'service_role', array['SELECT', 'INSERT', 'DELETE'],
  'service_role may read, write and prune system_metrics, never rewrite them.');

select table_privs_are('public', 'experiment_exports', 'anon', array[]::text[], 'anon has no privilege on experiment_exports.');
select table_privs_are('public', 'experiment_exports', 'authenticated', array['SELECT'],
  'authenticated may read experiment_exports (inserts and updates are per column).');
select table_privs_are('public', 'experiment_exports', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'service_role has full data access to experiment_exports.');

select table_privs_are('public', 'idempotency_keys', 'anon', array[]::text[], 'anon has no privilege on idempotency_keys.');
select table_privs_are('public', 'idempotency_keys', 'authenticated', array['SELECT'],
  'authenticated may only read idempotency_keys (RLS limits it to their own); the lab writes them.');
select table_privs_are('public', 'idempotency_keys', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'service_role has full data access to idempotency_keys.');

-- Column privileges ------------------------------------------------------------------------------
create function pg_temp.columns_with(role text, tbl text, priv text) returns table (column_name text)
language sql stable set search_path = '' as $$
  select a.attname::text collate "default" from pg_catalog.pg_attribute a
   where a.attrelid = ('public.' || tbl)::regclass and a.attnum > 0 and not a.attisdropped
     and pg_catalog.has_column_privilege(role, a.attrelid, a.attnum, priv)
   order by 1
$$;

select results_eq($$select * from pg_temp.columns_with('authenticated', 'experiments', 'UPDATE')$$,
  $$values ('discarded'), ('saved')$$,
  'authenticated may update only saved and discarded on experiments.');
select results_eq($$select * from pg_temp.columns_with('service_role', 'experiments', 'UPDATE')$$,
  $$values ('discarded'), ('saved')$$,
  'service_role may update only saved and discarded on experiments.');
select is_empty($$select * from pg_temp.columns_with('authenticated', 'calibrations', 'UPDATE')$$,
  'authenticated may update no calibration column.');
select results_eq($$select * from pg_temp.columns_with('authenticated', 'audit_logs', 'INSERT')$$,
  $$values ('correlation_id'), ('event_data'), ('event_type'), ('source')$$,
  'authenticated may insert audit events naming only type, data, correlation id and source (user_id defaults to the caller).');
select is_empty($$select * from pg_temp.columns_with('authenticated', 'analytics_summaries', 'INSERT')
                  union all select * from pg_temp.columns_with('authenticated', 'analytics_summaries', 'UPDATE')$$,
  'authenticated may write no analytics_summaries column.');
select results_eq($$select * from pg_temp.columns_with('authenticated', 'experiment_exports', 'INSERT')$$,
  $$values ('file_format'), ('request'), ('status')$$,
  'authenticated may request exports naming only format, request and status.');
select results_eq($$select * from pg_temp.columns_with('authenticated', 'experiment_exports', 'UPDATE')$$,
  $$values ('byte_size'), ('completed_at'), ('error'), ('experiment_count'), ('file_url'), ('response_count'),
           ('status'), ('storage_path'), ('url_expires_at')$$,
  'authenticated may update only the progress columns of exports, never owner, format, request or timestamps.');

-- Schemas and functions -----------------------------------------------------------------------------
select schema_privs_are('private', 'anon', array[]::text[], 'anon cannot use the private schema.');
select schema_privs_are('private', 'authenticated', array['USAGE'], 'authenticated may use the private schema (for granted functions only).');
select schema_privs_are('private', 'service_role', array['USAGE'], 'service_role may use the private schema.');
select is_empty(
  $$select p.oid::regprocedure from pg_catalog.pg_proc p
     where p.pronamespace = 'private'::regnamespace and pg_catalog.has_function_privilege('public', p.oid, 'execute')$$,
  'No private function is executable by PUBLIC.');
select is_empty(
  $$select p.oid::regprocedure from pg_catalog.pg_proc p
     where p.pronamespace = 'private'::regnamespace and pg_catalog.has_function_privilege('anon', p.oid, 'execute')$$,
  'anon may execute no private function.');
select results_eq(
  $$select p.proname::text collate "default" from pg_catalog.pg_proc p
     where p.pronamespace = 'private'::regnamespace and pg_catalog.has_function_privilege('authenticated', p.oid, 'execute')
     order by 1$$,
  $$values ('checkpoint_job'), ('claim_idempotency_key'), ('complete_idempotency_key'),
           ('consume_rate_limit'), ('current_correlation_id'), ('enqueue_job'), ('heuristic_config_id'),
           ('is_admin'), ('job_stats'), ('model_call_stats'), ('price_in_force'), ('raise_http_error'),
           ('record_audit_event'), ('release_idempotency_key'), ('reviewable_config_ids'),
           ('reviewable_queue_ids'), ('route_latency_stats'), ('template_variables'),
           ('testable_arena_ids'), ('topic_uuid'), ('usage_cost'), ('uuid_v7')$$,
  'authenticated may execute only the private functions its requests and policies use.');
select results_eq(
  $$select p.proname::text collate "default" from pg_catalog.pg_proc p
     where p.pronamespace = 'private'::regnamespace and pg_catalog.has_function_privilege('service_role', p.oid, 'execute')
     order by 1$$,
  $$values ('checkpoint_job'), ('claim_job'), ('consume_rate_limit'), ('current_correlation_id'),
           ('enqueue_job'), ('heuristic_config_id'), ('is_admin'), ('job_backlog'), ('job_stats'),
           ('model_call_stats'), ('price_in_force'), ('record_audit_event'), ('rollup_system_metrics'),
           ('route_latency_stats'), ('schema_version'), ('settle_job'), ('template_variables'),
           ('usage_cost'), ('uuid_v7')$$,
  'service_role may execute only the private functions its requests, pricing, the telemetry rollup, readiness and the job worker use.');
select is_empty(
  $$select c.relname from pg_catalog.pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind = 'S'$$,
  'public has no sequences to grant (every key is a uuid).');
select is_empty(
  $$select c.relname from pg_catalog.pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('v', 'm')
       and not coalesce('security_invoker=true' = any (c.reloptions), false)$$,
  'public has no views that could bypass RLS (every view runs as the invoker).');

select * from finish();
rollback;

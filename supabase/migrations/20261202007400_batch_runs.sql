-- Batch runs: one template version over one dataset version, with a
-- calibration's ranges or an explicit parameter set, a number of responses
-- per item. Creating a run materialises one result row per (item, repeat),
-- unique, so every repeat is its own row and a retry or resume can never
-- add a second one; workers claim pending rows with a lease, call the
-- model, and record each outcome once (a row already finished ignores a
-- late duplicate). The run keeps its progress and cost in the same
-- statement as the results. Users read runs and results through the Data
-- API and may cancel a run; everything else goes through the step
-- functions below, executable only by the functions' own database role.

create table public.batch_runs (
  id uuid primary key default private.uuid_v7(),
  user_id uuid not null,
  name text,
  template_version_id uuid not null,
  dataset_version_id uuid not null,
  calibration_id uuid,
  parameters jsonb,
  responses_per_item integer not null,
  model text not null,
  seed integer not null,
  concurrency integer not null default 8,
  status text not null default 'pending',
  total_results integer not null,
  succeeded_count integer not null default 0,
  failed_count integer not null default 0,
  cost_usd numeric not null default 0,
  unpriced_results integer not null default 0,
  error text,
  correlation_id uuid default private.current_correlation_id(),
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now(),
  constraint batch_runs_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade,
  constraint batch_runs_template_version_fkey foreign key (template_version_id, user_id)
    references public.prompt_template_versions (id, user_id),
  constraint batch_runs_dataset_version_fkey foreign key (dataset_version_id, user_id)
    references public.dataset_versions (id, user_id),
  constraint batch_runs_calibration_fkey foreign key (calibration_id, user_id)
    references public.calibrations (id, user_id),
  constraint batch_runs_id_user_id_key unique (id, user_id),
  constraint batch_runs_design_check check (num_nonnulls(calibration_id, parameters) = 1),
  constraint batch_runs_parameters_object check (parameters is null or jsonb_typeof(parameters) = 'object'),
  constraint batch_runs_responses_per_item_check check (responses_per_item between 1 and 10),
  constraint batch_runs_concurrency_check check (concurrency between 1 and 32),
  constraint batch_runs_status_check check (status in ('pending', 'running', 'completed', 'failed', 'cancelled')),
  constraint batch_runs_counts_check check (
    total_results >= 0 and succeeded_count >= 0 and failed_count >= 0 and unpriced_results >= 0
    and succeeded_count + failed_count <= total_results and cost_usd >= 0),
  constraint batch_runs_name_length check (char_length(name) <= 200),
  constraint batch_runs_model_length check (char_length(model) between 1 and 200),
  constraint batch_runs_error_length check (char_length(error) <= 2000)
);

comment on table public.batch_runs is 'A template version run over a dataset version: progress, cost and status.';
comment on column public.batch_runs.id is 'Primary key.';
comment on column public.batch_runs.user_id is 'Owner (auth.users.id).';
comment on column public.batch_runs.name is 'Optional label, at most 200 characters.';
comment on column public.batch_runs.template_version_id is 'The prompt template version every item is rendered with (same owner).';
comment on column public.batch_runs.dataset_version_id is 'The dataset version whose items are run (same owner).';
comment on column public.batch_runs.calibration_id is 'Parameters are drawn across this calibration''s ranges (same owner); or null with explicit parameters.';
comment on column public.batch_runs.parameters is 'The explicit parameter set of every response; or null with a calibration.';
comment on column public.batch_runs.responses_per_item is 'Responses per item, 1-10; each is its own result.';
comment on column public.batch_runs.model is 'Model name sent to the OpenAI-compatible endpoint.';
comment on column public.batch_runs.seed is 'Seed of the parameter design and of every call (offset per item and repeat).';
comment on column public.batch_runs.concurrency is 'Most model calls in flight at once, 1-32.';
comment on column public.batch_runs.status is 'pending, running, completed (every result succeeded), failed (some failed; resumable) or cancelled.';
comment on column public.batch_runs.total_results is 'Items × responses per item.';
comment on column public.batch_runs.succeeded_count is 'Results that succeeded.';
comment on column public.batch_runs.failed_count is 'Results that failed (a resume retries them).';
comment on column public.batch_runs.cost_usd is 'Sum of the priced results'' costs in USD.';
comment on column public.batch_runs.unpriced_results is 'Succeeded results whose cost is unknown; while above zero the run''s cost is incomplete.';
comment on column public.batch_runs.error is 'Why the run stopped, when it did.';
comment on column public.batch_runs.correlation_id is 'Correlation id of the request that created the run.';
comment on column public.batch_runs.created_at is 'When the run was created.';
comment on column public.batch_runs.started_at is 'When the first result was claimed.';
comment on column public.batch_runs.finished_at is 'When the run last completed, failed or was cancelled.';
comment on column public.batch_runs.updated_at is 'Last change (progress).';

create index batch_runs_user_id_created_at_idx on public.batch_runs (user_id, created_at desc);
create index batch_runs_template_version_id_user_id_idx on public.batch_runs (template_version_id, user_id);
create index batch_runs_dataset_version_id_user_id_idx on public.batch_runs (dataset_version_id, user_id);
create index batch_runs_calibration_id_user_id_idx on public.batch_runs (calibration_id, user_id);

revoke all on table public.batch_runs from anon, authenticated, service_role;
grant select on table public.batch_runs to authenticated, service_role;
grant update (status) on table public.batch_runs to authenticated, service_role;

create trigger batch_runs_set_updated_at before update on public.batch_runs
  for each row execute function private.set_updated_at();

/**
 * The status machine of a batch run: pending -> running | cancelled,
 * running -> completed | failed | cancelled, failed | cancelled -> running
 * (resume). A user (who may only update status) can only cancel.
 */
create or replace function private.check_batch_run_transition()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status is distinct from old.status then
    if not ((old.status = 'pending' and new.status in ('running', 'cancelled'))
         or (old.status = 'running' and new.status in ('completed', 'failed', 'cancelled'))
         or (old.status in ('failed', 'cancelled') and new.status = 'running')) then
      raise exception 'Invalid batch run status change: % -> %', old.status, new.status using errcode = '23514';
    end if;
    if current_user in ('authenticated', 'anon') and new.status <> 'cancelled' then
      raise exception 'A batch run can only be cancelled by its owner' using errcode = '42501';
    end if;
    if new.status in ('completed', 'failed', 'cancelled') then
      new.finished_at := pg_catalog.now();
    end if;
  end if;
  return new;
end
$$;

comment on function private.check_batch_run_transition() is
  'Trigger: enforces the batch run status machine; users may only cancel.';
revoke execute on function private.check_batch_run_transition() from public;

create trigger batch_runs_check_transition before update on public.batch_runs
  for each row execute function private.check_batch_run_transition();

alter table public.batch_runs enable row level security;

create policy "Users can read their own batch runs" on public.batch_runs
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can cancel their own batch runs" on public.batch_runs
  for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);

create table public.batch_results (
  id uuid primary key default private.uuid_v7(),
  run_id uuid not null,
  user_id uuid not null,
  item_id uuid not null,
  line_number integer not null,
  repeat integer not null,
  status text not null default 'pending',
  attempts integer not null default 0,
  lease_until timestamptz,
  prompt text,
  response jsonb,
  cost_usd numeric,
  error_code text,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  constraint batch_results_run_fkey foreign key (run_id, user_id)
    references public.batch_runs (id, user_id) on delete cascade,
  constraint batch_results_item_fkey foreign key (item_id, user_id)
    references public.dataset_items (id, user_id),
  constraint batch_results_run_id_item_id_repeat_key unique (run_id, item_id, repeat),
  constraint batch_results_repeat_check check (repeat between 0 and 9),
  constraint batch_results_status_check check (status in ('pending', 'running', 'succeeded', 'failed')),
  constraint batch_results_attempts_check check (attempts >= 0),
  constraint batch_results_response_object check (response is null or jsonb_typeof(response) = 'object'),
  constraint batch_results_cost_check check (cost_usd >= 0)
);

comment on table public.batch_results is 'One response of a batch run: one item, one repeat; unique, never duplicated.';
comment on column public.batch_results.id is 'Primary key.';
comment on column public.batch_results.run_id is 'The run (same owner).';
comment on column public.batch_results.user_id is 'Owner (auth.users.id).';
comment on column public.batch_results.item_id is 'The dataset item (same owner).';
comment on column public.batch_results.line_number is 'The item''s line in its CSV, for ordering and reading.';
comment on column public.batch_results.repeat is 'Which response of the item, 0-based; every repeat is its own row.';
comment on column public.batch_results.status is 'pending, running (claimed with a lease), succeeded or failed.';
comment on column public.batch_results.attempts is 'How many times a worker claimed it.';
comment on column public.batch_results.lease_until is 'A running result whose lease passed is claimed again (its worker is gone).';
comment on column public.batch_results.prompt is 'The rendered prompt sent to the model.';
comment on column public.batch_results.response is 'The response as generate stores one: text, parameters, usage, latency, metrics and cost, or the error.';
comment on column public.batch_results.cost_usd is 'The response''s cost in USD; null when unknown or failed.';
comment on column public.batch_results.error_code is 'Why the last attempt failed.';
comment on column public.batch_results.created_at is 'When the run was created.';
comment on column public.batch_results.finished_at is 'When the result was recorded.';

create index batch_results_user_id_idx on public.batch_results (user_id);
create index batch_results_run_id_user_id_idx on public.batch_results (run_id, user_id);
create index batch_results_item_id_user_id_idx on public.batch_results (item_id, user_id);
create index batch_results_claim_idx on public.batch_results (run_id, status, line_number, repeat);

revoke all on table public.batch_results from anon, authenticated, service_role;
grant select on table public.batch_results to authenticated, service_role;

alter table public.batch_results enable row level security;

create policy "Users can read their own batch results" on public.batch_results
  for select to authenticated using ((select auth.uid()) = user_id);

/**
 * Creates a run of the caller's template version over the caller's
 * completed dataset version, with a calibration of theirs or an explicit
 * parameter set, and one pending result per (item, repeat). Raises 404 when
 * the template version, dataset version or calibration is not the caller's,
 * 409 dataset_not_ready when the dataset version is not completed, and 400
 * missing_variables naming every template variable the dataset lacks.
 * Returns the run.
 */
create or replace function private.create_batch_run(
  p_claims jsonb,
  p_correlation_id uuid,
  p_run jsonb
) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  subject uuid := private.claims_subject(p_claims);
  template_version public.prompt_template_versions;
  dataset_version public.dataset_versions;
  missing text[];
  created public.batch_runs;
  per_item integer := (p_run ->> 'responses_per_item')::integer;
begin
  select * into template_version from public.prompt_template_versions as v
   where v.id = (p_run ->> 'template_version_id')::uuid and v.user_id = subject;
  if template_version.id is null then
    perform private.raise_http_error(404, 'template_not_found',
      'Prompt template version not found: ' || coalesce(p_run ->> 'template_version_id', '(none)'));
  end if;
  select * into dataset_version from public.dataset_versions as v
   where v.id = (p_run ->> 'dataset_version_id')::uuid and v.user_id = subject;
  if dataset_version.id is null then
    perform private.raise_http_error(404, 'dataset_version_not_found',
      'Dataset version not found: ' || coalesce(p_run ->> 'dataset_version_id', '(none)'));
  end if;
  if dataset_version.status <> 'completed' then
    perform private.raise_http_error(409, 'dataset_not_ready',
      'Dataset version ' || dataset_version.version || ' is ' || dataset_version.status || ', not completed');
  end if;
  if p_run ->> 'calibration_id' is not null and not exists (
       select 1 from public.calibrations as c
        where c.id = (p_run ->> 'calibration_id')::uuid and c.user_id = subject) then
    perform private.raise_http_error(404, 'calibration_not_found',
      'Calibration not found: ' || (p_run ->> 'calibration_id'));
  end if;
  select pg_catalog.array_agg(v order by o) into missing
    from unnest(template_version.variables) with ordinality as t(v, o)
   where v <> all (coalesce(dataset_version.columns, '{}'));
  if missing is not null then
    perform private.raise_http_error(400, 'missing_variables',
      'The dataset lacks variables of the template: ' || pg_catalog.array_to_string(missing, ', '),
      '{}');
  end if;

  perform pg_catalog.set_config('app.correlation_id', coalesce(p_correlation_id::text, ''), true);
  insert into public.batch_runs (user_id, name, template_version_id, dataset_version_id, calibration_id, parameters,
                                 responses_per_item, model, seed, concurrency, total_results)
  values (subject, p_run ->> 'name', template_version.id, dataset_version.id, (p_run ->> 'calibration_id')::uuid,
          p_run -> 'parameters', per_item, p_run ->> 'model', (p_run ->> 'seed')::integer,
          coalesce((p_run ->> 'concurrency')::integer, 8), dataset_version.saved_count * per_item)
  returning * into created;
  insert into public.batch_results (run_id, user_id, item_id, line_number, repeat)
  select created.id, subject, i.id, i.line_number, r.repeat
    from public.dataset_items as i
   cross join pg_catalog.generate_series(0, per_item - 1) as r(repeat)
   where i.dataset_version_id = dataset_version.id
   order by i.line_number, r.repeat;
  return pg_catalog.to_jsonb(created);
end
$$;

comment on function private.create_batch_run(jsonb, uuid, jsonb) is
  'Batch step: a run of the caller''s template version over their dataset version, one pending result per item and repeat.';
revoke execute on function private.create_batch_run(jsonb, uuid, jsonb) from public, anon, authenticated, service_role;

/**
 * Claims up to p_limit results of the caller's run for a worker: pending
 * ones, and running ones whose lease passed (their worker is gone), in item
 * and repeat order, leased for p_lease_seconds. A pending run becomes
 * running. Claims nothing unless the run is running. Returns
 * {"run": <the run>, "results": [{id, itemId, lineNumber, repeat, attempts,
 * values}]}.
 */
create or replace function private.claim_batch_results(
  p_claims jsonb,
  p_correlation_id uuid,
  p_run_id uuid,
  p_limit integer,
  p_lease_seconds integer default 120
) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  subject uuid := private.claims_subject(p_claims);
  run public.batch_runs;
  claimed jsonb;
begin
  update public.batch_runs as r
     set status = 'running', started_at = coalesce(r.started_at, pg_catalog.now())
   where r.id = p_run_id and r.user_id = subject and r.status = 'pending';
  select * into run from public.batch_runs as r where r.id = p_run_id and r.user_id = subject;
  if run.id is null then
    perform private.raise_http_error(404, 'batch_run_not_found', 'Batch run not found: ' || p_run_id::text);
  end if;
  if run.status <> 'running' then
    return pg_catalog.jsonb_build_object('run', pg_catalog.to_jsonb(run), 'results', '[]'::jsonb);
  end if;
  with chosen as (
    select b.id from public.batch_results as b
     where b.run_id = p_run_id
       and (b.status = 'pending' or (b.status = 'running' and b.lease_until < pg_catalog.now()))
     order by b.line_number, b.repeat
     limit greatest(p_limit, 0)
       for update skip locked
  ), leased as (
    update public.batch_results as b
       set status = 'running', attempts = b.attempts + 1,
           lease_until = pg_catalog.now() + pg_catalog.make_interval(secs => p_lease_seconds)
      from chosen
     where b.id = chosen.id
    returning b.id, b.item_id, b.line_number, b.repeat, b.attempts
  )
  select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
           'id', l.id, 'itemId', l.item_id, 'lineNumber', l.line_number, 'repeat', l.repeat,
           'attempts', l.attempts, 'values', i.item_values) order by l.line_number, l.repeat), '[]')
    into claimed
    from leased as l
    join public.dataset_items as i on i.id = l.item_id;
  return pg_catalog.jsonb_build_object('run', pg_catalog.to_jsonb(run), 'results', claimed);
end
$$;

comment on function private.claim_batch_results(jsonb, uuid, uuid, integer, integer) is
  'Batch step: lease up to n pending (or abandoned) results of the caller''s running run.';
revoke execute on function private.claim_batch_results(jsonb, uuid, uuid, integer, integer)
  from public, anon, authenticated, service_role;

/**
 * Records outcomes of claimed results of the caller's run, in one
 * statement: p_results [{id, status: succeeded|failed, prompt, response,
 * errorCode}]. Each succeeded response is priced with the run model's price
 * in force now (response.cost = {usd, priceId} or null). Only a result that
 * is still running is recorded, so a late or repeated record changes
 * nothing; the run's counts and cost grow by what was recorded. Returns the
 * run.
 */
create or replace function private.record_batch_results(
  p_claims jsonb,
  p_correlation_id uuid,
  p_run_id uuid,
  p_results jsonb
) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  subject uuid := private.claims_subject(p_claims);
  run public.batch_runs;
  price public.model_prices;
begin
  select * into run from public.batch_runs as r where r.id = p_run_id and r.user_id = subject for update;
  if run.id is null then
    perform private.raise_http_error(404, 'batch_run_not_found', 'Batch run not found: ' || p_run_id::text);
  end if;
  price := private.price_in_force(subject, run.model, pg_catalog.now());
  with incoming as (
    select (x ->> 'id')::uuid as id, x ->> 'status' as status, x ->> 'prompt' as prompt,
           case when x ->> 'status' = 'succeeded'
                then (x -> 'response') || pg_catalog.jsonb_build_object(
                       'cost', private.usage_cost(price, x -> 'response' -> 'usage'))
                else x -> 'response' end as response,
           x ->> 'errorCode' as error_code
      from pg_catalog.jsonb_array_elements(coalesce(p_results, '[]')) as x
     where x ->> 'status' in ('succeeded', 'failed')
  ), recorded as (
    update public.batch_results as b
       set status = i.status, prompt = i.prompt, response = i.response, error_code = i.error_code,
           cost_usd = (nullif(i.response -> 'cost', 'null'::jsonb) ->> 'usd')::numeric,
           lease_until = null, finished_at = pg_catalog.now()
      from incoming as i
     where b.id = i.id and b.run_id = p_run_id and b.status = 'running'
    returning b.status, b.cost_usd
  )
  update public.batch_runs as r
     set succeeded_count = r.succeeded_count + t.succeeded,
         failed_count = r.failed_count + t.failed,
         cost_usd = r.cost_usd + t.cost,
         unpriced_results = r.unpriced_results + t.unpriced
    from (select count(*) filter (where status = 'succeeded')::integer as succeeded,
                 count(*) filter (where status = 'failed')::integer as failed,
                 coalesce(sum(cost_usd), 0) as cost,
                 count(*) filter (where status = 'succeeded' and cost_usd is null)::integer as unpriced
            from recorded) as t
   where r.id = p_run_id
  returning r.* into run;
  return pg_catalog.to_jsonb(run);
end
$$;

comment on function private.record_batch_results(jsonb, uuid, uuid, jsonb) is
  'Batch step: record claimed results once each, priced, with the run''s counts and cost.';
revoke execute on function private.record_batch_results(jsonb, uuid, uuid, jsonb) from public, anon, authenticated, service_role;

/**
 * Ends the caller's running run once nothing is pending or running:
 * completed when every result succeeded, else failed (resumable). A run
 * with work left, or not running, is returned unchanged. Returns the run.
 */
create or replace function private.finish_batch_run(p_claims jsonb, p_correlation_id uuid, p_run_id uuid)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  subject uuid := private.claims_subject(p_claims);
  run public.batch_runs;
begin
  update public.batch_runs as r
     set status = case when r.failed_count = 0 then 'completed' else 'failed' end,
         error = case when r.failed_count = 0 then null
                      else r.failed_count || ' of ' || r.total_results || ' results failed: resume to retry them' end
   where r.id = p_run_id and r.user_id = subject and r.status = 'running'
     and not exists (select 1 from public.batch_results as b
                      where b.run_id = p_run_id and b.status in ('pending', 'running'));
  select * into run from public.batch_runs as r where r.id = p_run_id and r.user_id = subject;
  if run.id is null then
    perform private.raise_http_error(404, 'batch_run_not_found', 'Batch run not found: ' || p_run_id::text);
  end if;
  return pg_catalog.to_jsonb(run);
end
$$;

comment on function private.finish_batch_run(jsonb, uuid, uuid) is
  'Batch step: the caller''s run to completed or failed once no result is pending or running.';
revoke execute on function private.finish_batch_run(jsonb, uuid, uuid) from public, anon, authenticated, service_role;

/**
 * Resumes the caller's failed or cancelled run: its failed results go back
 * to pending (their counts with them) and the run to running; succeeded
 * results are kept. A running, pending or completed run is returned
 * unchanged. Returns the run.
 */
create or replace function private.resume_batch_run(p_claims jsonb, p_correlation_id uuid, p_run_id uuid)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  subject uuid := private.claims_subject(p_claims);
  run public.batch_runs;
  retried integer;
begin
  select * into run from public.batch_runs as r where r.id = p_run_id and r.user_id = subject for update;
  if run.id is null then
    perform private.raise_http_error(404, 'batch_run_not_found', 'Batch run not found: ' || p_run_id::text);
  end if;
  if run.status not in ('failed', 'cancelled') then
    return pg_catalog.to_jsonb(run);
  end if;
  update public.batch_results as b
     set status = 'pending', lease_until = null
   where b.run_id = p_run_id and b.status = 'failed';
  get diagnostics retried = row_count;
  update public.batch_runs as r
     set status = 'running', error = null, failed_count = r.failed_count - retried
   where r.id = p_run_id
  returning r.* into run;
  return pg_catalog.to_jsonb(run);
end
$$;

comment on function private.resume_batch_run(jsonb, uuid, uuid) is
  'Batch step: a failed or cancelled run back to running with only its failed results pending again.';
revoke execute on function private.resume_batch_run(jsonb, uuid, uuid) from public, anon, authenticated, service_role;

/**
 * What a worker needs once per run of the caller's: {"run", "template":
 * {id, name, version, body, systemPrompt}, "ranges": the calibration's
 * range columns, or null with explicit parameters}. 404 batch_run_not_found.
 */
create or replace function private.batch_run_context(p_claims jsonb, p_correlation_id uuid, p_run_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  subject uuid := private.claims_subject(p_claims);
  context jsonb;
begin
  select pg_catalog.jsonb_build_object(
           'run', pg_catalog.to_jsonb(r),
           'template', pg_catalog.jsonb_build_object('id', v.id, 'templateId', v.template_id, 'name', t.name,
             'version', v.version, 'body', v.body, 'systemPrompt', v.system_prompt,
             'variables', pg_catalog.to_jsonb(v.variables), 'defaultParameters', v.default_parameters),
           'ranges', case when c.id is null then null else pg_catalog.jsonb_build_object(
             'temperature_min', c.temperature_min::float8, 'temperature_max', c.temperature_max::float8,
             'top_p_min', c.top_p_min::float8, 'top_p_max', c.top_p_max::float8,
             'max_tokens_min', c.max_tokens_min, 'max_tokens_max', c.max_tokens_max,
             'frequency_penalty_min', c.frequency_penalty_min::float8,
             'frequency_penalty_max', c.frequency_penalty_max::float8) end)
    into context
    from public.batch_runs as r
    join public.prompt_template_versions as v on v.id = r.template_version_id
    join public.prompt_templates as t on t.id = v.template_id
    left join public.calibrations as c on c.id = r.calibration_id
   where r.id = p_run_id and r.user_id = subject;
  if context is null then
    perform private.raise_http_error(404, 'batch_run_not_found', 'Batch run not found: ' || p_run_id::text);
  end if;
  return context;
end
$$;

comment on function private.batch_run_context(jsonb, uuid, uuid) is
  'Batch step: the caller''s run with its template version and calibration ranges.';
revoke execute on function private.batch_run_context(jsonb, uuid, uuid) from public, anon, authenticated, service_role;

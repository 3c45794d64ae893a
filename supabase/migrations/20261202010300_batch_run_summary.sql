-- A batch run's summary (issue 17, item 5): scores, latency, cost and
-- failures for the run's template version, in total and per bin of one
-- sampling parameter across the run's calibration range. One public
-- function, run as the caller under RLS, so it reads only their own run and
-- results; the SDK calls it through the Data API's rpc.

/**
 * The summary of the caller's run p_run_id, its results grouped into
 * p_bins bins of p_parameter over the calibration's range (one bin with
 * explicit parameters). Cost is known only when every succeeded result is
 * priced: costUsd is null otherwise, with knownCostUsd and unpricedResults
 * saying how much is known. Raises 404 batch_run_not_found for a run that is
 * missing or someone else's, 400 invalid_request for a bad parameter or bin
 * count.
 */
create or replace function public.batch_run_summary(
  p_run_id uuid,
  p_parameter text default 'temperature',
  p_bins integer default 5
) returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  run public.batch_runs;
  template jsonb;
  lo numeric;
  hi numeric;
  bins integer := p_bins;
  totals jsonb;
  per_bin jsonb;
begin
  if p_parameter is null or p_parameter not in ('temperature', 'top_p', 'max_tokens', 'frequency_penalty') then
    perform private.raise_http_error(400, 'invalid_request',
      'Cannot summarise the run: "parameter" must be temperature, top_p, max_tokens or frequency_penalty');
  end if;
  if p_bins is null or p_bins < 1 or p_bins > 50 then
    perform private.raise_http_error(400, 'invalid_request',
      'Cannot summarise the run: "bins" must be between 1 and 50');
  end if;
  select * into run from public.batch_runs as r where r.id = p_run_id;
  if run.id is null then
    perform private.raise_http_error(404, 'batch_run_not_found', 'Batch run not found: ' || p_run_id::text);
  end if;
  select pg_catalog.jsonb_build_object('id', v.id, 'templateId', t.id, 'name', t.name, 'version', v.version)
    into template
    from public.prompt_template_versions as v
    join public.prompt_templates as t on t.id = v.template_id
   where v.id = run.template_version_id;
  if run.calibration_id is not null then
    select case p_parameter
             when 'temperature' then c.temperature_min when 'top_p' then c.top_p_min
             when 'max_tokens' then c.max_tokens_min else c.frequency_penalty_min end,
           case p_parameter
             when 'temperature' then c.temperature_max when 'top_p' then c.top_p_max
             when 'max_tokens' then c.max_tokens_max else c.frequency_penalty_max end
      into lo, hi
      from public.calibrations as c where c.id = run.calibration_id;
  else
    lo := (run.parameters ->> p_parameter)::numeric;
    hi := lo;
  end if;
  if hi is null or lo is null or hi <= lo then
    bins := 1;
  end if;

  with results as (
    select b.status, b.cost_usd, b.error_code,
           (b.response ->> 'latencyMs')::numeric as latency_ms,
           b.response -> 'metrics' as metrics,
           -- A result not yet answered has no parameters: it counts in the totals only.
           case when b.response is null then null
                when bins = 1 then 1
                else least(bins, greatest(1, pg_catalog.width_bucket(
                       (b.response -> 'parameters' ->> p_parameter)::numeric, lo, hi, bins))) end as bin
      from public.batch_results as b
     where b.run_id = p_run_id
  ), grouped as (
    select r.bin,
           count(*) as results,
           count(*) filter (where r.status = 'succeeded') as succeeded,
           count(*) filter (where r.status = 'failed') as failed,
           count(*) filter (where r.status in ('pending', 'running')) as pending,
           count(*) filter (where r.status = 'succeeded' and r.cost_usd is null) as unpriced,
           coalesce(sum(r.cost_usd), 0) as known_cost,
           avg(r.latency_ms) filter (where r.status = 'succeeded') as mean_latency,
           percentile_cont(0.5) within group (order by r.latency_ms) filter (where r.status = 'succeeded') as p50_latency,
           percentile_cont(0.95) within group (order by r.latency_ms) filter (where r.status = 'succeeded') as p95_latency,
           avg((r.metrics ->> 'creativity')::numeric) filter (where r.status = 'succeeded') as creativity,
           avg((r.metrics ->> 'coherence')::numeric) filter (where r.status = 'succeeded') as coherence,
           avg((r.metrics ->> 'structure')::numeric) filter (where r.status = 'succeeded') as structure,
           avg((r.metrics ->> 'completeness')::numeric) filter (where r.status = 'succeeded') as completeness,
           grouping(r.bin) = 1 as is_total
      from results as r
     group by grouping sets ((r.bin), ())
  ), failure_counts as (
    select r.bin, coalesce(r.error_code, 'unknown') as code, count(*) as n
      from results as r
     where r.status = 'failed'
     group by r.bin, coalesce(r.error_code, 'unknown')
  ), failures as (
    select false as is_total, c.bin, pg_catalog.jsonb_object_agg(c.code, c.n) as by_code
      from failure_counts as c group by c.bin
    union all
    select true, null, pg_catalog.jsonb_object_agg(t.code, t.n)
      from (select c.code, sum(c.n) as n from failure_counts as c group by c.code) as t
    having count(*) > 0
  ), shaped as (
    select g.is_total, g.bin, pg_catalog.jsonb_build_object(
             'results', g.results, 'succeeded', g.succeeded, 'failed', g.failed, 'pending', g.pending,
             'costUsd', case when g.unpriced = 0 then round(g.known_cost, 10) end,
             'knownCostUsd', round(g.known_cost, 10), 'unpricedResults', g.unpriced,
             'meanLatencyMs', round(g.mean_latency, 1), 'p50LatencyMs', g.p50_latency, 'p95LatencyMs', g.p95_latency,
             'meanScores', case when g.succeeded = 0 then null else pg_catalog.jsonb_build_object(
               'creativity', round(g.creativity, 4), 'coherence', round(g.coherence, 4),
               'structure', round(g.structure, 4), 'completeness', round(g.completeness, 4)) end,
             'failuresByCode', coalesce(f.by_code, '{}'::jsonb)) as figures
      from grouped as g
      left join failures as f on f.is_total = g.is_total and f.bin is not distinct from g.bin
  )
  select (select s.figures from shaped as s where s.is_total),
         coalesce((select pg_catalog.jsonb_agg(s.figures || pg_catalog.jsonb_build_object(
                     'bin', s.bin,
                     'from', case when bins = 1 then lo else lo + (hi - lo) * (s.bin - 1) / bins end,
                     'to', case when bins = 1 then hi else lo + (hi - lo) * s.bin / bins end)
                     order by s.bin)
                     from shaped as s where not s.is_total and s.bin is not null), '[]'::jsonb)
    into totals, per_bin;

  return pg_catalog.jsonb_build_object(
    'runId', run.id, 'status', run.status, 'model', run.model, 'template', template,
    'parameter', p_parameter, 'bins', bins,
    'totals', coalesce(totals, pg_catalog.jsonb_build_object(
      'results', 0, 'succeeded', 0, 'failed', 0, 'pending', 0, 'costUsd', 0, 'knownCostUsd', 0,
      'unpricedResults', 0, 'meanLatencyMs', null, 'p50LatencyMs', null, 'p95LatencyMs', null,
      'meanScores', null, 'failuresByCode', '{}'::jsonb)),
    'byBin', per_bin);
end
$$;

comment on function public.batch_run_summary(uuid, text, integer) is
  'As the caller: a batch run''s scores, latency, cost and failures, in total and per bin of a sampling parameter.';
revoke execute on function public.batch_run_summary(uuid, text, integer) from public, anon;
grant execute on function public.batch_run_summary(uuid, text, integer) to authenticated;

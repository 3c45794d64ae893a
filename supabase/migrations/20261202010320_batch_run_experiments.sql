-- A completed batch run becomes experiments, so everything built on
-- experiments reaches its results: the exports (POST /exports with
-- filter.runId), the per-calibration analytics, ratings and judges. An item
-- of a run is what generate calls an experiment - one rendered prompt, its
-- responses spread across the calibration's ranges by the same seeded
-- design - so each item becomes one experiment whose responses are its
-- repeats. They are written once, when the run completes (every result
-- succeeded), and never rewritten: a failed run is resumed until it
-- completes, and a run with an explicit parameter set has no calibration
-- to belong to, so it has no experiments (its results and summary stay
-- readable through the Data API).

alter table public.experiments
  add column batch_run_id uuid,
  add constraint experiments_batch_run_fkey foreign key (batch_run_id, user_id)
    references public.batch_runs (id, user_id);

comment on column public.experiments.batch_run_id is 'The batch run (same owner) this experiment is one item of; null for generate''s experiments.';

create index experiments_batch_run_id_user_id_idx on public.experiments (batch_run_id, user_id);

/**
 * Ends the caller's running run once nothing is pending or running:
 * completed when every result succeeded, else failed (resumable). A run
 * with work left, or not running, is returned unchanged. When it completes
 * with a calibration, each of its items becomes one experiment (the item's
 * rendered prompt, its repeats as responses in repeat order, the design's
 * seed and parameter sets, the template version and the item's values as
 * variables), and batch_run_completed is audited under the run's
 * correlation id. Returns the run.
 */
create or replace function private.finish_batch_run(p_claims jsonb, p_correlation_id uuid, p_run_id uuid)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  subject uuid := private.claims_subject(p_claims);
  run public.batch_runs;
  made integer := 0;
begin
  update public.batch_runs as r
     set status = case when r.failed_count = 0 then 'completed' else 'failed' end,
         error = case when r.failed_count = 0 then null
                      else r.failed_count || ' of ' || r.total_results || ' results failed: resume to retry them' end
   where r.id = p_run_id and r.user_id = subject and r.status = 'running'
     and not exists (select 1 from public.batch_results as b
                      where b.run_id = p_run_id and b.status in ('pending', 'running'))
  returning r.* into run;
  if run.id is not null and run.status = 'completed' then
    -- The analytics trigger's audit events join the run's trail.
    perform pg_catalog.set_config('app.correlation_id', coalesce(run.correlation_id::text, ''), true);
    if run.calibration_id is not null then
      insert into public.experiments (id, user_id, calibration_id, prompt, model, parameters, responses, status,
                                      latency_ms, correlation_id, template_version_id, template_variables,
                                      batch_run_id)
      select private.uuid_v7(), run.user_id, run.calibration_id, min(b.prompt), run.model,
             pg_catalog.jsonb_build_object(
               'model', run.model,
               -- The item's design seed, as execute.ts's callSeed(seed, line, 0).
               'seed', ((run.seed::bigint + b.line_number::bigint * 10) % 2147483648)::integer,
               'design', 'latin-hypercube', 'numResponses', run.responses_per_item,
               'sets', pg_catalog.jsonb_agg(b.response -> 'parameters' order by b.repeat)),
             pg_catalog.jsonb_agg(b.response order by b.repeat), 'completed',
             max((b.response ->> 'latencyMs')::integer), run.correlation_id, run.template_version_id,
             i.item_values, run.id
        from public.batch_results as b
        join public.dataset_items as i on i.id = b.item_id
       where b.run_id = run.id
       group by b.item_id, b.line_number, i.item_values
      -- generate refuses longer prompts; such an item keeps only its results.
      having max(char_length(b.prompt)) <= 32000
       order by b.line_number;
      get diagnostics made = row_count;
    end if;
    insert into public.audit_logs (user_id, event_type, event_data, correlation_id, source)
    values (run.user_id, 'batch_run_completed',
            pg_catalog.jsonb_build_object('runId', run.id, 'results', run.total_results, 'experiments', made,
                                          'costUsd', run.cost_usd, 'unpricedResults', run.unpriced_results),
            run.correlation_id, 'database');
  end if;
  if run.id is null then
    select * into run from public.batch_runs as r where r.id = p_run_id and r.user_id = subject;
  end if;
  if run.id is null then
    perform private.raise_http_error(404, 'batch_run_not_found', 'Batch run not found: ' || p_run_id::text);
  end if;
  return pg_catalog.to_jsonb(run);
end
$$;

comment on function private.finish_batch_run(jsonb, uuid, uuid) is
  'Batch step: the caller''s run to completed (its items as experiments) or failed once no result is pending or running.';
revoke execute on function private.finish_batch_run(jsonb, uuid, uuid) from public, anon, authenticated, service_role;

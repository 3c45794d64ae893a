-- Analytics summaries: one row per (user, calibration), kept current by
-- triggers on experiments in O(1) per change: running counts and sums, never
-- a rescan. An experiment counts while it is not discarded and has at least
-- one scored response; metric averages are over scored responses, latency
-- over experiments. metrics_summary is derived from the counters by a
-- trigger on this table, so it can never disagree with them.

create table public.analytics_summaries (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  calibration_id uuid not null,
  experiment_count integer not null default 0,
  response_count integer not null default 0,
  sum_creativity double precision not null default 0,
  sum_coherence double precision not null default 0,
  sum_structure double precision not null default 0,
  sum_completeness double precision not null default 0,
  sum_latency_ms bigint not null default 0,
  metrics_summary jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint analytics_summaries_user_calibration_key unique (user_id, calibration_id),
  constraint analytics_summaries_calibration_fkey foreign key (calibration_id, user_id)
    references public.calibrations (id, user_id) on delete cascade,
  constraint analytics_summaries_counts_check check (experiment_count >= 0 and response_count >= 0)
);

comment on table public.analytics_summaries is 'Per-calibration running analytics, maintained by triggers on experiments.';
comment on column public.analytics_summaries.id is 'Primary key.';
comment on column public.analytics_summaries.user_id is 'Owner (auth.users.id).';
comment on column public.analytics_summaries.calibration_id is 'The calibration these experiments used (same owner).';
comment on column public.analytics_summaries.experiment_count is 'Counted experiments: not discarded, at least one scored response.';
comment on column public.analytics_summaries.response_count is 'Scored responses in the counted experiments.';
comment on column public.analytics_summaries.sum_creativity is 'Sum of creativity over scored responses.';
comment on column public.analytics_summaries.sum_coherence is 'Sum of coherence over scored responses.';
comment on column public.analytics_summaries.sum_structure is 'Sum of structure over scored responses.';
comment on column public.analytics_summaries.sum_completeness is 'Sum of completeness over scored responses.';
comment on column public.analytics_summaries.sum_latency_ms is 'Sum of experiment latency_ms over counted experiments.';
comment on column public.analytics_summaries.metrics_summary is '{count, responseCount, avgCreativity, avgCoherence, avgStructure, avgCompleteness, avgLatency}; averages null when count is 0.';
comment on column public.analytics_summaries.created_at is 'When the first experiment of this calibration was counted.';
comment on column public.analytics_summaries.updated_at is 'Last change to the counters.';

create index analytics_summaries_calibration_id_user_id_idx on public.analytics_summaries (calibration_id, user_id);

revoke all on table public.analytics_summaries from anon, authenticated, service_role;
grant select on table public.analytics_summaries to authenticated, service_role;

/** Derives metrics_summary from the counters on every write. */
create or replace function private.derive_metrics_summary() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  responses integer := new.response_count;
  experiments integer := new.experiment_count;
begin
  new.metrics_summary := jsonb_build_object(
    'count', experiments,
    'responseCount', responses,
    'avgCreativity', case when responses > 0 then round((new.sum_creativity / responses)::numeric, 4) end,
    'avgCoherence', case when responses > 0 then round((new.sum_coherence / responses)::numeric, 4) end,
    'avgStructure', case when responses > 0 then round((new.sum_structure / responses)::numeric, 4) end,
    'avgCompleteness', case when responses > 0 then round((new.sum_completeness / responses)::numeric, 4) end,
    'avgLatency', case when experiments > 0 then round(new.sum_latency_ms::numeric / experiments, 1) end
  );
  if tg_op = 'UPDATE' then
    new.updated_at := now();
  end if;
  return new;
end
$$;
comment on function private.derive_metrics_summary() is 'Trigger: recomputes metrics_summary from the running counters.';
revoke execute on function private.derive_metrics_summary() from public;

create trigger analytics_summaries_derive_metrics before insert or update on public.analytics_summaries
  for each row execute function private.derive_metrics_summary();

alter table public.analytics_summaries enable row level security;

create policy "Users can read their own analytics" on public.analytics_summaries
  for select to authenticated using ((select auth.uid()) = user_id);

/**
 * Adds (sign 1) or removes (sign -1) one experiment's contribution to its
 * summary with one atomic row update (an upsert when adding), so concurrent
 * writers never lose an update. Experiments without a scored response contribute nothing.
 * Writes an analytics_updated audit event with the request's correlation id.
 */
create or replace function private.apply_experiment_to_analytics(e public.experiments, sign integer)
returns void
language plpgsql
set search_path = ''
as $$
declare
  scored integer;
  s_creativity double precision;
  s_coherence double precision;
  s_structure double precision;
  s_completeness double precision;
  summary jsonb;
begin
  select count(*),
         coalesce(sum((r -> 'metrics' ->> 'creativity')::double precision), 0),
         coalesce(sum((r -> 'metrics' ->> 'coherence')::double precision), 0),
         coalesce(sum((r -> 'metrics' ->> 'structure')::double precision), 0),
         coalesce(sum((r -> 'metrics' ->> 'completeness')::double precision), 0)
    into scored, s_creativity, s_coherence, s_structure, s_completeness
    from jsonb_array_elements(e.responses) as r
   where r ->> 'status' = 'succeeded' and jsonb_typeof(r -> 'metrics') = 'object';

  if scored = 0 then
    return;
  end if;

  if sign > 0 then
    insert into public.analytics_summaries as a (
      user_id, calibration_id, experiment_count, response_count,
      sum_creativity, sum_coherence, sum_structure, sum_completeness, sum_latency_ms)
    values (e.user_id, e.calibration_id, 1, scored,
            s_creativity, s_coherence, s_structure, s_completeness, e.latency_ms)
    on conflict (user_id, calibration_id) do update set
      experiment_count = a.experiment_count + excluded.experiment_count,
      response_count = a.response_count + excluded.response_count,
      sum_creativity = a.sum_creativity + excluded.sum_creativity,
      sum_coherence = a.sum_coherence + excluded.sum_coherence,
      sum_structure = a.sum_structure + excluded.sum_structure,
      sum_completeness = a.sum_completeness + excluded.sum_completeness,
      sum_latency_ms = a.sum_latency_ms + excluded.sum_latency_ms
    returning a.metrics_summary into summary;
  else
    -- A plain update: when a user or calibration is deleted the summary may
    -- already be gone by cascade, and then there is nothing to subtract from.
    update public.analytics_summaries as a set
      experiment_count = a.experiment_count - 1,
      response_count = a.response_count - scored,
      sum_creativity = a.sum_creativity - s_creativity,
      sum_coherence = a.sum_coherence - s_coherence,
      sum_structure = a.sum_structure - s_structure,
      sum_completeness = a.sum_completeness - s_completeness,
      sum_latency_ms = a.sum_latency_ms - e.latency_ms
    where a.user_id = e.user_id and a.calibration_id = e.calibration_id
    returning a.metrics_summary into summary;
    if not found then
      return;
    end if;
  end if;

  perform private.record_audit_event(
    'analytics_updated',
    jsonb_build_object('calibrationId', e.calibration_id, 'experimentId', e.id,
                       'change', case when sign > 0 then 'added' else 'removed' end,
                       'metricsSummary', summary),
    'database', e.user_id);
end
$$;
comment on function private.apply_experiment_to_analytics(public.experiments, integer) is
  'Adds or removes one experiment''s contribution to its analytics summary in O(1).';
revoke execute on function private.apply_experiment_to_analytics(public.experiments, integer) from public;

/** Trigger on experiments: keeps analytics_summaries in step with inserts, discards and deletes. */
create or replace function private.experiments_maintain_analytics() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if not new.discarded then
      perform private.apply_experiment_to_analytics(new, 1);
    end if;
  elsif tg_op = 'UPDATE' then
    if old.discarded and not new.discarded then
      perform private.apply_experiment_to_analytics(new, 1);
    elsif not old.discarded and new.discarded then
      perform private.apply_experiment_to_analytics(old, -1);
    end if;
  elsif tg_op = 'DELETE' then
    if not old.discarded then
      perform private.apply_experiment_to_analytics(old, -1);
    end if;
  end if;
  return null;
end
$$;
comment on function private.experiments_maintain_analytics() is
  'Trigger: applies experiment inserts, discard flips and deletes to analytics_summaries.';
revoke execute on function private.experiments_maintain_analytics() from public;

create trigger experiments_maintain_analytics
  after insert or delete or update of discarded on public.experiments
  for each row execute function private.experiments_maintain_analytics();

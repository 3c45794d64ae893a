-- Experiments: one prompt, several responses spread across a calibration's
-- ranges, each scored. Prompts, parameters and responses are never rewritten;
-- the owner may only flip saved/discarded (column grants below).

-- Lets experiments reference (calibration, owner) so an experiment can only
-- point at a calibration of the same user, whoever inserts it.
alter table public.calibrations add constraint calibrations_id_user_id_key unique (id, user_id);

create table public.experiments (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  calibration_id uuid not null,
  prompt text not null,
  model text not null,
  parameters jsonb not null,
  responses jsonb not null,
  status text not null,
  saved boolean not null default false,
  discarded boolean not null default false,
  latency_ms integer not null,
  correlation_id uuid default private.current_correlation_id(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint experiments_calibration_fkey foreign key (calibration_id, user_id)
    references public.calibrations (id, user_id),
  constraint experiments_prompt_length check (char_length(prompt) between 1 and 32000),
  constraint experiments_model_length check (char_length(model) between 1 and 200),
  constraint experiments_parameters_object check (jsonb_typeof(parameters) = 'object'),
  constraint experiments_responses_array check (
    jsonb_typeof(responses) = 'array' and jsonb_array_length(responses) between 1 and 10),
  constraint experiments_status_check check (status in ('completed', 'partial', 'failed')),
  constraint experiments_latency_check check (latency_ms >= 0)
);

comment on table public.experiments is 'One generation run: a prompt answered several times across a calibration''s ranges.';
comment on column public.experiments.id is 'Primary key.';
comment on column public.experiments.user_id is 'Owner (auth.users.id); defaults to the caller.';
comment on column public.experiments.calibration_id is 'Calibration whose ranges the parameters were drawn from (same owner).';
comment on column public.experiments.prompt is 'The user''s prompt, 1-32000 characters.';
comment on column public.experiments.model is 'Model name sent to the OpenAI-compatible endpoint.';
comment on column public.experiments.parameters is 'Run configuration: model, seed, design and the parameter set of every response.';
comment on column public.experiments.responses is 'Array of responses: text, parameters, finishReason, usage, latencyMs, metrics or error.';
comment on column public.experiments.status is 'completed (all responses succeeded), partial (some failed) or failed (none succeeded).';
comment on column public.experiments.saved is 'Kept by the user.';
comment on column public.experiments.discarded is 'Dismissed by the user; excluded from analytics.';
comment on column public.experiments.latency_ms is 'Wall time of the model calls, in milliseconds.';
comment on column public.experiments.correlation_id is 'Correlation id of the request that created the row.';
comment on column public.experiments.created_at is 'When the experiment was stored.';
comment on column public.experiments.updated_at is 'Last change (saved/discarded).';

create index experiments_user_id_created_at_idx on public.experiments (user_id, created_at desc);
create index experiments_calibration_id_user_id_idx on public.experiments (calibration_id, user_id);
create index experiments_correlation_id_idx on public.experiments (correlation_id);

revoke all on table public.experiments from anon, authenticated, service_role;
grant select, insert, delete on table public.experiments to authenticated, service_role;
grant update (saved, discarded) on table public.experiments to authenticated, service_role;

create trigger experiments_set_updated_at before update on public.experiments
  for each row execute function private.set_updated_at();

alter table public.experiments enable row level security;

create policy "Users can read their own experiments" on public.experiments
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can create their own experiments" on public.experiments
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Users can update their own experiments" on public.experiments
  for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);
create policy "Users can delete their own experiments" on public.experiments
  for delete to authenticated using ((select auth.uid()) = user_id);

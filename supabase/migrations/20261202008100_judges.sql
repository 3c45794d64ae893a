-- LLM judges: a judge is a named rubric; each version fixes the rubric, the
-- score config it rates, the model and its parameters, so a verdict always
-- says exactly what produced it. Versions never change (a new version is a
-- new row). A verdict is one judge version's reading of one response: scored,
-- or unparsable with the raw reply kept, never both; a call that failed
-- leaves no verdict, so the next run tries that response again.

-- Lets verdicts, ratings and shared items reference (experiment, owner), so a
-- row about a response always belongs to that response's owner.
alter table public.experiments add constraint experiments_id_user_id_key unique (id, user_id);

create table public.judges (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  name text not null,
  created_at timestamptz not null default now(),
  constraint judges_name_length check (char_length(name) between 1 and 200),
  constraint judges_user_id_name_key unique (user_id, name),
  constraint judges_id_user_id_key unique (id, user_id)
);

comment on table public.judges is 'A named LLM judge; its versions hold the rubric and model.';
comment on column public.judges.id is 'Primary key.';
comment on column public.judges.user_id is 'Owner (auth.users.id).';
comment on column public.judges.name is 'Name, unique per owner.';
comment on column public.judges.created_at is 'When the judge was created.';

revoke all on table public.judges from anon, authenticated, service_role;
grant select, insert, delete on table public.judges to authenticated, service_role;

alter table public.judges enable row level security;

create policy "Users can read their own judges" on public.judges
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can create their own judges" on public.judges
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Users can delete their own judges" on public.judges
  for delete to authenticated using ((select auth.uid()) = user_id);

create table public.judge_versions (
  id uuid primary key default gen_random_uuid(),
  judge_id uuid not null,
  user_id uuid not null default auth.uid(),
  version integer not null,
  rubric text not null,
  config_id uuid not null references public.score_configs (id),
  model text not null,
  parameters jsonb not null,
  created_at timestamptz not null default now(),
  constraint judge_versions_judge_fkey foreign key (judge_id, user_id)
    references public.judges (id, user_id) on delete cascade,
  constraint judge_versions_judge_id_version_key unique (judge_id, version),
  constraint judge_versions_version_check check (version >= 1),
  constraint judge_versions_rubric_length check (char_length(rubric) between 1 and 8000),
  constraint judge_versions_model_length check (char_length(model) between 1 and 200),
  constraint judge_versions_parameters_object check (jsonb_typeof(parameters) = 'object')
);

comment on table public.judge_versions is 'An immutable version of a judge: rubric, the config it scores, model and parameters.';
comment on column public.judge_versions.id is 'Primary key.';
comment on column public.judge_versions.judge_id is 'The judge this is a version of (same owner).';
comment on column public.judge_versions.user_id is 'Owner (auth.users.id); defaults to the caller.';
comment on column public.judge_versions.version is 'Version number, 1, 2, 3, … per judge.';
comment on column public.judge_versions.rubric is 'What the judge is told to assess; the prompt and response are appended.';
comment on column public.judge_versions.config_id is 'The score config the judge''s score is a rating of (numeric).';
comment on column public.judge_versions.model is 'Model name sent to the OpenAI-compatible endpoint.';
comment on column public.judge_versions.parameters is 'Sampling parameters of the judge''s calls (temperature, top_p, max_tokens, frequency_penalty, seed).';
comment on column public.judge_versions.created_at is 'When the version was created.';

create index judge_versions_user_id_idx on public.judge_versions (user_id);
create index judge_versions_judge_id_user_id_idx on public.judge_versions (judge_id, user_id);
create index judge_versions_config_id_idx on public.judge_versions (config_id);

revoke all on table public.judge_versions from anon, authenticated, service_role;
grant select, insert on table public.judge_versions to authenticated, service_role;

alter table public.judge_versions enable row level security;

create policy "Users can read their own judge versions" on public.judge_versions
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can create versions of their own judges" on public.judge_versions
  for insert to authenticated with check ((select auth.uid()) = user_id);

create table public.judge_verdicts (
  id uuid primary key default gen_random_uuid(),
  judge_version_id uuid not null references public.judge_versions (id) on delete cascade,
  user_id uuid not null default auth.uid(),
  experiment_id uuid not null,
  response_index smallint not null,
  status text not null,
  value numeric,
  reasoning text,
  raw_reply text,
  error text,
  correlation_id uuid default private.current_correlation_id(),
  created_at timestamptz not null default now(),
  constraint judge_verdicts_experiment_fkey foreign key (experiment_id, user_id)
    references public.experiments (id, user_id) on delete cascade,
  constraint judge_verdicts_one_per_response unique (judge_version_id, experiment_id, response_index),
  constraint judge_verdicts_response_index_check check (response_index between 0 and 9),
  constraint judge_verdicts_status_check check (status in ('scored', 'unparsable')),
  constraint judge_verdicts_scored_check check ((status = 'scored') = (value is not null)),
  constraint judge_verdicts_raw_reply_length check (raw_reply is null or char_length(raw_reply) <= 20000),
  constraint judge_verdicts_reasoning_length check (reasoning is null or char_length(reasoning) <= 8000)
);

comment on table public.judge_verdicts is 'One judge version''s verdict on one response: scored, or unparsable with the raw reply kept. A failed call stores nothing, so the next run tries it again.';
comment on column public.judge_verdicts.id is 'Primary key.';
comment on column public.judge_verdicts.judge_version_id is 'The judge version that gave the verdict.';
comment on column public.judge_verdicts.user_id is 'Owner of the experiment (auth.users.id).';
comment on column public.judge_verdicts.experiment_id is 'The experiment holding the response.';
comment on column public.judge_verdicts.response_index is 'Index of the response in the experiment''s responses.';
comment on column public.judge_verdicts.status is 'scored (value set) or unparsable (the reply was not a valid verdict).';
comment on column public.judge_verdicts.value is 'The score, within the config''s range; only when scored.';
comment on column public.judge_verdicts.reasoning is 'The judge''s stated reasoning.';
comment on column public.judge_verdicts.raw_reply is 'The reply as the model sent it, kept for unparsable verdicts and audits.';
comment on column public.judge_verdicts.error is 'Why the verdict is unparsable.';
comment on column public.judge_verdicts.correlation_id is 'Correlation id of the request that ran the judge.';
comment on column public.judge_verdicts.created_at is 'When the verdict was stored.';

create index judge_verdicts_experiment_id_user_id_idx on public.judge_verdicts (experiment_id, user_id);
create index judge_verdicts_user_id_idx on public.judge_verdicts (user_id);

revoke all on table public.judge_verdicts from anon, authenticated, service_role;
grant select, insert on table public.judge_verdicts to authenticated, service_role;

alter table public.judge_verdicts enable row level security;

create policy "Users can read verdicts on their own experiments" on public.judge_verdicts
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can store verdicts on their own experiments" on public.judge_verdicts
  for insert to authenticated with check ((select auth.uid()) = user_id);

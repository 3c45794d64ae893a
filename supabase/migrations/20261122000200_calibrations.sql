-- Calibrations: one quiz result per row, holding the person's personal range
-- for each sampling parameter. Written by the calibration function as the
-- user; immutable afterwards (calibrate again to change it).

create table public.calibrations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  mode text not null,
  questionnaire_version text not null,
  answers jsonb not null,
  temperature_min numeric(4, 2) not null,
  temperature_max numeric(4, 2) not null,
  top_p_min numeric(4, 2) not null,
  top_p_max numeric(4, 2) not null,
  max_tokens_min integer not null,
  max_tokens_max integer not null,
  frequency_penalty_min numeric(4, 2) not null,
  frequency_penalty_max numeric(4, 2) not null,
  insights jsonb not null default '[]'::jsonb,
  correlation_id uuid default private.current_correlation_id(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint calibrations_mode_check check (mode in ('quick', 'deep')),
  constraint calibrations_answers_object check (jsonb_typeof(answers) = 'object'),
  constraint calibrations_insights_array check (jsonb_typeof(insights) = 'array'),
  constraint calibrations_temperature_range check (
    temperature_min >= 0 and temperature_max <= 2 and temperature_min <= temperature_max),
  constraint calibrations_top_p_range check (
    top_p_min >= 0 and top_p_max <= 1 and top_p_min <= top_p_max),
  constraint calibrations_max_tokens_range check (
    max_tokens_min >= 1 and max_tokens_min <= max_tokens_max),
  constraint calibrations_frequency_penalty_range check (
    frequency_penalty_min >= -2 and frequency_penalty_max <= 2
    and frequency_penalty_min <= frequency_penalty_max)
);

comment on table public.calibrations is 'A person''s calibrated parameter ranges, one row per completed quiz.';
comment on column public.calibrations.id is 'Primary key.';
comment on column public.calibrations.user_id is 'Owner (auth.users.id); defaults to the caller.';
comment on column public.calibrations.mode is 'Quiz length: quick or deep.';
comment on column public.calibrations.questionnaire_version is 'Version of the questionnaire the answers refer to.';
comment on column public.calibrations.answers is 'Raw answers: question id -> option id.';
comment on column public.calibrations.temperature_min is 'Lower bound of the personal temperature range (0-2).';
comment on column public.calibrations.temperature_max is 'Upper bound of the personal temperature range (0-2).';
comment on column public.calibrations.top_p_min is 'Lower bound of the nucleus-sampling range (0-1).';
comment on column public.calibrations.top_p_max is 'Upper bound of the nucleus-sampling range (0-1).';
comment on column public.calibrations.max_tokens_min is 'Shortest generation length in tokens (>= 1).';
comment on column public.calibrations.max_tokens_max is 'Longest generation length in tokens.';
comment on column public.calibrations.frequency_penalty_min is 'Lower bound of the frequency penalty range (-2-2).';
comment on column public.calibrations.frequency_penalty_max is 'Upper bound of the frequency penalty range (-2-2).';
comment on column public.calibrations.insights is 'Plain-language notes on what the ranges mean for this person.';
comment on column public.calibrations.correlation_id is 'Correlation id of the request that created the row.';
comment on column public.calibrations.created_at is 'When the calibration was completed.';
comment on column public.calibrations.updated_at is 'Last change to the row.';

create index calibrations_user_id_created_at_idx on public.calibrations (user_id, created_at desc);

revoke all on table public.calibrations from anon, authenticated, service_role;
grant select, insert, delete on table public.calibrations to authenticated;
grant select, insert, delete on table public.calibrations to service_role;

create trigger calibrations_set_updated_at before update on public.calibrations
  for each row execute function private.set_updated_at();

alter table public.calibrations enable row level security;

create policy "Users can read their own calibrations" on public.calibrations
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can create their own calibrations" on public.calibrations
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Users can delete their own calibrations" on public.calibrations
  for delete to authenticated using ((select auth.uid()) = user_id);

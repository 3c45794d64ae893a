-- Score configs: what a rating measures and which values it may take. A
-- config's definition never changes (a rating must keep meaning what it meant
-- when it was given): to change one, archive it and create another. Built-in
-- configs (no owner) are the seed's two Likert scales and the four heuristic
-- scores every response already carries.

create table public.score_configs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid default auth.uid() references auth.users (id) on delete cascade,
  name text not null,
  data_type text not null,
  min_value numeric,
  max_value numeric,
  step numeric,
  categories text[],
  description text,
  archived boolean not null default false,
  created_at timestamptz not null default now(),
  constraint score_configs_name_check check (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  constraint score_configs_data_type_check check (data_type in ('numeric', 'categorical', 'boolean')),
  constraint score_configs_numeric_check check (
    data_type <> 'numeric'
    or (min_value is not null and max_value is not null and min_value < max_value
        and (step is null or (step > 0 and step <= max_value - min_value)) and categories is null)),
  constraint score_configs_categorical_check check (
    data_type <> 'categorical'
    or (categories is not null and cardinality(categories) between 2 and 20
        and min_value is null and max_value is null and step is null)),
  constraint score_configs_boolean_check check (
    data_type <> 'boolean' or (min_value is null and max_value is null and step is null and categories is null)),
  constraint score_configs_description_length check (description is null or char_length(description) <= 2000)
);

comment on table public.score_configs is 'What a rating measures and the values it may take; immutable, archived instead of changed.';
comment on column public.score_configs.id is 'Primary key.';
comment on column public.score_configs.user_id is 'Owner (auth.users.id); null for the built-in configs everyone can use.';
comment on column public.score_configs.name is 'Short name, unique per owner among active configs (lowercase, digits, underscores).';
comment on column public.score_configs.data_type is 'numeric (a range with an optional step), categorical (one of the labels) or boolean.';
comment on column public.score_configs.min_value is 'Lowest numeric value allowed.';
comment on column public.score_configs.max_value is 'Highest numeric value allowed.';
comment on column public.score_configs.step is 'Allowed numeric values are min_value + k * step; null allows any value in the range.';
comment on column public.score_configs.categories is 'The labels a categorical rating chooses from, in order.';
comment on column public.score_configs.description is 'What raters are asked to judge.';
comment on column public.score_configs.archived is 'An archived config can no longer be rated; its ratings stay.';
comment on column public.score_configs.created_at is 'When the config was created.';

create unique index score_configs_active_name_key on public.score_configs (
  coalesce(user_id, '00000000-0000-0000-0000-000000000000'::uuid), name) where not archived;
create index score_configs_user_id_idx on public.score_configs (user_id);

revoke all on table public.score_configs from anon, authenticated, service_role;
grant select, insert on table public.score_configs to authenticated, service_role;
grant update (archived) on table public.score_configs to authenticated, service_role;

/** An archived config stays archived: unarchiving would reuse a name another config may hold. */
create or replace function private.score_configs_keep_archived()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.archived and not new.archived then
    raise exception 'Cannot unarchive score config %: create a new one instead', old.id
      using errcode = '23514';
  end if;
  return new;
end
$$;
revoke execute on function private.score_configs_keep_archived() from public;

create trigger score_configs_keep_archived before update on public.score_configs
  for each row execute function private.score_configs_keep_archived();

alter table public.score_configs enable row level security;

create policy "Users can read built-in and their own score configs" on public.score_configs
  for select to authenticated using (user_id is null or (select auth.uid()) = user_id);
create policy "Users can create their own score configs" on public.score_configs
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Users can archive their own score configs" on public.score_configs
  for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);

-- Fixed ids, so the heuristic scores can be read as ratings of these configs.
insert into public.score_configs (id, user_id, name, data_type, min_value, max_value, step, description) values
  ('00000000-0000-4000-8000-00000000c001', null, 'realism', 'numeric', 1, 7, 1,
   'How realistic the response is, from 1 (not at all) to 7 (entirely).'),
  ('00000000-0000-4000-8000-00000000c002', null, 'quality', 'numeric', 1, 7, 1,
   'How good the response is overall, from 1 (poor) to 7 (excellent).'),
  ('00000000-0000-4000-8000-00000000c101', null, 'creativity', 'numeric', 0, 1, null,
   'Heuristic: lexical diversity, novelty against the prompt, little repetition.'),
  ('00000000-0000-4000-8000-00000000c102', null, 'coherence', 'numeric', 0, 1, null,
   'Heuristic: continuity between sentences, no loops or fragments.'),
  ('00000000-0000-4000-8000-00000000c103', null, 'structure', 'numeric', 0, 1, null,
   'Heuristic: paragraphs, lists and headings, regular sentence lengths.'),
  ('00000000-0000-4000-8000-00000000c104', null, 'completeness', 'numeric', 0, 1, null,
   'Heuristic: finished rather than truncated, covers the prompt''s key terms.');

/** The built-in config that a heuristic metric of generate's scoring is read as. */
create or replace function private.heuristic_config_id(p_metric text)
returns uuid
language sql immutable
set search_path = ''
as $$
  select case p_metric
    when 'creativity' then '00000000-0000-4000-8000-00000000c101'::uuid
    when 'coherence' then '00000000-0000-4000-8000-00000000c102'::uuid
    when 'structure' then '00000000-0000-4000-8000-00000000c103'::uuid
    when 'completeness' then '00000000-0000-4000-8000-00000000c104'::uuid
  end
$$;
comment on function private.heuristic_config_id(text) is 'The built-in score config id of a heuristic metric name, or null.';
revoke execute on function private.heuristic_config_id(text) from public;
grant execute on function private.heuristic_config_id(text) to authenticated, service_role;

-- Prompt templates: a named template per user, immutable integer versions
-- (text with {{variables}}, a system prompt, optional default parameters, a
-- commit message) and movable labels (production, staging, your own) that
-- point at one version. Clients write all three through the Data API under
-- RLS; versions are numbered by trigger and never rewritten. Experiments
-- record the version and variables they were rendered from.

create table public.prompt_templates (
  id uuid primary key default private.uuid_v7(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  name text not null,
  description text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint prompt_templates_user_id_name_key unique (user_id, name),
  constraint prompt_templates_id_user_id_key unique (id, user_id),
  constraint prompt_templates_name_format check (name ~ '^[A-Za-z0-9][A-Za-z0-9 _.:/-]{0,99}$'),
  constraint prompt_templates_description_length check (char_length(description) <= 2000)
);

comment on table public.prompt_templates is 'A named prompt template; its text lives in immutable versions.';
comment on column public.prompt_templates.id is 'Primary key.';
comment on column public.prompt_templates.user_id is 'Owner (auth.users.id); defaults to the caller.';
comment on column public.prompt_templates.name is 'Name, unique per owner: letters, digits, space and _ . : / -, at most 100 characters.';
comment on column public.prompt_templates.description is 'Free text, at most 2000 characters.';
comment on column public.prompt_templates.created_at is 'When the template was created.';
comment on column public.prompt_templates.updated_at is 'Last change of name or description.';

create index prompt_templates_user_id_idx on public.prompt_templates (user_id);

revoke all on table public.prompt_templates from anon, authenticated, service_role;
grant select, insert, delete on table public.prompt_templates to authenticated, service_role;
grant update (name, description) on table public.prompt_templates to authenticated, service_role;

create trigger prompt_templates_set_updated_at before update on public.prompt_templates
  for each row execute function private.set_updated_at();

alter table public.prompt_templates enable row level security;

create policy "Users can read their own prompt templates" on public.prompt_templates
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can create their own prompt templates" on public.prompt_templates
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Users can update their own prompt templates" on public.prompt_templates
  for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);
create policy "Users can delete their own prompt templates" on public.prompt_templates
  for delete to authenticated using ((select auth.uid()) = user_id);

create table public.prompt_template_versions (
  id uuid primary key default private.uuid_v7(),
  template_id uuid not null,
  user_id uuid not null default auth.uid(),
  version integer not null,
  body text not null,
  system_prompt text,
  variables text[] not null default '{}',
  default_parameters jsonb,
  commit_message text,
  created_at timestamptz not null default now(),
  constraint prompt_template_versions_template_fkey foreign key (template_id, user_id)
    references public.prompt_templates (id, user_id) on delete cascade,
  constraint prompt_template_versions_template_id_version_key unique (template_id, version),
  constraint prompt_template_versions_id_user_id_key unique (id, user_id),
  constraint prompt_template_versions_version_positive check (version >= 1),
  constraint prompt_template_versions_body_length check (char_length(body) between 1 and 32000),
  constraint prompt_template_versions_system_prompt_length check (char_length(system_prompt) <= 32000),
  constraint prompt_template_versions_commit_message_length check (char_length(commit_message) <= 2000),
  constraint prompt_template_versions_default_parameters_shape check (
    default_parameters is null or (
      jsonb_typeof(default_parameters) = 'object'
      and default_parameters ?& array['temperature', 'top_p', 'max_tokens', 'frequency_penalty']
      and default_parameters - array['temperature', 'top_p', 'max_tokens', 'frequency_penalty'] = '{}'::jsonb
      and jsonb_typeof(default_parameters -> 'temperature') = 'number'
      and (default_parameters ->> 'temperature')::numeric between 0 and 2
      and jsonb_typeof(default_parameters -> 'top_p') = 'number'
      and (default_parameters ->> 'top_p')::numeric between 0 and 1
      and jsonb_typeof(default_parameters -> 'max_tokens') = 'number'
      and (default_parameters ->> 'max_tokens')::numeric between 1 and 4096
      and (default_parameters ->> 'max_tokens')::numeric = trunc((default_parameters ->> 'max_tokens')::numeric)
      and jsonb_typeof(default_parameters -> 'frequency_penalty') = 'number'
      and (default_parameters ->> 'frequency_penalty')::numeric between -2 and 2))
);

comment on table public.prompt_template_versions is 'One immutable version of a prompt template, numbered 1, 2, 3, … per template.';
comment on column public.prompt_template_versions.id is 'Primary key.';
comment on column public.prompt_template_versions.template_id is 'The template (same owner).';
comment on column public.prompt_template_versions.user_id is 'Owner (auth.users.id); defaults to the caller.';
comment on column public.prompt_template_versions.version is 'Set by trigger: one more than the template''s newest version.';
comment on column public.prompt_template_versions.body is 'The prompt text, with {{variable}} placeholders; 1-32000 characters.';
comment on column public.prompt_template_versions.system_prompt is 'Sent as the system message; may hold {{variables}} too.';
comment on column public.prompt_template_versions.variables is 'Set by trigger: the distinct {{variable}} names of body and system prompt, in order of appearance.';
comment on column public.prompt_template_versions.default_parameters is 'A full parameter set (temperature, top_p, max_tokens, frequency_penalty) used when a request gives none.';
comment on column public.prompt_template_versions.commit_message is 'Why this version was made.';
comment on column public.prompt_template_versions.created_at is 'When the version was made.';

create index prompt_template_versions_user_id_idx on public.prompt_template_versions (user_id);
create index prompt_template_versions_template_id_user_id_idx
  on public.prompt_template_versions (template_id, user_id);

revoke all on table public.prompt_template_versions from anon, authenticated, service_role;
grant select, insert on table public.prompt_template_versions to authenticated, service_role;

/**
 * The distinct {{name}} placeholders of a text, in order of first
 * appearance; names are identifiers, spaces inside the braces allowed.
 */
create or replace function private.template_variables(p_text text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(pg_catalog.array_agg(v.name order by v.first), '{}')
    from (select m.match[1] as name, min(m.ordinality) as first
            from pg_catalog.regexp_matches(coalesce(p_text, ''),
                   '\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}', 'g') with ordinality as m(match, ordinality)
           group by m.match[1]) as v
$$;

comment on function private.template_variables(text) is
  'The distinct {{variable}} names of a text, in order of first appearance.';
revoke execute on function private.template_variables(text) from public;
grant execute on function private.template_variables(text) to authenticated, service_role;

/**
 * Numbers a new version (one more than the template's newest, under a lock
 * on the template row so concurrent saves never share a number) and derives
 * its variables from the body and system prompt; whatever the client sent
 * for either is replaced. Raises the foreign key's error when the template
 * is not the caller's.
 */
create or replace function private.number_prompt_template_version()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform 1 from public.prompt_templates as t
   where t.id = new.template_id and t.user_id = new.user_id
     for update;
  if not found then
    -- The caller's own template is missing: fail as the foreign key would,
    -- before the numbering below could collide with versions it cannot see.
    raise exception using errcode = '23503',
      message = 'insert or update on table "prompt_template_versions" violates foreign key constraint "prompt_template_versions_template_fkey"';
  end if;
  select coalesce(max(v.version), 0) + 1 into new.version
    from public.prompt_template_versions as v
   where v.template_id = new.template_id;
  new.variables := private.template_variables(new.body || ' ' || coalesce(new.system_prompt, ''));
  new.created_at := pg_catalog.now();
  return new;
end
$$;

comment on function private.number_prompt_template_version() is
  'Trigger: numbers a new prompt template version and derives its variables.';
revoke execute on function private.number_prompt_template_version() from public;

create trigger prompt_template_versions_number before insert on public.prompt_template_versions
  for each row execute function private.number_prompt_template_version();

alter table public.prompt_template_versions enable row level security;

create policy "Users can read their own prompt template versions" on public.prompt_template_versions
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can create versions of their own prompt templates" on public.prompt_template_versions
  for insert to authenticated with check ((select auth.uid()) = user_id);

create table public.prompt_template_labels (
  template_id uuid not null,
  label text not null,
  user_id uuid not null default auth.uid(),
  version integer not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (template_id, label),
  constraint prompt_template_labels_template_fkey foreign key (template_id, user_id)
    references public.prompt_templates (id, user_id) on delete cascade,
  constraint prompt_template_labels_version_fkey foreign key (template_id, version)
    references public.prompt_template_versions (template_id, version) on delete cascade,
  constraint prompt_template_labels_label_format check (
    label ~ '^[a-z][a-z0-9_.-]{0,39}$' and label <> 'latest')
);

comment on table public.prompt_template_labels is 'A movable name (production, staging, …) for one version of a template.';
comment on column public.prompt_template_labels.template_id is 'The template (same owner).';
comment on column public.prompt_template_labels.label is 'Lowercase name, at most 40 characters; "latest" is reserved for the newest version.';
comment on column public.prompt_template_labels.user_id is 'Owner (auth.users.id); defaults to the caller.';
comment on column public.prompt_template_labels.version is 'The version the label points at; move the label by updating it.';
comment on column public.prompt_template_labels.created_at is 'When the label was first set.';
comment on column public.prompt_template_labels.updated_at is 'When the label last moved.';

create index prompt_template_labels_user_id_idx on public.prompt_template_labels (user_id);
create index prompt_template_labels_template_id_user_id_idx
  on public.prompt_template_labels (template_id, user_id);
create index prompt_template_labels_template_id_version_idx
  on public.prompt_template_labels (template_id, version);

revoke all on table public.prompt_template_labels from anon, authenticated, service_role;
grant select, insert, delete on table public.prompt_template_labels to authenticated, service_role;
grant update (version) on table public.prompt_template_labels to authenticated, service_role;

create trigger prompt_template_labels_set_updated_at before update on public.prompt_template_labels
  for each row execute function private.set_updated_at();

alter table public.prompt_template_labels enable row level security;

create policy "Users can read their own prompt template labels" on public.prompt_template_labels
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can set labels on their own prompt templates" on public.prompt_template_labels
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Users can move their own prompt template labels" on public.prompt_template_labels
  for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);
create policy "Users can remove their own prompt template labels" on public.prompt_template_labels
  for delete to authenticated using ((select auth.uid()) = user_id);

-- Experiments rendered from a template keep the version and the variables.
alter table public.experiments
  add column template_version_id uuid,
  add column template_variables jsonb,
  add constraint experiments_template_version_fkey foreign key (template_version_id, user_id)
    references public.prompt_template_versions (id, user_id),
  add constraint experiments_template_variables_object check (
    template_variables is null or jsonb_typeof(template_variables) = 'object'),
  add constraint experiments_template_variables_with_version check (
    template_variables is null or template_version_id is not null);

comment on column public.experiments.template_version_id is 'The prompt template version the prompt was rendered from (same owner), if any.';
comment on column public.experiments.template_variables is 'The variables the template was rendered with: {"name": "value"}.';

create index experiments_template_version_id_user_id_idx
  on public.experiments (template_version_id, user_id);

/**
 * generate's template step, as the caller: the version of the caller's
 * template p_template_id (or, when null, the one named p_name) given by
 * p_version, or by p_label ("latest" or null = the newest version), under
 * RLS. Raises 404 template_not_found when the template, version or label is
 * missing or someone else's. Returns {id, templateId, name, version, body,
 * systemPrompt, variables, defaultParameters}.
 */
create or replace function private.resolve_prompt_template(
  p_claims jsonb,
  p_correlation_id uuid,
  p_template_id uuid default null,
  p_name text default null,
  p_version integer default null,
  p_label text default null
) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  found jsonb;
  wanted text := coalesce(p_template_id::text, p_name);
begin
  perform private.act_as_user(p_claims, p_correlation_id);
  select pg_catalog.jsonb_build_object(
           'id', v.id, 'templateId', t.id, 'name', t.name, 'version', v.version, 'body', v.body,
           'systemPrompt', v.system_prompt, 'variables', pg_catalog.to_jsonb(v.variables),
           'defaultParameters', v.default_parameters)
    into found
    from public.prompt_templates as t
    join public.prompt_template_versions as v on v.template_id = t.id
    left join public.prompt_template_labels as l
      on l.template_id = t.id and l.label = p_label
   where (t.id = p_template_id or (p_template_id is null and t.name = p_name))
     and case
           when p_version is not null then v.version = p_version
           when p_label is null or p_label = 'latest' then true
           else v.version = l.version
         end
   order by v.version desc
   limit 1;
  if found is null then
    perform private.raise_http_error(404, 'template_not_found',
      'Prompt template not found: ' || coalesce(wanted, '(none)') ||
      case
        when p_version is not null then ' version ' || p_version::text
        when p_label is not null then ' label ' || p_label
        else ''
      end);
  end if;
  return found;
end
$$;

comment on function private.resolve_prompt_template(jsonb, uuid, uuid, text, integer, text) is
  'As the caller: a template version by id or name and version or label (latest by default); 404 template_not_found.';
revoke execute on function private.resolve_prompt_template(jsonb, uuid, uuid, text, integer, text)
  from public, anon, authenticated, service_role;

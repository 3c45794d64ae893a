-- Model providers and models as settings: admins manage them, every
-- signed-in user reads them. A provider names the secret that holds its API
-- key (an Edge Function secret or a Vault secret); the key itself is never
-- stored in a table, so base URLs may not carry credentials either. Every
-- change is audited.

create table public.model_providers (
  id uuid primary key default gen_random_uuid(),
  name text not null unique,
  base_url text not null,
  api_key_secret text not null,
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint model_providers_name_format check (name ~ '^[a-z][a-z0-9_-]{1,62}$'),
  constraint model_providers_base_url_format check (
    base_url ~ '^https?://[^/?#@[:space:]]+(/[^?#[:space:]]*)?$' and char_length(base_url) <= 500),
  constraint model_providers_api_key_secret_format check (
    api_key_secret ~ '^[A-Z][A-Z0-9_]{1,127}$' and api_key_secret !~ '^SUPABASE_')
);

comment on table public.model_providers is 'OpenAI-compatible endpoints the lab may call. Keys live in secrets, never here.';
comment on column public.model_providers.id is 'Primary key.';
comment on column public.model_providers.name is 'Short unique name, e.g. openai.';
comment on column public.model_providers.base_url is 'API base URL, e.g. https://api.openai.com/v1; no credentials, query or fragment.';
comment on column public.model_providers.api_key_secret is 'Name of the Edge Function / Vault secret holding the API key (e.g. OPENAI_API_KEY), never the key.';
comment on column public.model_providers.enabled is 'Whether its models may be used.';
comment on column public.model_providers.created_at is 'When the provider was added.';
comment on column public.model_providers.updated_at is 'Last change.';

create table public.models (
  id uuid primary key default gen_random_uuid(),
  provider_id uuid not null references public.model_providers (id) on delete restrict,
  name text not null,
  context_window integer not null,
  input_usd_per_million_tokens numeric(12, 6),
  output_usd_per_million_tokens numeric(12, 6),
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint models_provider_id_name_key unique (provider_id, name),
  constraint models_name_length check (char_length(name) between 1 and 200),
  constraint models_context_window_check check (context_window > 0),
  constraint models_prices_check check (
    coalesce(input_usd_per_million_tokens, 0) >= 0 and coalesce(output_usd_per_million_tokens, 0) >= 0)
);

comment on table public.models is 'Models users may pick, with what a response costs.';
comment on column public.models.id is 'Primary key.';
comment on column public.models.provider_id is 'The provider serving it.';
comment on column public.models.name is 'Model name as the provider''s API expects it, e.g. gpt-4o.';
comment on column public.models.context_window is 'Context window in tokens.';
comment on column public.models.input_usd_per_million_tokens is 'Price of a million prompt tokens in USD; null when unknown.';
comment on column public.models.output_usd_per_million_tokens is 'Price of a million completion tokens in USD; null when unknown.';
comment on column public.models.enabled is 'Whether users may pick it.';
comment on column public.models.created_at is 'When the model was added.';
comment on column public.models.updated_at is 'Last change.';

create index models_provider_id_idx on public.models (provider_id);

revoke all on table public.model_providers, public.models from anon, authenticated, service_role;
grant select, insert, update, delete on table public.model_providers, public.models to authenticated, service_role;

create trigger model_providers_set_updated_at before update on public.model_providers
  for each row execute function private.set_updated_at();
create trigger models_set_updated_at before update on public.models
  for each row execute function private.set_updated_at();

/** Audits each change of a model setting: which table, which row, by whom. */
create or replace function private.audit_model_setting_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed jsonb;
begin
  if tg_op = 'DELETE' then
    changed := pg_catalog.to_jsonb(old);
  else
    changed := pg_catalog.to_jsonb(new);
  end if;
  insert into public.audit_logs (user_id, event_type, event_data, correlation_id, source)
  values (auth.uid(), 'model_setting_changed',
          pg_catalog.jsonb_build_object('table', tg_table_name, 'operation', pg_catalog.lower(tg_op),
                                        'id', changed ->> 'id', 'name', changed ->> 'name',
                                        'actorRole', coalesce(auth.role(), current_user::text)),
          private.current_correlation_id(), 'database');
  return null;
end
$$;
comment on function private.audit_model_setting_change() is 'Trigger: records model_setting_changed in audit_logs.';
revoke execute on function private.audit_model_setting_change() from public;

create trigger model_providers_audit after insert or update or delete on public.model_providers
  for each row execute function private.audit_model_setting_change();
create trigger models_audit after insert or update or delete on public.models
  for each row execute function private.audit_model_setting_change();

alter table public.model_providers enable row level security;
alter table public.models enable row level security;

create policy "Signed-in users read providers" on public.model_providers
  for select to authenticated using (true);
create policy "Admins add providers" on public.model_providers
  for insert to authenticated with check ((select private.is_admin()));
create policy "Admins change providers" on public.model_providers
  for update to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "Admins remove providers" on public.model_providers
  for delete to authenticated using ((select private.is_admin()));

create policy "Signed-in users read models" on public.models
  for select to authenticated using (true);
create policy "Admins add models" on public.models
  for insert to authenticated with check ((select private.is_admin()));
create policy "Admins change models" on public.models
  for update to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "Admins remove models" on public.models
  for delete to authenticated using ((select private.is_admin()));

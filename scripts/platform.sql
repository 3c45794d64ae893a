-- LOCAL STAND-IN, never applied to a real Supabase database.
--
-- What a Supabase database already has before any project migration runs, for a
-- plain PostgreSQL 15 server with no Docker: the API roles, the `extensions`,
-- `auth` and `storage` schemas with the tables and helper functions the lab
-- relies on and the `supabase_realtime` publication. pgTAP is not here: only
-- the tests need it, and `npm test` adds it to its own database. Every definition
-- follows ../../shared/research/supabase-facts.md (section numbers below).
--
-- Run as a superuser against the target database. Idempotent. The scripts apply
-- it only when `auth.users` is missing, which is never the case on Supabase.
--
-- Deviations, all because this server's bootstrap superuser is `postgres`:
-- * `lab_postgres` plays the part of Supabase's non-superuser `postgres` role
--   (§1: NOSUPERUSER CREATEDB CREATEROLE LOGIN BYPASSRLS, member of the API
--   roles). Migrations, pgTAP and the functions connect as it.
-- * Supabase lets `postgres` create policies on storage.objects through the
--   supautils extension (§1 policy_grants); here `lab_postgres` is a member of
--   the table owner `supabase_storage_admin` instead.

-- §1 Roles (cluster-wide, so guarded) --------------------------------------
do $$
begin
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin login noinherit createrole;
  end if;
  if not exists (select from pg_roles where rolname = 'supabase_storage_admin') then
    create role supabase_storage_admin nologin noinherit createrole;
  end if;
  if not exists (select from pg_roles where rolname = 'lab_postgres') then
    create role lab_postgres login nosuperuser createdb createrole replication bypassrls;
  end if;
end
$$;

-- Attributes are (re)asserted on every run: a role made earlier by hand or by
-- an older version of this file ends up exactly as Supabase has it. Each one
-- is altered only when it differs, because roles are shared by every database
-- of the server and two sessions altering one role at once fail with "tuple
-- concurrently updated" (two test runs preparing their databases together).
do $$
begin
  if not exists (select from pg_roles where rolname = 'anon'
                 and not rolcanlogin and rolinherit and not rolbypassrls) then
    alter role anon nologin inherit nobypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated'
                 and not rolcanlogin and rolinherit and not rolbypassrls) then
    alter role authenticated nologin inherit nobypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role'
                 and not rolcanlogin and rolinherit and rolbypassrls) then
    alter role service_role nologin inherit bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator'
                 and rolcanlogin and not rolinherit) then
    alter role authenticator login noinherit;
  end if;
  -- Supabase Auth logs in as this role and runs the auth hooks as it.
  if not exists (select from pg_roles where rolname = 'supabase_auth_admin'
                 and rolcanlogin and not rolinherit and rolcreaterole and not rolreplication) then
    alter role supabase_auth_admin login noinherit createrole noreplication;
  end if;
  if not exists (select from pg_roles where rolname = 'lab_postgres'
                 and rolcanlogin and not rolsuper and rolcreatedb and rolcreaterole
                 and rolreplication and rolbypassrls and rolinherit) then
    alter role lab_postgres login nosuperuser createdb createrole replication bypassrls inherit;
  end if;
end
$$;

do $$
declare
  wanted record;
begin
  for wanted in
    select *
    from (values
      ('anon', 'statement_timeout', '3s', '''3s'''),
      ('authenticated', 'statement_timeout', '8s', '''8s'''),
      ('authenticator', 'statement_timeout', '8s', '''8s'''),
      ('authenticator', 'lock_timeout', '8s', '''8s'''),
      ('lab_postgres', 'search_path', '"$user", public, extensions', '"$user", public, extensions'),
      ('supabase_auth_admin', 'search_path', 'auth', 'auth')
    ) as setting (role_name, name, stored, literal)
  loop
    if not exists (
      select
      from pg_db_role_setting s
      join pg_roles r on r.oid = s.setrole
      where r.rolname = wanted.role_name
        and s.setdatabase = 0
        and wanted.name || '=' || wanted.stored = any (s.setconfig)
    ) then
      execute format('alter role %I set %s = %s', wanted.role_name, wanted.name, wanted.literal);
    end if;
  end loop;
end
$$;

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to lab_postgres;
grant pg_read_all_data, pg_signal_backend to lab_postgres;
grant supabase_storage_admin to lab_postgres;

-- §2 Schemas, extensions, publication ---------------------------------------
create schema if not exists extensions;
grant usage on schema extensions to lab_postgres, anon, authenticated, service_role;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;

grant usage on schema public to lab_postgres, anon, authenticated, service_role;

do $$
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;
alter publication supabase_realtime owner to lab_postgres;

-- §12 The advisors' exposure lints read the Data API schemas from this setting.
do $$
begin
  execute format('alter database %I set pgrst.db_schemas = %L', current_database(), 'public');
end
$$;

-- §4 auth -------------------------------------------------------------------
create schema if not exists auth authorization supabase_auth_admin;
grant usage on schema auth to lab_postgres, anon, authenticated, service_role;

create table if not exists auth.users (
  instance_id uuid,
  id uuid primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token varchar(255),
  recovery_sent_at timestamptz,
  email_change_token_new varchar(255),
  email_change varchar(255),
  email_change_sent_at timestamptz,
  email_change_token_current varchar(255) default '',
  email_change_confirm_status smallint default 0
    check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamptz,
  updated_at timestamptz,
  phone text unique default null,
  phone_confirmed_at timestamptz,
  phone_change text default '',
  phone_change_token varchar(255) default '',
  phone_change_sent_at timestamptz,
  confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  banned_until timestamptz,
  reauthentication_token varchar(255) default '',
  reauthentication_sent_at timestamptz,
  is_sso_user boolean not null default false,
  deleted_at timestamptz,
  is_anonymous boolean not null default false
);
create unique index if not exists users_email_partial_key on auth.users (email) where (is_sso_user = false);
alter table auth.users owner to supabase_auth_admin;
alter table auth.users enable row level security;
grant all on auth.users to lab_postgres;

create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.email() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;

-- §7 storage ----------------------------------------------------------------
create schema if not exists storage authorization supabase_storage_admin;
grant usage on schema storage to lab_postgres, anon, authenticated, service_role;

do $$
begin
  if not exists (select from pg_type t join pg_namespace n on n.oid = t.typnamespace
                 where n.nspname = 'storage' and t.typname = 'buckettype') then
    create type storage.buckettype as enum ('STANDARD', 'ANALYTICS');
  end if;
end
$$;

create table if not exists storage.buckets (
  id text primary key,
  name text not null,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  public boolean default false,
  avif_autodetection boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  owner_id text,
  type storage.buckettype not null default 'STANDARD'
);
create unique index if not exists bname on storage.buckets using btree (name);

create table if not exists storage.objects (
  id uuid primary key default gen_random_uuid(),
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  owner_id text,
  user_metadata jsonb
);
create unique index if not exists bucketid_objname on storage.objects using btree (bucket_id, name);
create index if not exists name_prefix_search on storage.objects using btree (name text_pattern_ops);

alter table storage.buckets owner to supabase_storage_admin;
alter table storage.objects owner to supabase_storage_admin;
alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
grant all on storage.buckets, storage.objects to lab_postgres with grant option;

create or replace function storage.foldername(name text) returns text[]
language plpgsql immutable
as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[1:array_length(_parts, 1) - 1];
end
$$;

create or replace function storage.filename(name text) returns text
language plpgsql immutable
as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[array_length(_parts, 1)];
end
$$;

create or replace function storage.extension(name text) returns text
language plpgsql immutable
as $$
declare
  _filename text;
begin
  select storage.filename(name) into _filename;
  return reverse(split_part(reverse(_filename), '.', 1));
end
$$;

create or replace function storage.update_updated_at_column() returns trigger
language plpgsql
as $$
begin
  new.updated_at = now();
  return new;
end
$$;

create or replace function storage.protect_delete() returns trigger
language plpgsql
as $$
begin
  if coalesce(current_setting('storage.allow_delete_query', true), 'false') <> 'true' then
    raise exception 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
      using errcode = '42501',
            hint = 'This prevents accidental data loss from orphaned objects.';
  end if;
  return null;
end
$$;

alter function storage.foldername(text) owner to supabase_storage_admin;
alter function storage.filename(text) owner to supabase_storage_admin;
alter function storage.extension(text) owner to supabase_storage_admin;
alter function storage.update_updated_at_column() owner to supabase_storage_admin;
alter function storage.protect_delete() owner to supabase_storage_admin;

drop trigger if exists update_objects_updated_at on storage.objects;
create trigger update_objects_updated_at before update on storage.objects
  for each row execute function storage.update_updated_at_column();
drop trigger if exists protect_objects_delete on storage.objects;
create trigger protect_objects_delete before delete on storage.objects
  for each statement execute function storage.protect_delete();
drop trigger if exists protect_buckets_delete on storage.buckets;
create trigger protect_buckets_delete before delete on storage.buckets
  for each statement execute function storage.protect_delete();

-- §13 realtime (Broadcast from Database and Realtime Authorization) ---------
-- The objects the Realtime server's tenant migrations create, as
-- realtime-and-jobs-facts.md §B cites them (supabase/realtime
-- priv/repo/tenant_schema/realtime). Deviations: the schema is owned by
-- supabase_realtime_admin (there is no supabase_admin here), and
-- realtime.messages has one DEFAULT partition instead of the daily
-- partitions the server creates, so inserts work on any date without the
-- server running. Postgres Changes' own tables (realtime.subscription,
-- apply_rls) are not created: the stand-in keeps subscriptions in memory.
do $$
begin
  if not exists (select from pg_roles where rolname = 'supabase_realtime_admin') then
    create role supabase_realtime_admin nologin noinherit;
  end if;
end
$$;
-- As Supabase lets `postgres` own policies on realtime.messages.
grant supabase_realtime_admin to lab_postgres;

create schema if not exists realtime authorization supabase_realtime_admin;
grant usage on schema realtime to lab_postgres, anon, authenticated, service_role;

create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp without time zone not null default now(),
  inserted_at timestamp without time zone not null default now(),
  id uuid not null default gen_random_uuid(),
  binary_payload bytea,
  constraint messages_payload_exclusive check ((payload is null) or (binary_payload is null)),
  constraint messages_pkey primary key (id, inserted_at)
) partition by range (inserted_at);
create table if not exists realtime.messages_default partition of realtime.messages default;
create index if not exists messages_inserted_at_topic_index on only realtime.messages
  using btree (inserted_at desc, topic) where ((extension = 'broadcast') and (private is true));
alter table realtime.messages owner to supabase_realtime_admin;
alter table realtime.messages_default owner to supabase_realtime_admin;
alter table realtime.messages enable row level security;
grant insert, select, update on table realtime.messages to anon, authenticated, service_role;
grant all on table realtime.messages to lab_postgres;

create or replace function realtime.topic() returns text
language sql stable
as $$
  select nullif(current_setting('realtime.topic', true), '')::text;
$$;

create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
declare
  generated_id uuid;
  final_payload jsonb;
begin
  begin
    generated_id := gen_random_uuid();
    if payload ? 'id' then
      final_payload := payload;
    else
      final_payload := jsonb_set(payload, '{id}', to_jsonb(generated_id));
    end if;
    execute format('set local realtime.topic to %L', topic);
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (generated_id, final_payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

create or replace function realtime.broadcast_changes(
  topic_name text, event_name text, operation text, table_name text, table_schema text,
  new record, old record, level text default 'ROW'
) returns void
language plpgsql
as $$
declare
  row_data jsonb := '{}'::jsonb;
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if operation = 'INSERT' or operation = 'UPDATE' or operation = 'DELETE' then
    row_data := jsonb_build_object('old_record', old, 'record', new, 'operation', operation,
                                   'table', table_name, 'schema', table_schema);
    perform realtime.send(row_data, event_name, topic_name);
  else
    raise exception 'Unexpected operation type: %', operation;
  end if;
exception
  when others then
    raise exception 'Failed to process the row: %', sqlerrm;
end;
$$;

alter function realtime.topic() owner to supabase_realtime_admin;
alter function realtime.send(jsonb, text, text, boolean) owner to supabase_realtime_admin;
alter function realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  owner to supabase_realtime_admin;

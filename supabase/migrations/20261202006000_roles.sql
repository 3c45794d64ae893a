-- Roles: who is an admin, the way Supabase documents role-based access
-- (guides/database/postgres/custom-claims-and-role-based-access-control-rbac):
-- a user_roles table that only Supabase Auth's Custom Access Token hook reads
-- when it issues a token, putting the role into the JWT as `user_role`.
-- Policies read that claim (private.is_admin() over auth.jwt()) and never
-- query user_roles per row. Roles are granted and revoked by the service role
-- or an admin; every change is audited by a trigger.
--
-- Admins read all telemetry and audit events (policies below). They get no
-- policy on calibrations, experiments, analytics or exports: other users'
-- prompts, responses and scores stay theirs.

create type public.app_role as enum ('admin');
comment on type public.app_role is 'Roles a user can hold beyond being signed in.';

create table public.user_roles (
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.app_role not null,
  granted_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  primary key (user_id, role)
);

comment on table public.user_roles is 'Roles held by users; read into the JWT by public.custom_access_token_hook.';
comment on column public.user_roles.user_id is 'The user holding the role (auth.users.id).';
comment on column public.user_roles.role is 'The role held.';
comment on column public.user_roles.granted_by is 'The admin who granted it; null when the service role did.';
comment on column public.user_roles.created_at is 'When the role was granted.';

revoke all on table public.user_roles from anon, authenticated, service_role;
grant select, delete on table public.user_roles to authenticated, service_role;
grant insert (user_id, role) on table public.user_roles to authenticated;
grant insert on table public.user_roles to service_role;
grant usage on schema public to supabase_auth_admin;
grant select on table public.user_roles to supabase_auth_admin;

/** True when the current JWT carries the admin role claim (set by the access token hook). */
create or replace function private.is_admin() returns boolean
language sql stable
set search_path = ''
as $$
  select coalesce(auth.jwt() ->> 'user_role', '') = 'admin'
$$;
comment on function private.is_admin() is 'Whether the request''s JWT has user_role = admin. Reads the claim, never a table.';
revoke execute on function private.is_admin() from public;
grant execute on function private.is_admin() to authenticated, service_role;

/** Audits each grant and revocation: who, whom, which role, in the caller's transaction. */
create or replace function private.audit_role_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed public.user_roles;
begin
  if tg_op = 'INSERT' then
    changed := new;
  else
    changed := old;
  end if;
  insert into public.audit_logs (user_id, event_type, event_data, correlation_id, source)
  values (
    changed.user_id,
    case when tg_op = 'INSERT' then 'role_granted' else 'role_revoked' end,
    pg_catalog.jsonb_build_object(
      'role', changed.role,
      'actorId', auth.uid(),
      'actorRole', coalesce(auth.role(), current_user::text)),
    private.current_correlation_id(),
    'database');
  return null;
end
$$;
comment on function private.audit_role_change() is 'Trigger: records role_granted / role_revoked in audit_logs.';
revoke execute on function private.audit_role_change() from public;

create trigger user_roles_audit after insert or delete on public.user_roles
  for each row execute function private.audit_role_change();

alter table public.user_roles enable row level security;

create index user_roles_granted_by_idx on public.user_roles (granted_by);

create policy "Users read their own roles; admins read all" on public.user_roles
  for select to authenticated
  using ((select auth.uid()) = user_id or (select private.is_admin()));
create policy "Admins grant roles" on public.user_roles
  for insert to authenticated
  with check ((select private.is_admin()));
create policy "Admins revoke roles" on public.user_roles
  for delete to authenticated
  using ((select private.is_admin()));
create policy "Supabase Auth reads roles to issue tokens" on public.user_roles
  for select to supabase_auth_admin
  using (true);

/**
 * Supabase Auth's Custom Access Token hook (Dashboard -> Authentication ->
 * Hooks, or config.toml [auth.hook.custom_access_token]). Receives
 * {user_id, claims, authentication_method} before a token is signed and
 * returns it with claims.user_role set to the user's role, or null.
 */
create or replace function public.custom_access_token_hook(event jsonb) returns jsonb
language plpgsql stable
set search_path = ''
as $$
declare
  claims jsonb := coalesce(event -> 'claims', '{}'::jsonb);
  held public.app_role;
begin
  select r.role into held
    from public.user_roles as r
   where r.user_id = (event ->> 'user_id')::uuid
   order by r.role
   limit 1;
  claims := pg_catalog.jsonb_set(claims, '{user_role}', coalesce(pg_catalog.to_jsonb(held), 'null'::jsonb));
  return pg_catalog.jsonb_set(event, '{claims}', claims);
end
$$;
comment on function public.custom_access_token_hook(jsonb) is
  'Auth hook: adds the user_role claim from public.user_roles to every access token. Executable by supabase_auth_admin only.';
revoke execute on function public.custom_access_token_hook(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin;

-- Admins read all telemetry and audit events: one select policy per table,
-- the owner's rule and the admin's claim together.
drop policy "Users can read telemetry of their own requests" on public.system_metrics;
create policy "Users read telemetry of their own requests; admins read all" on public.system_metrics
  for select to authenticated
  using ((select auth.uid()) = user_id or (select private.is_admin()));

drop policy "Users can read their own audit events" on public.audit_logs;
create policy "Users read their own audit events; admins read all" on public.audit_logs
  for select to authenticated
  using ((select auth.uid()) = user_id or (select private.is_admin()));

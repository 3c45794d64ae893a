-- Audit logs: an append-only trail of what happened, tied together by
-- correlation ids. Server events are written through
-- private.record_audit_event (security definer); clients may add their own
-- `client` events. Nobody, not even the owner or service_role, may update,
-- delete or truncate a row.
--
-- user_id deliberately has no foreign key: the trail outlives an account, and
-- an ON DELETE action would have to rewrite rows that must never change.

create table public.audit_logs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid default auth.uid(),
  event_type text not null,
  event_data jsonb not null default '{}'::jsonb,
  correlation_id uuid default private.current_correlation_id(),
  source text not null default 'client',
  created_at timestamptz not null default now(),
  constraint audit_logs_event_type_format check (event_type ~ '^[a-z][a-z0-9_]{2,63}$'),
  constraint audit_logs_event_data_object check (jsonb_typeof(event_data) = 'object'),
  constraint audit_logs_source_check check (source in ('server', 'database', 'client', 'realtime'))
);

comment on table public.audit_logs is 'Append-only trail of lab events, linked by correlation id.';
comment on column public.audit_logs.id is 'Primary key.';
comment on column public.audit_logs.user_id is 'The user the event concerns; null for anonymous failures. No FK: the trail outlives accounts.';
comment on column public.audit_logs.event_type is 'Event label, snake_case (calibration_completed, experiment_generated, ...).';
comment on column public.audit_logs.event_data is 'Event payload: ids, counts, codes. Never request bodies or secrets.';
comment on column public.audit_logs.correlation_id is 'Correlation id shared by every row one request wrote.';
comment on column public.audit_logs.source is 'Who wrote it: server (functions), database (triggers), client or realtime.';
comment on column public.audit_logs.created_at is 'When the event was recorded.';

create index audit_logs_user_id_created_at_idx on public.audit_logs (user_id, created_at desc);
create index audit_logs_correlation_id_idx on public.audit_logs (correlation_id);

revoke all on table public.audit_logs from anon, authenticated, service_role;
grant select on table public.audit_logs to authenticated, service_role;
grant insert (event_type, event_data, correlation_id, source) on table public.audit_logs to authenticated;
grant insert on table public.audit_logs to service_role;

/** Rejects every change to an audit row: the trail is append-only. */
create or replace function private.reject_audit_log_change() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'audit_logs is append-only: % is not allowed', lower(tg_op)
    using errcode = '42501';
end
$$;
comment on function private.reject_audit_log_change() is 'Trigger: rejects update, delete and truncate on audit_logs.';
revoke execute on function private.reject_audit_log_change() from public;

create trigger audit_logs_reject_update_delete before update or delete on public.audit_logs
  for each row execute function private.reject_audit_log_change();
create trigger audit_logs_reject_truncate before truncate on public.audit_logs
  for each statement execute function private.reject_audit_log_change();

alter table public.audit_logs enable row level security;

create policy "Users can read their own audit events" on public.audit_logs
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can add client events of their own" on public.audit_logs
  for insert to authenticated with check ((select auth.uid()) = user_id and source = 'client');

/**
 * Records a server-side audit event inside the caller's transaction.
 * For an `authenticated` caller the event is always the caller's own
 * (p_user_id must be null or the caller); service_role and the database
 * itself may name any user or none.
 */
create or replace function private.record_audit_event(
  p_event_type text,
  p_event_data jsonb default '{}'::jsonb,
  p_source text default 'server',
  p_user_id uuid default null,
  p_correlation_id uuid default null
) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller_role text := coalesce(auth.role(), 'service_role');
  event_user uuid := p_user_id;
  new_id uuid;
begin
  if caller_role = 'authenticated' then
    if p_user_id is not null and p_user_id is distinct from auth.uid() then
      raise exception 'Cannot record an audit event for another user' using errcode = '42501';
    end if;
    event_user := auth.uid();
  elsif caller_role <> 'service_role' then
    raise exception 'Cannot record an audit event as %', caller_role using errcode = '42501';
  end if;
  if p_source not in ('server', 'database') then
    raise exception 'Invalid audit source: %', p_source using errcode = '22023';
  end if;

  insert into public.audit_logs (user_id, event_type, event_data, correlation_id, source)
  values (event_user, p_event_type, coalesce(p_event_data, '{}'::jsonb),
          coalesce(p_correlation_id, private.current_correlation_id()), p_source)
  returning id into new_id;
  return new_id;
end
$$;
comment on function private.record_audit_event(text, jsonb, text, uuid, uuid) is
  'Writes a server or database audit event in the caller''s transaction; authenticated callers only for themselves.';
revoke execute on function private.record_audit_event(text, jsonb, text, uuid, uuid) from public;
grant execute on function private.record_audit_event(text, jsonb, text, uuid, uuid) to authenticated, service_role;

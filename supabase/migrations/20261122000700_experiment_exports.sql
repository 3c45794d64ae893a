-- Experiment exports: one row per export job (CSV, JSON or ZIP), from
-- pending through running to completed or failed. The file itself lives in
-- the private `exports` bucket under <user id>/<export id>.<ext>.

create table public.experiment_exports (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  file_format text not null,
  status text not null default 'pending',
  request jsonb not null default '{}'::jsonb,
  experiment_count integer,
  response_count integer,
  byte_size bigint,
  storage_path text,
  file_url text,
  url_expires_at timestamptz,
  error text,
  correlation_id uuid default private.current_correlation_id(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz,
  constraint experiment_exports_format_check check (file_format in ('csv', 'json', 'zip')),
  constraint experiment_exports_status_check check (status in ('pending', 'running', 'completed', 'failed')),
  constraint experiment_exports_request_object check (jsonb_typeof(request) = 'object'),
  constraint experiment_exports_counts_check check (
    coalesce(experiment_count, 0) >= 0 and coalesce(response_count, 0) >= 0 and coalesce(byte_size, 0) >= 0),
  constraint experiment_exports_completed_check check (
    status <> 'completed' or (storage_path is not null and byte_size is not null
                              and experiment_count is not null and completed_at is not null)),
  constraint experiment_exports_failed_check check (status <> 'failed' or error is not null),
  -- The file of an export is always <owner>/<export id>.<format>: a row can
  -- never point at another user's object.
  constraint experiment_exports_storage_path_owner check (
    storage_path is null or storage_path = user_id::text || '/' || id::text || '.' || file_format)
);

comment on table public.experiment_exports is 'Export jobs of a user''s experiments and where their files are.';
comment on column public.experiment_exports.id is 'Primary key; also the file name in storage.';
comment on column public.experiment_exports.user_id is 'Owner (auth.users.id); defaults to the caller.';
comment on column public.experiment_exports.file_format is 'csv, json or zip (the reproducibility package).';
comment on column public.experiment_exports.status is 'pending -> running -> completed | failed.';
comment on column public.experiment_exports.request is 'What was asked for: selected ids and filter.';
comment on column public.experiment_exports.experiment_count is 'Experiments in the file.';
comment on column public.experiment_exports.response_count is 'Responses in the file.';
comment on column public.experiment_exports.byte_size is 'Size of the stored file in bytes.';
comment on column public.experiment_exports.storage_path is 'Object name in the exports bucket: <user id>/<export id>.<ext>.';
comment on column public.experiment_exports.file_url is 'Last signed download URL handed out.';
comment on column public.experiment_exports.url_expires_at is 'When file_url stops working.';
comment on column public.experiment_exports.error is 'Why the export failed (no internals).';
comment on column public.experiment_exports.correlation_id is 'Correlation id of the request that created the export.';
comment on column public.experiment_exports.created_at is 'When the export was requested.';
comment on column public.experiment_exports.updated_at is 'Last status change.';
comment on column public.experiment_exports.completed_at is 'When the file was stored.';

create index experiment_exports_user_id_created_at_idx on public.experiment_exports (user_id, created_at desc);

revoke all on table public.experiment_exports from anon, authenticated, service_role;
grant select, insert (file_format, request, status) on table public.experiment_exports to authenticated;
grant update (status, experiment_count, response_count, byte_size, storage_path, file_url,
              url_expires_at, error, completed_at) on table public.experiment_exports to authenticated;
grant select, insert, update, delete on table public.experiment_exports to service_role;

/**
 * Status moves only forward: pending -> running -> completed | failed
 * (pending may fail directly). A finished export keeps its status; only its
 * signed URL may be refreshed.
 */
create or replace function private.check_export_transition() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if new.status not in ('pending', 'running') then
      raise exception 'A new export must start as pending or running, not %', new.status
        using errcode = '23514';
    end if;
  elsif old.status <> new.status and not (
       (old.status = 'pending' and new.status in ('running', 'failed'))
    or (old.status = 'running' and new.status in ('completed', 'failed'))) then
    raise exception 'Invalid export status change: % -> %', old.status, new.status
      using errcode = '23514';
  elsif old.status in ('completed', 'failed') and (
       new.storage_path is distinct from old.storage_path
    or new.byte_size is distinct from old.byte_size
    or new.experiment_count is distinct from old.experiment_count
    or new.response_count is distinct from old.response_count
    or new.completed_at is distinct from old.completed_at
    or new.error is distinct from old.error) then
    raise exception 'A finished export cannot be changed' using errcode = '23514';
  end if;
  return new;
end
$$;
comment on function private.check_export_transition() is 'Trigger: enforces the export status machine.';
revoke execute on function private.check_export_transition() from public;

create trigger experiment_exports_check_transition before insert or update on public.experiment_exports
  for each row execute function private.check_export_transition();
create trigger experiment_exports_set_updated_at before update on public.experiment_exports
  for each row execute function private.set_updated_at();

alter table public.experiment_exports enable row level security;

create policy "Users can read their own exports" on public.experiment_exports
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can create their own exports" on public.experiment_exports
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Users can update their own exports" on public.experiment_exports
  for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);

-- Idempotency keys: a retried POST with the same Idempotency-Key and body gets
-- the stored answer instead of running again; the same key with another body
-- is a conflict. A key is claimed (in_progress) before the work and completed
-- with the answer after it; a claim whose lock has expired may be taken over.

create table public.idempotency_keys (
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  scope text not null,
  key text not null,
  request_hash text not null,
  status text not null default 'in_progress',
  response_status integer,
  response_body jsonb,
  locked_until timestamptz not null default now() + interval '5 minutes',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (user_id, scope, key),
  constraint idempotency_keys_scope_check check (scope ~ '^[a-z][a-z0-9_]{0,62}$'),
  constraint idempotency_keys_key_length check (char_length(key) between 1 and 255),
  constraint idempotency_keys_status_check check (status in ('in_progress', 'completed')),
  constraint idempotency_keys_completed_check check (
    status <> 'completed' or (response_status is not null and response_body is not null))
);

comment on table public.idempotency_keys is 'Idempotency-Key claims and stored answers for generate and exports.';
comment on column public.idempotency_keys.user_id is 'Owner (auth.users.id); keys are per user.';
comment on column public.idempotency_keys.scope is 'Which operation the key belongs to (generate, exports).';
comment on column public.idempotency_keys.key is 'The client''s Idempotency-Key header.';
comment on column public.idempotency_keys.request_hash is 'SHA-256 of the canonical request body; another body with the same key is a conflict.';
comment on column public.idempotency_keys.status is 'in_progress while the first request runs, then completed.';
comment on column public.idempotency_keys.response_status is 'HTTP status of the stored answer.';
comment on column public.idempotency_keys.response_body is 'The stored answer, replayed for retries.';
comment on column public.idempotency_keys.locked_until is 'An in_progress claim older than this may be taken over.';
comment on column public.idempotency_keys.created_at is 'When the key was first used.';
comment on column public.idempotency_keys.updated_at is 'Last change.';

revoke all on table public.idempotency_keys from anon, authenticated, service_role;
grant select, insert, update, delete on table public.idempotency_keys to authenticated, service_role;

create trigger idempotency_keys_set_updated_at before update on public.idempotency_keys
  for each row execute function private.set_updated_at();

alter table public.idempotency_keys enable row level security;

create policy "Users can read their own idempotency keys" on public.idempotency_keys
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can claim their own idempotency keys" on public.idempotency_keys
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Users can complete their own idempotency keys" on public.idempotency_keys
  for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);
create policy "Users can release their own idempotency keys" on public.idempotency_keys
  for delete to authenticated using ((select auth.uid()) = user_id);

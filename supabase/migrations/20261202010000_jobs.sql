-- Jobs: durable background work (exports, ingests, batch runs, judge runs).
-- The table is also the queue: a worker claims a job with one statement
-- (`for update skip locked`), holds it under a lease, and works it in slices,
-- saving the job's checkpoint in the same transaction as the work it
-- records; a lease that expires lets another worker resume from the last
-- checkpoint. Users read and cancel only their own jobs; only the lab's
-- functions create, claim, checkpoint and settle them (private.* below).
--
-- Status: queued -> running -> succeeded | failed | cancelled, and
-- running -> queued when a slice hands the rest on or an attempt is retried.

create table public.jobs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  kind text not null,
  status text not null default 'queued',
  payload jsonb not null default '{}'::jsonb,
  checkpoint jsonb,
  progress_total bigint,
  progress_done bigint not null default 0,
  progress_skipped bigint not null default 0,
  skipped_by_reason jsonb not null default '{}'::jsonb,
  attempts integer not null default 0,
  max_attempts integer not null default 5,
  lease_token uuid,
  lease_expires_at timestamptz,
  run_after timestamptz not null default now(),
  cancel_requested_at timestamptz,
  error text,
  result jsonb,
  correlation_id uuid default private.current_correlation_id(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  constraint jobs_kind_format check (kind ~ '^[a-z][a-z0-9_]{1,39}$'),
  constraint jobs_status_check check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  constraint jobs_payload_object check (jsonb_typeof(payload) = 'object'),
  constraint jobs_skipped_by_reason_object check (jsonb_typeof(skipped_by_reason) = 'object'),
  constraint jobs_progress_check check (
    progress_done >= 0 and progress_skipped >= 0 and coalesce(progress_total, 0) >= 0),
  constraint jobs_attempts_check check (attempts >= 0 and max_attempts between 1 and 100),
  -- A running job always has a lease; nothing else holds one.
  constraint jobs_lease_check check (
    (status = 'running') = (lease_token is not null and lease_expires_at is not null)),
  constraint jobs_failed_has_error check (status <> 'failed' or error is not null),
  constraint jobs_error_length check (char_length(error) <= 2000)
);

comment on table public.jobs is 'Background jobs of the lab, and the queue the worker claims them from.';
comment on column public.jobs.id is 'Primary key; a feature may reuse its own row''s id (an export''s job has the export''s id).';
comment on column public.jobs.user_id is 'Owner (auth.users.id): the work runs as them, under RLS.';
comment on column public.jobs.kind is 'Which handler works it: export, dataset_ingest, batch_run, judge_run, ...';
comment on column public.jobs.status is 'queued -> running -> succeeded | failed | cancelled (running -> queued between slices and retries).';
comment on column public.jobs.payload is 'What the job was created with; fixed for its life.';
comment on column public.jobs.checkpoint is 'The handler''s state at its last committed checkpoint. Not readable by users.';
comment on column public.jobs.progress_total is 'Steps in all, when known.';
comment on column public.jobs.progress_done is 'Steps done.';
comment on column public.jobs.progress_skipped is 'Steps skipped.';
comment on column public.jobs.skipped_by_reason is 'Skipped steps counted per reason, e.g. {"duplicate": 3}.';
comment on column public.jobs.attempts is 'Claims so far: each attempt is one claim of the job.';
comment on column public.jobs.max_attempts is 'Failed attempts after which the job fails for good.';
comment on column public.jobs.lease_token is 'Secret of the current lease: checkpoints are accepted only with it. Not readable by users.';
comment on column public.jobs.lease_expires_at is 'When the current lease lapses and another worker may claim the job.';
comment on column public.jobs.run_after is 'Earliest time the job may be claimed (backoff after a failed attempt).';
comment on column public.jobs.cancel_requested_at is 'When the owner asked to cancel; the job stops at its next checkpoint.';
comment on column public.jobs.error is 'The last attempt''s error (client-safe), or why the job failed.';
comment on column public.jobs.result is 'What a succeeded job produced (ids, counts).';
comment on column public.jobs.correlation_id is 'Correlation id of the request that created the job; every slice runs under it.';
comment on column public.jobs.created_at is 'When the job was created.';
comment on column public.jobs.updated_at is 'Last change.';
comment on column public.jobs.started_at is 'When it was first claimed.';
comment on column public.jobs.finished_at is 'When it succeeded, failed or was cancelled.';

-- The claim's one way in: a queued job from its run_after, a running one from
-- its lease's expiry, in one order, so a claim reads the index from the front
-- and stops at the first job it may take.
create index jobs_claimable_idx on public.jobs (
  (case when status = 'queued' then run_after else lease_expires_at end)) where status in ('queued', 'running');
create index jobs_running_user_idx on public.jobs (user_id) where status = 'running';
create index jobs_user_id_created_at_idx on public.jobs (user_id, created_at desc);

revoke all on table public.jobs from anon, authenticated, service_role;
grant select (id, user_id, kind, status, payload, progress_total, progress_done, progress_skipped,
              skipped_by_reason, attempts, max_attempts, lease_expires_at, run_after,
              cancel_requested_at, error, result, correlation_id, created_at, updated_at,
              started_at, finished_at)
  on table public.jobs to authenticated;
grant select, insert, update, delete on table public.jobs to service_role;

alter table public.jobs enable row level security;

-- One policy for both readers: the owner, and an admin (the operations side).
create policy "Users read their own jobs, admins every job" on public.jobs
  for select to authenticated
  using ((select auth.uid()) = user_id or (select private.is_admin()));

/**
 * Keeps the status machine: a job starts queued; running may go back to
 * queued; succeeded, failed and cancelled are final. Stamps the times.
 */
create or replace function private.check_job_transition() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if new.status <> 'queued' then
      raise exception 'A new job must start as queued, not %', new.status using errcode = '23514';
    end if;
    return new;
  end if;
  if old.status in ('succeeded', 'failed', 'cancelled') then
    raise exception 'Job % is % and cannot change', old.id, old.status using errcode = '23514';
  end if;
  if old.status <> new.status and not (
       (old.status = 'queued' and new.status in ('running', 'cancelled', 'failed'))
    or (old.status = 'running' and new.status in ('queued', 'succeeded', 'failed', 'cancelled'))) then
    raise exception 'Job status cannot go from % to %', old.status, new.status using errcode = '23514';
  end if;
  new.updated_at := now();
  if new.status = 'running' and new.started_at is null then
    new.started_at := now();
  end if;
  if new.status in ('succeeded', 'failed', 'cancelled') then
    new.finished_at := now();
  end if;
  return new;
end
$$;
comment on function private.check_job_transition() is 'Trigger: enforces the job status machine and stamps its times.';
revoke execute on function private.check_job_transition() from public;

create trigger jobs_check_transition before insert or update on public.jobs
  for each row execute function private.check_job_transition();

/** Writes every status change to the audit trail, under the job's correlation id. */
create or replace function private.audit_job_transition() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.status = old.status then
    return null;
  end if;
  insert into public.audit_logs (user_id, event_type, event_data, correlation_id, source)
  values (new.user_id, 'job_' || new.status,
          pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'job_id', new.id, 'kind', new.kind, 'attempt', new.attempts,
            'from', case when tg_op = 'UPDATE' then old.status end,
            'error', case when new.status in ('queued', 'failed') then new.error end)),
          new.correlation_id, 'database');
  return null;
end
$$;
comment on function private.audit_job_transition() is 'Trigger: audits each job status change (job_queued, job_running, job_succeeded, ...).';
revoke execute on function private.audit_job_transition() from public;

create trigger jobs_audit_transition after insert or update of status on public.jobs
  for each row execute function private.audit_job_transition();

/** Sends a job's state to its private topic job:<id> on every status or progress change. */
create or replace function private.broadcast_job_progress() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.status = old.status and new.progress_done = old.progress_done
     and new.progress_skipped = old.progress_skipped
     and new.progress_total is not distinct from old.progress_total then
    return null;
  end if;
  perform realtime.send(
    pg_catalog.jsonb_build_object(
      'job_id', new.id,
      'kind', new.kind,
      'status', new.status,
      'progress', case
        when new.status = 'succeeded' then 1
        when coalesce(new.progress_total, 0) > 0 then
          least(1, (new.progress_done + new.progress_skipped)::float8 / new.progress_total)
        end,
      'done', new.progress_done,
      'skipped', new.progress_skipped,
      'total', new.progress_total,
      'error', new.error,
      'result', new.result,
      'updated_at', new.updated_at),
    'progress',
    'job:' || new.id::text,
    true);
  return null;
end
$$;
comment on function private.broadcast_job_progress() is 'Trigger: broadcasts a job''s status and progress to job:<id>.';
revoke execute on function private.broadcast_job_progress() from public;

create trigger jobs_broadcast_progress
  after insert or update of status, progress_done, progress_skipped, progress_total on public.jobs
  for each row execute function private.broadcast_job_progress();

-- The job topic may now name a job as well as an export.
alter policy "Users receive their own live feeds" on realtime.messages
  using (
    realtime.messages.extension = 'broadcast'
    and (
      (select realtime.topic()) = 'experiments:' || (select auth.uid())::text
      or (select realtime.topic()) = 'analytics:' || (select auth.uid())::text
      or exists (
        select 1 from public.experiment_exports as e
         where e.id = private.topic_uuid((select realtime.topic()), 'job:')
           and e.user_id = (select auth.uid()))
      or exists (
        select 1 from public.jobs as j
         where j.id = private.topic_uuid((select realtime.topic()), 'job:')
           and j.user_id = (select auth.uid()))
    )
  );

/**
 * Creates a queued job for the calling user (or, as service_role, for
 * p_user_id) in the caller's transaction, so it commits with the rows that
 * need it. Features call it; the Data API cannot reach the private schema.
 */
create or replace function private.enqueue_job(
  p_kind text,
  p_payload jsonb default '{}'::jsonb,
  p_id uuid default null,
  p_total bigint default null,
  p_max_attempts integer default 5,
  p_user_id uuid default null
) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  owner uuid := p_user_id;
  new_id uuid;
begin
  if coalesce(auth.role(), 'service_role') = 'authenticated' then
    if p_user_id is not null and p_user_id is distinct from auth.uid() then
      raise exception 'Cannot create a job for another user' using errcode = '42501';
    end if;
    owner := auth.uid();
  elsif coalesce(auth.role(), 'service_role') <> 'service_role' then
    raise exception 'Cannot create a job as %', auth.role() using errcode = '42501';
  end if;
  if owner is null then
    raise exception 'A job needs an owner' using errcode = '22023';
  end if;
  insert into public.jobs (id, user_id, kind, payload, progress_total, max_attempts)
  values (coalesce(p_id, gen_random_uuid()), owner, p_kind, coalesce(p_payload, '{}'::jsonb),
          p_total, coalesce(p_max_attempts, 5))
  returning id into new_id;
  return new_id;
end
$$;
comment on function private.enqueue_job(text, jsonb, uuid, bigint, integer, uuid) is
  'Creates a queued job for the caller (authenticated) or for p_user_id (service_role), in the caller''s transaction.';
revoke execute on function private.enqueue_job(text, jsonb, uuid, bigint, integer, uuid) from public;
grant execute on function private.enqueue_job(text, jsonb, uuid, bigint, integer, uuid) to authenticated, service_role;

/**
 * Claims one job in one statement: the oldest ready queued job, or a running
 * job whose lease lapsed, of a user who holds fewer than p_user_cap live
 * leases (so one user's hundred jobs cannot starve another's); locked rows
 * are skipped, so concurrent workers never claim the same job. Only kinds
 * in p_kinds (a JSON array of names) are claimed (a worker never takes a job it has no handler for:
 * it waits, queued, for a worker that has). p_job_id claims that job only
 * (a request working its own job inline).
 */
create or replace function private.claim_job(
  p_lease_seconds integer,
  p_user_cap integer,
  p_kinds jsonb,
  p_job_id uuid default null
) returns jsonb
language sql
set search_path = ''
as $$
  with claimed as (
    update public.jobs as j
       set status = 'running',
           attempts = j.attempts + 1,
           lease_token = gen_random_uuid(),
           lease_expires_at = now() + make_interval(secs => p_lease_seconds)
     where j.id = (
       select c.id
         from public.jobs as c
        where c.status in ('queued', 'running')
          and (case when c.status = 'queued' then c.run_after else c.lease_expires_at end) <= now()
          and p_kinds ? c.kind
          and (p_job_id is null or c.id = p_job_id)
          and (select count(*) from public.jobs as r
                where r.user_id = c.user_id and r.status = 'running'
                  and r.lease_expires_at > now()) < p_user_cap
        order by (case when c.status = 'queued' then c.run_after else c.lease_expires_at end)
        limit 1
        for update skip locked)
    returning j.*
  )
  select pg_catalog.to_jsonb(claimed) from claimed;
$$;
comment on function private.claim_job(integer, integer, jsonb, uuid) is
  'Worker: claims the next ready job (or p_job_id) under a new lease, skipping locked rows and capped users; the job as JSON, or null.';
revoke execute on function private.claim_job(integer, integer, jsonb, uuid) from public, anon, authenticated;
grant execute on function private.claim_job(integer, integer, jsonb, uuid) to service_role;

/**
 * Saves a job's checkpoint and progress and renews its lease, in the
 * transaction of the work the checkpoint records (which may run as the
 * owner). Returns whether a cancel was requested, or null when the lease is
 * no longer p_lease_token's: the caller must then roll its work back.
 */
create or replace function private.checkpoint_job(
  p_job_id uuid,
  p_lease_token uuid,
  p_lease_seconds integer,
  p_checkpoint jsonb,
  p_done bigint default null,
  p_total bigint default null,
  p_skipped bigint default null,
  p_skipped_by_reason jsonb default null
) returns boolean
language sql
security definer
set search_path = ''
as $$
  update public.jobs
     set checkpoint = p_checkpoint,
         progress_done = coalesce(p_done, progress_done),
         progress_total = coalesce(p_total, progress_total),
         progress_skipped = coalesce(p_skipped, progress_skipped),
         skipped_by_reason = coalesce(p_skipped_by_reason, skipped_by_reason),
         lease_expires_at = now() + make_interval(secs => p_lease_seconds),
         updated_at = now()
   where id = p_job_id and lease_token = p_lease_token and status = 'running'
  returning cancel_requested_at is not null;
$$;
comment on function private.checkpoint_job(uuid, uuid, integer, jsonb, bigint, bigint, bigint, jsonb) is
  'Worker: saves checkpoint and progress and renews the lease, only with the current lease token; returns cancel requested, or null when the lease is lost.';
revoke execute on function private.checkpoint_job(uuid, uuid, integer, jsonb, bigint, bigint, bigint, jsonb) from public, anon;
-- The lease token is the credential: users never see it, and the work's
-- transaction may run as the owner.
grant execute on function private.checkpoint_job(uuid, uuid, integer, jsonb, bigint, bigint, bigint, jsonb) to authenticated, service_role;

/**
 * Ends a lease: p_status queued hands the job back — with no p_error, the
 * rest of the work (which is no failed attempt, so the claim's count is
 * given back), with one, a retry after p_run_after — and succeeded / failed
 * / cancelled end it. Only the lease holder may; returns false when the
 * lease was no longer theirs.
 */
create or replace function private.settle_job(
  p_job_id uuid,
  p_lease_token uuid,
  p_status text,
  p_result jsonb default null,
  p_error text default null,
  p_run_after timestamptz default null
) returns boolean
language plpgsql
set search_path = ''
as $$
begin
  if p_status not in ('queued', 'succeeded', 'failed', 'cancelled') then
    raise exception 'Cannot settle a job as %', p_status using errcode = '22023';
  end if;
  update public.jobs
     set status = p_status,
         attempts = case when p_status = 'queued' and p_error is null then attempts - 1 else attempts end,
         result = coalesce(p_result, result),
         error = case when p_status = 'succeeded' then null else coalesce(left(p_error, 2000), error) end,
         run_after = coalesce(p_run_after, now()),
         lease_token = null,
         lease_expires_at = null
   where id = p_job_id and lease_token = p_lease_token and status = 'running';
  return found;
end
$$;
comment on function private.settle_job(uuid, uuid, text, jsonb, text, timestamptz) is
  'Worker: hands a job back to the queue or ends it, only with the current lease token.';
revoke execute on function private.settle_job(uuid, uuid, text, jsonb, text, timestamptz) from public, anon, authenticated;
grant execute on function private.settle_job(uuid, uuid, text, jsonb, text, timestamptz) to service_role;

/**
 * The owner asks to cancel a job: it stops at its next checkpoint, or when
 * a worker next claims it if it is queued, and the worker cleans up what
 * it leaves (a half-written upload, a row still running). Cancelling a
 * finished job changes nothing. Someone else's job, or none, is 404.
 */
create or replace function public.cancel_job(p_job_id uuid)
returns table (id uuid, status text, cancel_requested_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
declare
  job public.jobs;
begin
  select * into job from public.jobs as j
   where j.id = p_job_id and j.user_id = (select auth.uid())
   for update;
  if not found then
    perform private.raise_http_error(404, 'job_not_found', 'Job not found');
  end if;
  if job.status in ('queued', 'running') then
    update public.jobs as j
       set cancel_requested_at = coalesce(j.cancel_requested_at, now()),
           -- A queued job waiting out a backoff is picked up at once, so its cancel is seen.
           run_after = least(j.run_after, now())
     where j.id = job.id
    returning * into job;
  end if;
  return query select job.id, job.status, job.cancel_requested_at;
end
$$;
comment on function public.cancel_job(uuid) is
  'Owner: asks to cancel a job; the worker stops it at its next checkpoint and cleans up.';
revoke execute on function public.cancel_job(uuid) from public, anon;
grant execute on function public.cancel_job(uuid) to authenticated;

-- Jobs on the operations side: throughput and failures by kind for
-- system-metrics, and the failed jobs as a dashboard view. Both read
-- public.jobs as the caller (security invoker), so RLS decides: an admin
-- sees every user's jobs, anyone else their own.

create index jobs_finished_at_idx on public.jobs (finished_at) where finished_at is not null;

/**
 * Per kind since p_since: jobs that ended (succeeded, failed, cancelled),
 * the failed share, the time from creation to the end (p50, p95) and the
 * jobs still queued or running now.
 */
create or replace function private.job_stats(p_since timestamptz)
returns table (
  kind text,
  succeeded bigint,
  failed bigint,
  cancelled bigint,
  failure_rate double precision,
  p50_seconds double precision,
  p95_seconds double precision,
  queued bigint,
  running bigint
)
language sql stable
set search_path = ''
as $$
  with ended as (
    select j.kind, j.status, extract(epoch from j.finished_at - j.created_at)::float8 as seconds
      from public.jobs as j
     where j.finished_at >= p_since
  ),
  waiting as (
    select j.kind, pg_catalog.count(*) filter (where j.status = 'queued') as queued,
           pg_catalog.count(*) filter (where j.status = 'running') as running
      from public.jobs as j
     where j.status in ('queued', 'running')
     group by j.kind
  ),
  finished as (
    select e.kind,
           pg_catalog.count(*) filter (where e.status = 'succeeded') as succeeded,
           pg_catalog.count(*) filter (where e.status = 'failed') as failed,
           pg_catalog.count(*) filter (where e.status = 'cancelled') as cancelled,
           pg_catalog.percentile_cont(0.5) within group (order by e.seconds) as p50_seconds,
           pg_catalog.percentile_cont(0.95) within group (order by e.seconds) as p95_seconds
      from ended as e
     group by e.kind
  )
  select coalesce(f.kind, w.kind),
         coalesce(f.succeeded, 0), coalesce(f.failed, 0), coalesce(f.cancelled, 0),
         case when coalesce(f.succeeded + f.failed, 0) = 0 then 0
              else f.failed::float8 / (f.succeeded + f.failed) end,
         f.p50_seconds, f.p95_seconds,
         coalesce(w.queued, 0), coalesce(w.running, 0)
    from finished as f
    full join waiting as w on w.kind = f.kind
   order by 1;
$$;
comment on function private.job_stats(timestamptz) is
  'system-metrics: per job kind, jobs ended since p_since (succeeded, failed, cancelled, failure rate, p50/p95 seconds) and jobs queued or running now; RLS applies.';
revoke execute on function private.job_stats(timestamptz) from public, anon;
grant execute on function private.job_stats(timestamptz) to authenticated, service_role;

create view public.failed_jobs with (security_invoker = true) as
  select j.finished_at, j.kind, j.error, j.attempts, j.id as job_id, j.correlation_id, j.user_id
    from public.jobs as j
   where j.status = 'failed'
   order by j.finished_at desc
   limit 200;
comment on view public.failed_jobs is 'The 200 latest failed jobs with their error and correlation id.';
comment on column public.failed_jobs.finished_at is 'When the job failed for good.';
comment on column public.failed_jobs.kind is 'Job kind (export, dataset_ingest, batch_run, ...).';
comment on column public.failed_jobs.error is 'Why it failed (client-safe).';
comment on column public.failed_jobs.attempts is 'Attempts it took.';
comment on column public.failed_jobs.job_id is 'The job.';
comment on column public.failed_jobs.correlation_id is 'Correlation id of the request that created it: find its audit rows with it.';
comment on column public.failed_jobs.user_id is 'The job''s owner.';
revoke all on public.failed_jobs from anon, authenticated, service_role;
grant select on public.failed_jobs to authenticated, service_role;

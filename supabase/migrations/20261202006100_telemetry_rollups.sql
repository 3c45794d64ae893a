-- Telemetry that stays small: raw request rows (system_metrics) are kept for a
-- window (default 7 days) and then folded into per-minute rollups that keep
-- every latency value with its count, so latency percentiles, request counts
-- and error rates come out exactly the same before and after a rollup.
-- private.rollup_system_metrics() does it; a hosted project schedules it with
-- pg_cron (README), the local stack calls it through system-metrics.

create table public.system_metrics_rollups (
  bucket_start timestamptz not null,
  route text not null,
  method text not null,
  status_code integer not null,
  latency_ms integer not null,
  request_count bigint not null,
  primary key (bucket_start, route, method, status_code, latency_ms),
  constraint system_metrics_rollups_bucket_minute check (bucket_start = date_trunc('minute', bucket_start)),
  constraint system_metrics_rollups_count_check check (request_count > 0),
  constraint system_metrics_rollups_status_code_check check (status_code between 100 and 599),
  constraint system_metrics_rollups_latency_check check (latency_ms >= 0)
);

comment on table public.system_metrics_rollups is 'Rolled-up request telemetry: how many requests of one route, status and latency each minute.';
comment on column public.system_metrics_rollups.bucket_start is 'Start of the minute the requests were handled in.';
comment on column public.system_metrics_rollups.route is 'Function route pattern, as in system_metrics.';
comment on column public.system_metrics_rollups.method is 'HTTP method.';
comment on column public.system_metrics_rollups.status_code is 'Final HTTP status.';
comment on column public.system_metrics_rollups.latency_ms is 'Latency in milliseconds shared by these requests.';
comment on column public.system_metrics_rollups.request_count is 'Number of requests with this minute, route, method, status and latency.';

revoke all on table public.system_metrics_rollups from anon, authenticated, service_role;
grant select on table public.system_metrics_rollups to authenticated;
grant select, insert, update, delete on table public.system_metrics_rollups to service_role;

alter table public.system_metrics_rollups enable row level security;

create policy "Admins read rolled-up telemetry" on public.system_metrics_rollups
  for select to authenticated
  using ((select private.is_admin()));

-- Windows and the rollup select raw rows by time.
create index system_metrics_created_at_idx on public.system_metrics (created_at);

/**
 * Moves raw telemetry older than p_keep (cut at a whole minute) into the
 * per-minute rollups and deletes rollups older than p_keep_rollups. Returns
 * {"rolledUp": raw rows moved, "prunedBuckets": rollup rows deleted}.
 * Safe to run at any time and concurrently with writes: each row moves once.
 */
create or replace function private.rollup_system_metrics(
  p_keep interval default interval '7 days',
  p_keep_rollups interval default interval '90 days'
) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  cutoff timestamptz := pg_catalog.date_trunc('minute', pg_catalog.now() - p_keep);
  moved bigint;
  pruned bigint;
begin
  if p_keep is null or p_keep < interval '1 minute' or p_keep_rollups is null or p_keep_rollups < p_keep then
    raise exception 'Invalid retention: keep raw rows at least a minute and rollups at least as long'
      using errcode = '22023';
  end if;
  -- The insert runs even though nothing reads it: data-modifying CTEs always do.
  with gone as (
    delete from public.system_metrics as m where m.created_at < cutoff
    returning m.created_at, m.route, m.method, m.status_code, m.latency_ms
  ), folded as (
    insert into public.system_metrics_rollups as r (bucket_start, route, method, status_code, latency_ms, request_count)
    select pg_catalog.date_trunc('minute', g.created_at), g.route, g.method, g.status_code, g.latency_ms, pg_catalog.count(*)
      from gone as g
     group by 1, 2, 3, 4, 5
    on conflict (bucket_start, route, method, status_code, latency_ms)
      do update set request_count = r.request_count + excluded.request_count
  )
  select pg_catalog.count(*) into moved from gone;

  delete from public.system_metrics_rollups as r
   where r.bucket_start < pg_catalog.date_trunc('minute', pg_catalog.now() - p_keep_rollups);
  get diagnostics pruned = row_count;
  return pg_catalog.jsonb_build_object('rolledUp', moved, 'prunedBuckets', pruned);
end
$$;
comment on function private.rollup_system_metrics(interval, interval) is
  'Folds raw telemetry older than p_keep into per-minute rollups; drops rollups older than p_keep_rollups.';
revoke execute on function private.rollup_system_metrics(interval, interval) from public, anon, authenticated;
grant execute on function private.rollup_system_metrics(interval, interval) to service_role;

/**
 * Latency percentiles (exactly percentile_cont's), request counts per status
 * class and error rates per route and method, over raw rows and rollups
 * since p_since (cut at a whole minute, so a rollup never changes a figure).
 * Runs as the caller: RLS decides whose requests count (an admin's: all).
 */
create or replace function private.route_latency_stats(p_since timestamptz)
returns table (
  route text,
  method text,
  requests bigint,
  p50_ms double precision,
  p95_ms double precision,
  p99_ms double precision,
  status_2xx bigint,
  status_3xx bigint,
  status_4xx bigint,
  status_5xx bigint,
  error_rate double precision
)
language sql stable
set search_path = ''
as $$
  with since as (
    select pg_catalog.date_trunc('minute', p_since) as at
  ), samples as (
    select m.route, m.method, m.status_code / 100 as class, m.latency_ms, pg_catalog.count(*) as n
      from public.system_metrics as m, since
     where m.created_at >= since.at
     group by 1, 2, 3, 4
    union all
    select r.route, r.method, r.status_code / 100, r.latency_ms, r.request_count
      from public.system_metrics_rollups as r, since
     where r.bucket_start >= since.at
  ), by_latency as (
    select s.route, s.method, s.latency_ms, pg_catalog.sum(s.n) as n
      from samples as s
     group by 1, 2, 3
  ), cumulative as (
    select b.route, b.method, b.latency_ms,
           pg_catalog.sum(b.n) over (partition by b.route, b.method order by b.latency_ms) as upto,
           pg_catalog.sum(b.n) over (partition by b.route, b.method) as total
      from by_latency as b
  ), ranks as (
    select c.route, c.method, c.latency_ms, c.upto, c.total,
           0.50::float8 * (c.total - 1) as r50, 0.95::float8 * (c.total - 1) as r95, 0.99::float8 * (c.total - 1) as r99
      from cumulative as c
  ), percentiles as (
    -- The k-th value (0-based) is the smallest latency whose cumulative count exceeds k.
    select k.route, k.method, k.total::bigint as requests,
           k.r50, k.r95, k.r99,
           min(k.latency_ms) filter (where k.upto > pg_catalog.floor(k.r50)) as lo50,
           min(k.latency_ms) filter (where k.upto > pg_catalog.ceil(k.r50)) as hi50,
           min(k.latency_ms) filter (where k.upto > pg_catalog.floor(k.r95)) as lo95,
           min(k.latency_ms) filter (where k.upto > pg_catalog.ceil(k.r95)) as hi95,
           min(k.latency_ms) filter (where k.upto > pg_catalog.floor(k.r99)) as lo99,
           min(k.latency_ms) filter (where k.upto > pg_catalog.ceil(k.r99)) as hi99
      from ranks as k
     group by k.route, k.method, k.total, k.r50, k.r95, k.r99
  ), classes as (
    select s.route, s.method,
           coalesce(pg_catalog.sum(s.n) filter (where s.class = 2), 0)::bigint as c2,
           coalesce(pg_catalog.sum(s.n) filter (where s.class = 3), 0)::bigint as c3,
           coalesce(pg_catalog.sum(s.n) filter (where s.class = 4), 0)::bigint as c4,
           coalesce(pg_catalog.sum(s.n) filter (where s.class = 5), 0)::bigint as c5
      from samples as s
     group by 1, 2
  )
  -- Interpolated as percentile_cont does: lo + (hi - lo) * (rank - floor(rank)).
  select p.route, p.method, p.requests,
         p.lo50::float8 + (p.hi50::float8 - p.lo50::float8) * (p.r50 - pg_catalog.floor(p.r50)),
         p.lo95::float8 + (p.hi95::float8 - p.lo95::float8) * (p.r95 - pg_catalog.floor(p.r95)),
         p.lo99::float8 + (p.hi99::float8 - p.lo99::float8) * (p.r99 - pg_catalog.floor(p.r99)),
         c.c2, c.c3, c.c4, c.c5,
         c.c5::float8 / p.requests
    from percentiles as p
    join classes as c using (route, method)
   order by p.route, p.method
$$;
comment on function private.route_latency_stats(timestamptz) is
  'Per route and method since a time: requests, p50/p95/p99 latency (as percentile_cont), counts per status class, 5xx rate.';
revoke execute on function private.route_latency_stats(timestamptz) from public, anon;
grant execute on function private.route_latency_stats(timestamptz) to authenticated, service_role;

-- What admins look at in the Supabase dashboard: model call statistics
-- (aggregates over experiments, never their content) and a few
-- security_invoker views over telemetry and the audit trail, so RLS decides
-- what each reader sees (an admin: everything; a user: their own requests).

/**
 * Model calls since p_since per model: responses asked for, how many failed
 * and why (counts per error code). Counts only, never prompts or responses,
 * so it runs as its owner over every user's experiments; admins and the
 * service role only.
 */
create or replace function private.model_call_stats(p_since timestamptz)
returns table (model text, calls bigint, failed bigint, error_rate double precision, failures_by_code jsonb)
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  if not private.is_admin() and coalesce(auth.role(), '') <> 'service_role' then
    raise exception 'Only admins may read model call statistics' using errcode = '42501';
  end if;
  return query
  with calls as (
    select e.model, r.item ->> 'status' as status, r.item #>> '{error,code}' as code
      from public.experiments as e
     cross join lateral pg_catalog.jsonb_array_elements(e.responses) as r(item)
     where e.created_at >= p_since
  ), codes as (
    select c.model, c.code, pg_catalog.count(*) as n
      from calls as c
     where c.status = 'failed'
     group by 1, 2
  )
  select c.model,
         pg_catalog.count(*)::bigint,
         (pg_catalog.count(*) filter (where c.status = 'failed'))::bigint,
         (pg_catalog.count(*) filter (where c.status = 'failed'))::float8 / pg_catalog.count(*),
         coalesce((select pg_catalog.jsonb_object_agg(coalesce(k.code, 'unknown'), k.n)
                     from codes as k where k.model = c.model), '{}'::jsonb)
    from calls as c
   group by c.model
   order by c.model;
end
$$;
comment on function private.model_call_stats(timestamptz) is
  'Per model since a time: model calls, failures, error rate and failures per error code. Admins and service_role only.';
revoke execute on function private.model_call_stats(timestamptz) from public, anon;
grant execute on function private.model_call_stats(timestamptz) to authenticated, service_role;

create view public.requests_per_route_day with (security_invoker = true) as
  select t.day, t.route, t.method, sum(t.requests)::bigint as requests, sum(t.server_errors)::bigint as server_errors
    from (
      select date_trunc('day', m.created_at) as day, m.route, m.method,
             count(*) as requests, count(*) filter (where m.status_code >= 500) as server_errors
        from public.system_metrics as m
       group by 1, 2, 3
      union all
      select date_trunc('day', r.bucket_start), r.route, r.method,
             sum(r.request_count), coalesce(sum(r.request_count) filter (where r.status_code >= 500), 0)
        from public.system_metrics_rollups as r
       group by 1, 2, 3
    ) as t
   group by 1, 2, 3;
comment on view public.requests_per_route_day is 'Requests and server errors per route, method and day (raw rows and rollups).';
comment on column public.requests_per_route_day.day is 'The day (UTC on Supabase).';
comment on column public.requests_per_route_day.route is 'Function route pattern.';
comment on column public.requests_per_route_day.method is 'HTTP method.';
comment on column public.requests_per_route_day.requests is 'Requests handled that day.';
comment on column public.requests_per_route_day.server_errors is 'Requests that ended in a 5xx.';
revoke all on public.requests_per_route_day from anon, authenticated, service_role;
grant select on public.requests_per_route_day to authenticated, service_role;

create view public.slowest_routes with (security_invoker = true) as
  select s.route, s.method, s.requests, s.p50_ms, s.p95_ms, s.p99_ms, s.error_rate
    from private.route_latency_stats(now() - interval '1 day') as s
   order by s.p95_ms desc, s.route;
comment on view public.slowest_routes is 'Routes of the last 24 hours, slowest p95 first.';
comment on column public.slowest_routes.route is 'Function route pattern.';
comment on column public.slowest_routes.method is 'HTTP method.';
comment on column public.slowest_routes.requests is 'Requests in the last 24 hours.';
comment on column public.slowest_routes.p50_ms is 'Median latency, ms.';
comment on column public.slowest_routes.p95_ms is '95th percentile latency, ms.';
comment on column public.slowest_routes.p99_ms is '99th percentile latency, ms.';
comment on column public.slowest_routes.error_rate is 'Share of requests that ended in a 5xx.';
revoke all on public.slowest_routes from anon, authenticated, service_role;
grant select on public.slowest_routes to authenticated, service_role;

create view public.recent_errors with (security_invoker = true) as
  select a.created_at, a.event_data ->> 'route' as route, a.event_data ->> 'method' as method,
         (a.event_data ->> 'status')::integer as status, a.event_data ->> 'code' as code,
         a.correlation_id, a.user_id
    from public.audit_logs as a
   where a.event_type = 'request_failed'
   order by a.created_at desc
   limit 200;
comment on view public.recent_errors is 'The 200 latest failed requests with their error code and correlation id.';
comment on column public.recent_errors.created_at is 'When the request failed.';
comment on column public.recent_errors.route is 'Function route pattern.';
comment on column public.recent_errors.method is 'HTTP method.';
comment on column public.recent_errors.status is 'HTTP status of the answer.';
comment on column public.recent_errors.code is 'Lab error code (invalid_token, upstream_unavailable, ...).';
comment on column public.recent_errors.correlation_id is 'Correlation id: find the request''s other rows with it.';
comment on column public.recent_errors.user_id is 'The caller, when known.';
revoke all on public.recent_errors from anon, authenticated, service_role;
grant select on public.recent_errors to authenticated, service_role;

create index audit_logs_event_type_created_at_idx on public.audit_logs (event_type, created_at desc);

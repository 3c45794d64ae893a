-- System metrics: one row per function request, written by the withTelemetry
-- middleware after the response is sent (as service_role). Users can read the
-- telemetry of their own requests.

create table public.system_metrics (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references auth.users (id) on delete set null,
  route text not null,
  method text not null,
  status_code integer not null,
  latency_ms integer not null,
  correlation_id uuid,
  created_at timestamptz not null default now(),
  constraint system_metrics_status_code_check check (status_code between 100 and 599),
  constraint system_metrics_latency_check check (latency_ms >= 0),
  constraint system_metrics_method_check check (method ~ '^[A-Z]{3,7}$'),
  constraint system_metrics_route_length check (char_length(route) between 1 and 200)
);

comment on table public.system_metrics is 'Request telemetry: one row per function request.';
comment on column public.system_metrics.id is 'Primary key.';
comment on column public.system_metrics.user_id is 'The verified caller, null when the request was not authenticated.';
comment on column public.system_metrics.route is 'Function route pattern, e.g. /generate or /exports/:id.';
comment on column public.system_metrics.method is 'HTTP method.';
comment on column public.system_metrics.status_code is 'Final HTTP status, including errors.';
comment on column public.system_metrics.latency_ms is 'Time from request to response, in milliseconds.';
comment on column public.system_metrics.correlation_id is 'Correlation id of the request.';
comment on column public.system_metrics.created_at is 'When the request was handled.';

create index system_metrics_user_id_created_at_idx on public.system_metrics (user_id, created_at desc);
create index system_metrics_correlation_id_idx on public.system_metrics (correlation_id);

revoke all on table public.system_metrics from anon, authenticated, service_role;
grant select on table public.system_metrics to authenticated;
grant select, insert, delete on table public.system_metrics to service_role;

alter table public.system_metrics enable row level security;

create policy "Users can read telemetry of their own requests" on public.system_metrics
  for select to authenticated using ((select auth.uid()) = user_id);

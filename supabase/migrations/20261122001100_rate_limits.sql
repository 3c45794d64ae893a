-- Rate limits: per-user request counters in fixed windows, one row per
-- (user, scope, window). Internal: the table lives in `private`, has RLS on
-- and no grants to the API roles, so the only way in is
-- private.consume_rate_limit, which counts the caller's own requests.
--
-- A request over the limit is not counted: the upsert only increments while
-- the counter is below the limit, so a rejected request leaves the row as it
-- was whether or not the caller's transaction later rolls back.

create table private.rate_limits (
  user_id uuid not null references auth.users (id) on delete cascade,
  scope text not null,
  window_start timestamptz not null,
  request_count integer not null default 0,
  primary key (user_id, scope, window_start),
  constraint rate_limits_scope_check check (scope ~ '^[a-z][a-z0-9_]{0,62}$'),
  constraint rate_limits_request_count_check check (request_count >= 0)
);

comment on table private.rate_limits is 'Fixed-window request counters per user and scope; written only by private.consume_rate_limit.';
comment on column private.rate_limits.user_id is 'The counted user (auth.users.id).';
comment on column private.rate_limits.scope is 'What is limited, e.g. generate.';
comment on column private.rate_limits.window_start is 'Start of the fixed window (epoch-aligned multiple of the window length).';
comment on column private.rate_limits.request_count is 'Requests allowed in this window so far; never exceeds the limit.';

revoke all on table private.rate_limits from public, anon, authenticated, service_role;

alter table private.rate_limits enable row level security;

-- Defence in depth: without a grant nobody reaches the table through this
-- policy; should a grant ever be added, a user would still see only their own rows.
create policy "Users can read their own rate limits" on private.rate_limits
  for select to authenticated using ((select auth.uid()) = user_id);

/**
 * Counts one request of the caller (auth.uid()) in the current fixed window
 * of p_window_seconds for p_scope. Returns 0 when the request is allowed, or
 * the whole seconds (at least 1) until the window ends when the caller has
 * already used p_limit requests in it; a rejected request is not counted.
 * The caller's older windows of the same scope are deleted on the way (an
 * index range on the primary key), so the table holds about one row per
 * active user and scope.
 */
create or replace function private.consume_rate_limit(p_scope text, p_limit integer, p_window_seconds integer)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  v_window_start timestamptz;
  v_count integer;
begin
  if caller is null then
    raise exception 'Cannot consume a rate limit without a signed-in user' using errcode = '42501';
  end if;
  if p_limit is null or p_limit < 1 or p_window_seconds is null or p_window_seconds < 1 then
    raise exception 'Invalid rate limit: limit and window must be positive, got % per % s', p_limit, p_window_seconds
      using errcode = '22023';
  end if;

  v_window_start := pg_catalog.to_timestamp(
    pg_catalog.floor(extract(epoch from pg_catalog.now()) / p_window_seconds) * p_window_seconds);

  delete from private.rate_limits as r
   where r.user_id = caller and r.scope = p_scope and r.window_start < v_window_start;

  insert into private.rate_limits as r (user_id, scope, window_start, request_count)
  values (caller, p_scope, v_window_start, 1)
  on conflict (user_id, scope, window_start) do update
    set request_count = r.request_count + 1
    where r.request_count < p_limit
  returning r.request_count into v_count;

  if v_count is not null then
    return 0;
  end if;
  return greatest(1, pg_catalog.ceil(extract(epoch from
    (v_window_start + pg_catalog.make_interval(secs => p_window_seconds) - pg_catalog.now())))::integer);
end
$$;
comment on function private.consume_rate_limit(text, integer, integer) is
  'Counts one request of the caller in the current fixed window; 0 when allowed, else seconds until the window ends.';
revoke execute on function private.consume_rate_limit(text, integer, integer) from public;
grant execute on function private.consume_rate_limit(text, integer, integer) to authenticated, service_role;

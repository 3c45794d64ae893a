-- The `private` schema: internals the Data API never exposes (it is not in
-- pgrst.db_schemas), plus small helpers every feature migration uses.

create schema if not exists private;
comment on schema private is 'Lab internals: trigger functions and security-definer helpers. Not exposed through the Data API.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

/** Keeps updated_at current on every update. Attached per table. */
create or replace function private.set_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
comment on function private.set_updated_at() is 'Trigger: sets updated_at to now() on update.';
revoke execute on function private.set_updated_at() from public;

/**
 * The correlation id of the current request. Functions set app.correlation_id
 * with set_config(..., true) at the start of each transaction; requests
 * through the Data API carry it as the x-correlation-id header, which
 * PostgREST exposes in request.headers. Rows written by triggers thereby
 * carry the same id as the request. Null when absent or not a uuid.
 */
create or replace function private.current_correlation_id() returns uuid
language plpgsql stable
set search_path = ''
as $$
declare
  raw text := nullif(current_setting('app.correlation_id', true), '');
  headers text := nullif(current_setting('request.headers', true), '');
begin
  if raw is null and headers like '{%' then
    raw := headers::json ->> 'x-correlation-id';
  end if;
  if raw is null or raw !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return null;
  end if;
  return raw::uuid;
end
$$;
comment on function private.current_correlation_id() is 'The request correlation id from app.correlation_id or the x-correlation-id request header, or null.';
revoke execute on function private.current_correlation_id() from public;
grant execute on function private.current_correlation_id() to authenticated, service_role;

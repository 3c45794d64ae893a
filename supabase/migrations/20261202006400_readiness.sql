-- What the health function's readiness answer reads from the database: the
-- newest migration applied (so it can tell a database that lags behind the
-- code) and the job backlog, once a jobs table exists. Service role only.

/** The newest applied migration version, from the CLI's history table; null when there is none. */
create or replace function private.schema_version() returns text
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  if pg_catalog.to_regclass('supabase_migrations.schema_migrations') is null then
    return null;
  end if;
  return (select pg_catalog.max(m.version) from supabase_migrations.schema_migrations as m);
end
$$;
comment on function private.schema_version() is 'The newest version in supabase_migrations.schema_migrations, or null.';
revoke execute on function private.schema_version() from public, anon, authenticated;
grant execute on function private.schema_version() to service_role;

/**
 * The job backlog: {"queued": n, "oldestQueuedAt": timestamp or null} over
 * public.jobs rows whose status is queued, or null while there is no jobs
 * table with status and created_at columns.
 */
create or replace function private.job_backlog() returns jsonb
language plpgsql stable
set search_path = ''
as $$
declare
  backlog jsonb;
begin
  if (select pg_catalog.count(*) from information_schema.columns as c
       where c.table_schema = 'public' and c.table_name = 'jobs'
         and c.column_name in ('status', 'created_at')) < 2 then
    return null;
  end if;
  execute 'select pg_catalog.jsonb_build_object(''queued'', pg_catalog.count(*), ''oldestQueuedAt'', pg_catalog.min(j.created_at))
             from public.jobs as j where j.status::text = ''queued'''
    into backlog;
  return backlog;
end
$$;
comment on function private.job_backlog() is 'Queued jobs and the oldest one''s creation time, or null without a jobs table.';
revoke execute on function private.job_backlog() from public, anon, authenticated;
grant execute on function private.job_backlog() to service_role;

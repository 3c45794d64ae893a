-- Batch runs as jobs of the worker (kind batch_run): one job works a run at
-- a time, under the job's lease, so when a job's slice starts every result
-- still claimed belongs to a worker that is gone (its slice either ended,
-- waiting for every call it made, or died). Releasing them at once lets a
-- resumed job go on without waiting for their own leases to lapse; a late
-- record from a worker that was only slow still records each result once,
-- since a result is recorded only while it is claimed.

/**
 * Puts the caller's run's claimed (running) results back to pending and
 * returns how many. Only a job that holds the run's lease may call it.
 * Raises 404 batch_run_not_found when the run is not the caller's.
 */
create or replace function private.release_batch_claims(p_claims jsonb, p_correlation_id uuid, p_run_id uuid)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  subject uuid := private.claims_subject(p_claims);
  released integer;
begin
  perform 1 from public.batch_runs as r where r.id = p_run_id and r.user_id = subject;
  if not found then
    perform private.raise_http_error(404, 'batch_run_not_found', 'Batch run not found: ' || p_run_id::text);
  end if;
  update public.batch_results as b
     set status = 'pending', lease_until = null
   where b.run_id = p_run_id and b.status = 'running';
  get diagnostics released = row_count;
  return released;
end
$$;

comment on function private.release_batch_claims(jsonb, uuid, uuid) is
  'Batch step: the caller''s run''s claimed results back to pending, for the job that now holds the run.';
revoke execute on function private.release_batch_claims(jsonb, uuid, uuid) from public, anon, authenticated, service_role;

-- Idempotency keys are written by the lab only. A stored answer is replayed
-- as the lab's own (with `idempotent-replayed: true`), so a user who could
-- write the table through the Data API could make the lab replay anything:
-- PATCH response_body of a completed key, or INSERT a completed key with a
-- forged answer before the first request. Users keep reading their own keys;
-- claiming, completing and releasing go through the three functions below,
-- which act on the caller's own keys only (auth.uid()) and are reachable from
-- the functions' SQL but not from the Data API (the private schema is not
-- exposed).

revoke insert, update, delete on table public.idempotency_keys from authenticated;
drop policy "Users can claim their own idempotency keys" on public.idempotency_keys;
drop policy "Users can complete their own idempotency keys" on public.idempotency_keys;
drop policy "Users can release their own idempotency keys" on public.idempotency_keys;

/** The caller's user id (auth.uid()), or a 42501 error when there is no caller. */
create or replace function private.idempotency_caller()
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
begin
  if caller is null then
    raise exception 'Cannot use an Idempotency-Key without a user' using errcode = '42501';
  end if;
  return caller;
end
$$;

comment on function private.idempotency_caller() is
  'The caller (auth.uid()) for the idempotency functions; 42501 without one.';
revoke execute on function private.idempotency_caller() from public, anon, authenticated, service_role;

/**
 * Claims the caller's Idempotency-Key of p_scope for a request whose body
 * hashes to p_request_hash. Returns {"kind":"new"} when this request may run
 * (a fresh key, or one whose earlier claim expired), or {"kind":"replay",
 * "status", "body"} with the stored answer of a completed request. Raises 409
 * idempotency_conflict when the key was used with another body, and 409
 * idempotency_in_progress (Retry-After: 2) while another claim holds it.
 * A claim blocks retries for five minutes unless completed or released.
 */
create or replace function private.claim_idempotency_key(
  p_scope text,
  p_key text,
  p_request_hash text
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.idempotency_caller();
  existing public.idempotency_keys;
begin
  insert into public.idempotency_keys (user_id, scope, key, request_hash, locked_until)
  values (caller, p_scope, p_key, p_request_hash, pg_catalog.now() + interval '5 minutes')
  on conflict (user_id, scope, key) do nothing;
  if found then
    return '{"kind":"new"}'::jsonb;
  end if;

  select * into existing
    from public.idempotency_keys as k
   where k.user_id = caller and k.scope = p_scope and k.key = p_key
     for update;
  if existing.request_hash <> p_request_hash then
    perform private.raise_http_error(409, 'idempotency_conflict',
      'Idempotency-Key reused with a different request body');
  end if;
  if existing.status = 'completed' then
    return pg_catalog.jsonb_build_object('kind', 'replay',
      'status', existing.response_status, 'body', existing.response_body);
  end if;
  if existing.locked_until > pg_catalog.now() then
    perform private.raise_http_error(409, 'idempotency_in_progress',
      'A request with this Idempotency-Key is still running: retry shortly',
      '{"retry-after":"2"}');
  end if;
  update public.idempotency_keys as k
     set locked_until = pg_catalog.now() + interval '5 minutes'
   where k.user_id = caller and k.scope = p_scope and k.key = p_key;
  return '{"kind":"new"}'::jsonb;
end
$$;

comment on function private.claim_idempotency_key(text, text, text) is
  'Claims the caller''s Idempotency-Key: {"kind":"new"} or the stored answer to replay; 409 on reuse or while held.';
revoke execute on function private.claim_idempotency_key(text, text, text) from public;
grant execute on function private.claim_idempotency_key(text, text, text) to authenticated;

/**
 * Completes the caller's claimed Idempotency-Key of p_scope with the answer
 * (p_status, p_body) that retries will replay. Only a claim in progress is
 * completed: a stored answer is never rewritten. Returns whether it was.
 */
create or replace function private.complete_idempotency_key(
  p_scope text,
  p_key text,
  p_status integer,
  p_body jsonb
) returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.idempotency_caller();
begin
  update public.idempotency_keys as k
     set status = 'completed', response_status = p_status, response_body = p_body
   where k.user_id = caller and k.scope = p_scope and k.key = p_key and k.status = 'in_progress';
  return found;
end
$$;

comment on function private.complete_idempotency_key(text, text, integer, jsonb) is
  'Completes the caller''s Idempotency-Key claim with the answer to replay; never rewrites a stored answer.';
revoke execute on function private.complete_idempotency_key(text, text, integer, jsonb) from public;
grant execute on function private.complete_idempotency_key(text, text, integer, jsonb) to authenticated;

/**
 * Releases the caller's Idempotency-Key claim of p_scope, so that a retry
 * runs again; a completed key stays. Returns whether a claim was released.
 */
create or replace function private.release_idempotency_key(p_scope text, p_key text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.idempotency_caller();
begin
  delete from public.idempotency_keys as k
   where k.user_id = caller and k.scope = p_scope and k.key = p_key and k.status = 'in_progress';
  return found;
end
$$;

comment on function private.release_idempotency_key(text, text) is
  'Releases the caller''s Idempotency-Key claim so a retry runs again; a completed key stays.';
revoke execute on function private.release_idempotency_key(text, text) from public;
grant execute on function private.release_idempotency_key(text, text) to authenticated;

/**
 * generate, step 2, as the caller: insert p_experiment (the columns id,
 * calibration_id, prompt, model, parameters, responses, status, latency_ms;
 * the analytics trigger counts it) and audit it. When its status is failed,
 * the event is llm_request_failed and the Idempotency-Key, if any, is
 * released so a retry runs again; returns null. Otherwise the event is
 * experiment_generated, the key (if any) is completed with 200 and
 * p_answer with the calibration's fresh metrics_summary as "analytics", and
 * that summary is returned. Committed durably. (As in
 * 20261201000100_generate_in_one_statement.sql, with the key written through
 * the functions above.)
 */
create or replace function private.store_generation(
  p_claims jsonb,
  p_correlation_id uuid,
  p_experiment jsonb,
  p_audit_data jsonb,
  p_idempotency_key text default null,
  p_answer jsonb default null
) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  stored public.experiments;
  summary jsonb;
begin
  perform private.act_as_user(p_claims, p_correlation_id);

  insert into public.experiments (id, calibration_id, prompt, model, parameters, responses, status, latency_ms)
  select coalesce(e.id, private.uuid_v7()), e.calibration_id, e.prompt, e.model, e.parameters, e.responses,
         e.status, e.latency_ms
    from pg_catalog.jsonb_populate_record(null::public.experiments, p_experiment) as e
  returning * into stored;

  if stored.status = 'failed' then
    perform private.record_audit_event('llm_request_failed', p_audit_data, 'server');
    if p_idempotency_key is not null then
      perform private.release_idempotency_key('generate', p_idempotency_key);
    end if;
    return null;
  end if;

  perform private.record_audit_event('experiment_generated', p_audit_data, 'server');
  select a.metrics_summary into summary
    from public.analytics_summaries as a
   where a.calibration_id = stored.calibration_id;
  if p_idempotency_key is not null then
    perform private.complete_idempotency_key('generate', p_idempotency_key, 200,
      coalesce(p_answer, '{}'::jsonb) || pg_catalog.jsonb_build_object('analytics', summary));
  end if;
  return summary;
end
$$;

comment on function private.store_generation(jsonb, uuid, jsonb, jsonb, text, jsonb) is
  'generate step 2 as the caller: the experiment, its audit event, the idempotency answer; returns the metrics summary.';
revoke execute on function private.store_generation(jsonb, uuid, jsonb, jsonb, text, jsonb)
  from public, anon, authenticated, service_role;

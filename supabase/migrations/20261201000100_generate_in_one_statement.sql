-- generate's two database steps, one statement each. A request used to run
-- each step as a client-side transaction: BEGIN, the role switch and the
-- statements, COMMIT, three round trips or more, for work that never needs
-- the client in between. Here each step is one function call: it switches to
-- the caller the way PostgREST does (role, JWT claims, correlation id) and
-- does the step's work as them, under RLS, in the statement's own
-- transaction: one round trip.
--
-- Because these functions take the caller's claims as an argument, only the
-- functions' own database role (their owner) may execute them: a user who
-- could call them could claim to be anyone. Outcomes a request must answer
-- with are raised as lab HTTP errors (private.raise_http_error below), which
-- roll the statement back and which the functions turn into their answer.

/**
 * Raises an error the functions answer with an HTTP status: SQLSTATE 'LB'
 * followed by the status (e.g. LB404), the lab error code as the hint and
 * response headers as a JSON object in the detail. Rolls back the statement.
 */
create or replace function private.raise_http_error(
  p_status integer,
  p_code text,
  p_message text,
  p_headers jsonb default '{}'::jsonb
) returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_status is null or p_status < 400 or p_status > 599 then
    raise exception 'Invalid HTTP error status: %', p_status using errcode = '22023';
  end if;
  raise exception using
    errcode = 'LB' || p_status::text,
    message = p_message,
    hint = p_code,
    detail = coalesce(p_headers, '{}'::jsonb)::text;
end
$$;

comment on function private.raise_http_error(integer, text, text, jsonb) is
  'Raises SQLSTATE LB<status> with the lab error code as hint and response headers (JSON) as detail.';
revoke execute on function private.raise_http_error(integer, text, text, jsonb) from public;
grant execute on function private.raise_http_error(integer, text, text, jsonb) to authenticated;

/**
 * Makes the rest of the current transaction run as the verified caller, as
 * PostgREST does for every request: role authenticated, request.jwt.claims
 * (auth.uid(), auth.jwt()) and app.correlation_id for the audit trail.
 */
create or replace function private.act_as_user(p_claims jsonb, p_correlation_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_claims is null or coalesce(p_claims ->> 'sub', '') = '' then
    raise exception 'Cannot act as a user without a subject claim' using errcode = '42501';
  end if;
  perform pg_catalog.set_config('role', 'authenticated', true);
  perform pg_catalog.set_config('request.jwt.claims', p_claims::text, true);
  perform pg_catalog.set_config('app.correlation_id', coalesce(p_correlation_id::text, ''), true);
end
$$;

comment on function private.act_as_user(jsonb, uuid) is
  'Switches the current transaction to role authenticated with the given verified JWT claims and correlation id.';
revoke execute on function private.act_as_user(jsonb, uuid) from public, anon, authenticated, service_role;

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
set search_path = ''
as $$
declare
  existing public.idempotency_keys;
begin
  insert into public.idempotency_keys (scope, key, request_hash, locked_until)
  values (p_scope, p_key, p_request_hash, pg_catalog.now() + interval '5 minutes')
  on conflict (user_id, scope, key) do nothing;
  if found then
    return '{"kind":"new"}'::jsonb;
  end if;

  select * into existing
    from public.idempotency_keys as k
   where k.user_id = (select auth.uid()) and k.scope = p_scope and k.key = p_key
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
   where k.user_id = (select auth.uid()) and k.scope = p_scope and k.key = p_key;
  return '{"kind":"new"}'::jsonb;
end
$$;

comment on function private.claim_idempotency_key(text, text, text) is
  'Claims the caller''s Idempotency-Key: {"kind":"new"} or the stored answer to replay; 409 on reuse or while held.';
revoke execute on function private.claim_idempotency_key(text, text, text) from public;
grant execute on function private.claim_idempotency_key(text, text, text) to authenticated;

/**
 * generate, step 1, as the caller: claim the Idempotency-Key if one is given
 * (a completed one answers with {"kind":"replay", ...} and nothing else
 * happens), load the calibration's ranges under RLS (404
 * calibration_not_found when it is missing or someone else's), count the
 * request against p_rate_limit per minute (429 rate_limited with
 * Retry-After), and audit llm_request_started with p_audit_data. Returns
 * {"kind":"started","ranges":{<calibration range columns>}}.
 *
 * Committed without waiting for the WAL flush: it is bookkeeping ahead of
 * the model calls, and step 2's durable commit flushes it too. A database
 * crash in between loses the request as a whole, never part of it.
 */
create or replace function private.start_generation(
  p_claims jsonb,
  p_correlation_id uuid,
  p_calibration_id uuid,
  p_rate_limit integer,
  p_audit_data jsonb,
  p_idempotency_key text default null,
  p_request_hash text default null
) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  claim jsonb;
  ranges jsonb;
  wait integer;
begin
  perform private.act_as_user(p_claims, p_correlation_id);
  perform pg_catalog.set_config('synchronous_commit', 'off', true);

  if p_idempotency_key is not null then
    claim := private.claim_idempotency_key('generate', p_idempotency_key, p_request_hash);
    if claim ->> 'kind' = 'replay' then
      return claim;
    end if;
  end if;

  select pg_catalog.jsonb_build_object(
           'temperature_min', c.temperature_min::float8, 'temperature_max', c.temperature_max::float8,
           'top_p_min', c.top_p_min::float8, 'top_p_max', c.top_p_max::float8,
           'max_tokens_min', c.max_tokens_min, 'max_tokens_max', c.max_tokens_max,
           'frequency_penalty_min', c.frequency_penalty_min::float8,
           'frequency_penalty_max', c.frequency_penalty_max::float8)
    into ranges
    from public.calibrations as c
   where c.id = p_calibration_id;
  if ranges is null then
    perform private.raise_http_error(404, 'calibration_not_found',
      'Calibration not found: ' || p_calibration_id::text);
  end if;

  wait := private.consume_rate_limit('generate', p_rate_limit, 60);
  if wait > 0 then
    perform private.raise_http_error(429, 'rate_limited',
      pg_catalog.format('Too many requests: at most %s per 60 seconds, try again in %s seconds',
                        p_rate_limit, wait),
      pg_catalog.jsonb_build_object('retry-after', wait::text));
  end if;

  perform private.record_audit_event('llm_request_started', p_audit_data, 'server');
  return pg_catalog.jsonb_build_object('kind', 'started', 'ranges', ranges);
end
$$;

comment on function private.start_generation(jsonb, uuid, uuid, integer, jsonb, text, text) is
  'generate step 1 as the caller: idempotency claim, calibration ranges, rate limit, llm_request_started audit.';
revoke execute on function private.start_generation(jsonb, uuid, uuid, integer, jsonb, text, text)
  from public, anon, authenticated, service_role;

/**
 * generate, step 2, as the caller: insert p_experiment (the columns id,
 * calibration_id, prompt, model, parameters, responses, status, latency_ms;
 * the analytics trigger counts it) and audit it. When its status is failed,
 * the event is llm_request_failed and the Idempotency-Key, if any, is
 * released so a retry runs again; returns null. Otherwise the event is
 * experiment_generated, the key (if any) is completed with 200 and
 * p_answer with the calibration's fresh metrics_summary as "analytics", and
 * that summary is returned. Committed durably.
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
      delete from public.idempotency_keys as k
       where k.user_id = (select auth.uid()) and k.scope = 'generate' and k.key = p_idempotency_key
         and k.status = 'in_progress';
    end if;
    return null;
  end if;

  perform private.record_audit_event('experiment_generated', p_audit_data, 'server');
  select a.metrics_summary into summary
    from public.analytics_summaries as a
   where a.calibration_id = stored.calibration_id;
  if p_idempotency_key is not null then
    update public.idempotency_keys as k
       set status = 'completed', response_status = 200,
           response_body = coalesce(p_answer, '{}'::jsonb)
                           || pg_catalog.jsonb_build_object('analytics', summary)
     where k.user_id = (select auth.uid()) and k.scope = 'generate' and k.key = p_idempotency_key;
  end if;
  return summary;
end
$$;

comment on function private.store_generation(jsonb, uuid, jsonb, jsonb, text, jsonb) is
  'generate step 2 as the caller: the experiment, its audit event, the idempotency answer; returns the metrics summary.';
revoke execute on function private.store_generation(jsonb, uuid, jsonb, jsonb, text, jsonb)
  from public, anon, authenticated, service_role;

-- generate with templates and costs: step 2 (private.store_generation, same
-- signature) also stores the template version and variables an experiment
-- was rendered from, and answers with the responses as the pricing trigger
-- stored them, so the answer and its replay carry every response's cost.

/**
 * generate, step 2, as the caller: insert p_experiment (the columns id,
 * calibration_id, prompt, model, parameters, responses, status, latency_ms,
 * template_version_id, template_variables; the pricing trigger prices its
 * responses, the analytics trigger counts it) and audit it. When its status
 * is failed, the event is llm_request_failed and the Idempotency-Key, if
 * any, is released so a retry runs again; returns null. Otherwise the event
 * is experiment_generated and it returns {"responses" (priced), "costUsd",
 * "unpricedResponses", "analytics" (the calibration's fresh
 * metrics_summary)}; the key (if any) is completed with 200 and p_answer
 * with "analytics" and, when p_answer has "responses", those three cost
 * fields. Committed durably.
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
  priced jsonb;
begin
  perform private.act_as_user(p_claims, p_correlation_id);

  insert into public.experiments (id, calibration_id, prompt, model, parameters, responses, status, latency_ms,
                                  template_version_id, template_variables)
  select coalesce(e.id, private.uuid_v7()), e.calibration_id, e.prompt, e.model, e.parameters, e.responses,
         e.status, e.latency_ms, e.template_version_id, e.template_variables
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
  priced := pg_catalog.jsonb_build_object('responses', stored.responses, 'costUsd', stored.cost_usd,
                                          'unpricedResponses', stored.unpriced_responses);
  if p_idempotency_key is not null then
    -- Users cannot write idempotency keys (20261202001000); the lab's own function completes it.
    perform private.complete_idempotency_key('generate', p_idempotency_key, 200,
      coalesce(p_answer, '{}'::jsonb)
      || case when p_answer ? 'responses' then priced else '{}'::jsonb end
      || pg_catalog.jsonb_build_object('analytics', summary));
  end if;
  return priced || pg_catalog.jsonb_build_object('analytics', summary);
end
$$;

comment on function private.store_generation(jsonb, uuid, jsonb, jsonb, text, jsonb) is
  'generate step 2 as the caller: the experiment (template, priced responses), its audit event, the idempotency answer; returns the priced responses and metrics summary.';
revoke execute on function private.store_generation(jsonb, uuid, jsonb, jsonb, text, jsonb)
  from public, anon, authenticated, service_role;

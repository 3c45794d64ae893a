/**
 * Test data for the exports function's database tests: a user's calibration
 * and experiments shaped like generate's rows (one correlation id per
 * experiment, with its `llm_request_started` and `experiment_generated`
 * audit events), inserted as the user so RLS and triggers apply.
 *
 * @module
 */
import type { Database } from "../../_shared/db/client.ts";
import type { TestUser } from "../../tests/harness.ts";
import type { JsonObject } from "../read/rows.ts";
import { failedResponse, succeededResponse } from "./fixtures.ts";

/** Options for {@link seedExperiments}. */
export interface SeedOptions {
  count: number;
  /** An existing calibration of the user; a new one otherwise. */
  calibrationId?: string;
  saved?: boolean;
  discarded?: boolean;
  /** The prompt of experiment i. */
  prompt?: (i: number) => string;
  /** The responses of experiment i. */
  responses?: (i: number) => JsonObject[];
}

/** What {@link seedExperiments} stored. */
export interface Seeded {
  calibrationId: string;
  /** Experiment ids, in creation order. */
  ids: string[];
}

function defaultResponses(i: number): JsonObject[] {
  return [
    succeededResponse(0, `Answer ${i}, first.`, {
      metrics: { creativity: 0.25, coherence: 0.5, structure: 0.75, completeness: 1 },
    }),
    succeededResponse(1, `Answer ${i}, second.`),
    failedResponse(2),
  ];
}

/**
 * Inserts `count` experiments for `user`, in batches, as the user.
 *
 * @example
 * const { ids } = await seedExperiments(db, alice, { count: 3 });
 */
export async function seedExperiments(
  db: Database,
  user: TestUser,
  options: SeedOptions,
): Promise<Seeded> {
  const claims = { sub: user.id, role: "authenticated", aud: "authenticated", email: user.email };
  const context = { claims, correlationId: crypto.randomUUID() };
  const calibrationId = options.calibrationId ?? await db.withUser(context, async (tx) => {
    const [row] = await tx<{ id: string }[]>`
      insert into public.calibrations (
        mode, questionnaire_version, answers, temperature_min, temperature_max, top_p_min, top_p_max,
        max_tokens_min, max_tokens_max, frequency_penalty_min, frequency_penalty_max, insights)
      values ('quick', 'v1', '{"adventurousness":"bold"}'::jsonb, 0.2, 1.2, 0.5, 0.95, 128, 1024, -0.5, 0.5,
              '[{"parameter":"overall","title":"Bold","detail":"You like range."}]'::jsonb)
      returning id`;
    return row.id;
  });

  const ids: string[] = [];
  for (let start = 0; start < options.count; start += 500) {
    const batch = Array.from({ length: Math.min(500, options.count - start) }, (_, k) => {
      const i = start + k;
      const responses = options.responses?.(i) ?? defaultResponses(i);
      return {
        position: i,
        calibration_id: calibrationId,
        prompt: options.prompt?.(i) ?? `Prompt number ${i}`,
        model: "gpt-4o",
        parameters: {
          model: "gpt-4o",
          seed: 1000 + i,
          design: "latin-hypercube",
          numResponses: responses.length,
        },
        responses,
        status: responses.every((r) => r.status === "succeeded") ? "completed" : "partial",
        saved: options.saved ?? false,
        discarded: options.discarded ?? false,
        latency_ms: 500 + i,
        correlation_id: crypto.randomUUID(),
      };
    });
    const rows = await db.withUser(context, async (tx) => {
      const inserted = await tx<{ id: string }[]>`
        insert into public.experiments (
          calibration_id, prompt, model, parameters, responses, status, saved, discarded, latency_ms,
          correlation_id, created_at)
        select r.calibration_id, r.prompt, r.model, r.parameters, r.responses, r.status, r.saved,
               r.discarded, r.latency_ms, r.correlation_id,
               -- A millisecond apart in order, all in the past: an export only holds
               -- experiments created before it.
               clock_timestamp() - interval '1 hour' + make_interval(secs => r.position / 1000.0)
          from jsonb_to_recordset(${tx.json(batch)}) as r(
            position int, calibration_id uuid, prompt text, model text, parameters jsonb, responses jsonb,
            status text, saved boolean, discarded boolean, latency_ms int, correlation_id uuid)
         order by r.position
        returning id`;
      await tx`
        select private.record_audit_event(t.event_type, t.data, 'server', null, e.correlation_id)
          from public.experiments e
          cross join lateral (values
            ('llm_request_started', jsonb_build_object('calibrationId', e.calibration_id)),
            ('experiment_generated', jsonb_build_object('experimentId', e.id))) as t(event_type, data)
         where e.id = any(${inserted.map((row) => row.id)}::uuid[])`;
      return inserted;
    });
    ids.push(...rows.map((row) => row.id));
  }
  return { calibrationId, ids };
}

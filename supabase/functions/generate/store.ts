/**
 * generate's two database steps, each one statement as the caller (the SQL
 * functions of migration `20261201000100_generate_in_one_statement.sql`):
 *
 * - {@link startGeneration}, before the model calls: the Idempotency-Key
 *   claim, the calibration's ranges under RLS, the rate limit and the
 *   `llm_request_started` audit event;
 * - {@link storeGeneration}, after them: the experiment (the analytics
 *   trigger counts it), its audit event, the key's stored answer, and the
 *   calibration's updated analytics summary.
 *
 * @module
 */
import type { ReplayOutcome } from "../_shared/contracts/idempotency.ts";
import type {
  ExperimentParameters,
  ExperimentStatus,
  GeneratedResponse,
  GenerateResult,
  MetricsSummary,
} from "../_shared/contracts/generate.ts";
import type { DbCaller } from "../_shared/caller.ts";
import type { Database } from "../_shared/db/client.ts";
import {
  type ParameterRanges,
  type RangeColumns,
  rangesFromColumns,
} from "../_shared/lab/parameters.ts";

/** What the first step decided: run with these ranges, or replay a completed key's answer. */
export type StartOutcome = { kind: "new"; ranges: ParameterRanges } | ReplayOutcome;

/** The first step's input. */
export interface StartStep {
  calibrationId: string;
  /** Requests per user per minute. */
  ratePerMinute: number;
  /** The `llm_request_started` event's data. */
  audit: Record<string, unknown>;
  /** The Idempotency-Key and the request's hash, when the client sent a key. */
  idempotency?: { key: string; hash: string };
}

/**
 * Step 1, one round trip; committed without waiting for the WAL flush (the
 * durable commit of step 2 covers it).
 *
 * @throws {HttpError} 404 `calibration_not_found` (missing or someone else's),
 *   429 `rate_limited`, 409 `idempotency_conflict` / `idempotency_in_progress`.
 *
 * @example
 * const start = await startGeneration(db, caller, { calibrationId, ratePerMinute: 30, audit: { model } });
 * if (start.kind === "replay") return start;
 */
export async function startGeneration(
  db: Database,
  caller: DbCaller,
  step: StartStep,
): Promise<StartOutcome> {
  const outcome = await db.callAsUser<
    { kind: "started"; ranges: RangeColumns } | ReplayOutcome
  >(caller, "start_generation", {
    calibration_id: step.calibrationId,
    rate_limit: step.ratePerMinute,
    audit_data: step.audit,
    idempotency_key: step.idempotency?.key,
    request_hash: step.idempotency?.hash,
  });
  // The SQL says "started" for what the shared vocabulary calls a new call.
  return outcome.kind === "started"
    ? { kind: "new", ranges: rangesFromColumns(outcome.ranges) }
    : outcome;
}

/** The experiment row a run stores (user_id and correlation_id come from the caller). */
export interface NewExperiment {
  /** Minted by the function (time-ordered), so the answer can name it before the insert returns. */
  id: string;
  calibrationId: string;
  prompt: string;
  model: string;
  parameters: ExperimentParameters;
  responses: GeneratedResponse[];
  status: ExperimentStatus;
  latencyMs: number;
  /** The template version the prompt was rendered from, and its variables (both or neither). */
  template?: { versionId: string; variables: Record<string, string> };
}

/** The second step's input. */
export interface StoreStep {
  experiment: NewExperiment;
  /** The `experiment_generated` (or, when failed, `llm_request_failed`) event's data. */
  audit: Record<string, unknown>;
  /** The Idempotency-Key, when the client sent one: completed, or released when failed. */
  idempotencyKey?: string;
  /** The answer to store for the key; the priced responses and fresh analytics replace its own. */
  answer?: Omit<GenerateResult, "analytics" | "costUsd" | "unpricedResponses">;
}

/** What step 2 stored: the responses as priced by the database, and the fresh analytics. */
export interface StoredGeneration {
  /** The responses with their `cost` (null when unknown). */
  responses: GeneratedResponse[];
  /** Sum of the costs; null when any succeeded response's cost is unknown. */
  costUsd: number | null;
  unpricedResponses: number;
  /** The calibration's summary after this experiment; null when it counts nothing. */
  analytics: MetricsSummary | null;
}

/**
 * Step 2, one round trip, durable. Resolves with the priced responses and
 * the calibration's analytics summary after this experiment, or null when
 * the experiment failed (nothing counted).
 *
 * @example
 * const stored = await storeGeneration(db, caller, { experiment, audit, idempotencyKey, answer });
 */
export function storeGeneration(
  db: Database,
  caller: DbCaller,
  step: StoreStep,
): Promise<StoredGeneration | null> {
  const { experiment } = step;
  return db.callAsUser<StoredGeneration | null>(caller, "store_generation", {
    experiment: {
      id: experiment.id,
      calibration_id: experiment.calibrationId,
      prompt: experiment.prompt,
      model: experiment.model,
      parameters: experiment.parameters,
      responses: experiment.responses,
      status: experiment.status,
      latency_ms: experiment.latencyMs,
      template_version_id: experiment.template?.versionId ?? null,
      template_variables: experiment.template?.variables ?? null,
    },
    audit_data: step.audit,
    idempotency_key: step.idempotencyKey,
    answer: step.answer,
  });
}

/**
 * Persistence of the generate function, inside the caller's RLS transaction:
 * the calibration's ranges, the experiment row and the calibration's
 * analytics summary.
 *
 * @module
 */
import type postgres from "postgres";
import type {
  ExperimentParameters,
  ExperimentStatus,
  GeneratedResponse,
  MetricsSummary,
} from "../_shared/contracts/generate.ts";
import type { Tx } from "../_shared/db.ts";
import {
  type ParameterRanges,
  type RangeColumns,
  rangesFromColumns,
} from "../_shared/parameters.ts";

/**
 * The ranges of one of the caller's calibrations; null when it does not exist
 * or belongs to someone else (RLS hides it, so the two cannot be told apart).
 *
 * @example
 * const ranges = await loadCalibrationRanges(tx, input.calibration_id);
 * if (!ranges) throw new HttpError(404, "Calibration not found", { code: "calibration_not_found" });
 */
export async function loadCalibrationRanges(
  tx: Tx,
  calibrationId: string,
): Promise<ParameterRanges | null> {
  const [row] = await tx<RangeColumns[]>`
    select temperature_min::float8 as temperature_min, temperature_max::float8 as temperature_max,
           top_p_min::float8 as top_p_min, top_p_max::float8 as top_p_max,
           max_tokens_min, max_tokens_max,
           frequency_penalty_min::float8 as frequency_penalty_min,
           frequency_penalty_max::float8 as frequency_penalty_max
      from public.calibrations
     where id = ${calibrationId}`;
  return row ? rangesFromColumns(row) : null;
}

/** What a new experiment row holds (user_id and correlation_id come from the transaction). */
export interface NewExperiment {
  /** The id to store; the database mints one (UUIDv7) when absent. */
  id?: string;
  calibrationId: string;
  prompt: string;
  model: string;
  parameters: ExperimentParameters;
  responses: GeneratedResponse[];
  status: ExperimentStatus;
  latencyMs: number;
}

/** Plain JSON as postgres.js's parameter type. */
function json(value: unknown): postgres.JSONValue {
  return value as postgres.JSONValue;
}

/**
 * Inserts the caller's experiment; the analytics trigger counts it in the
 * same transaction. Returns the new id.
 *
 * @example
 * const id = await insertExperiment(tx, { calibrationId, prompt, model, parameters, responses, status, latencyMs });
 */
export async function insertExperiment(tx: Tx, experiment: NewExperiment): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    insert into public.experiments (id, calibration_id, prompt, model, parameters, responses, status, latency_ms)
    values (coalesce(${
    experiment.id ?? null
  }::uuid, private.uuid_v7()), ${experiment.calibrationId},
            ${experiment.prompt}, ${experiment.model},
            ${tx.json(json(experiment.parameters))}, ${tx.json(json(experiment.responses))},
            ${experiment.status}, ${experiment.latencyMs})
    returning id`;
  return row.id;
}

/**
 * The calibration's current `metrics_summary`; null when no experiment of it
 * has been counted yet.
 *
 * @example
 * const analytics = await readMetricsSummary(tx, calibrationId);
 */
export async function readMetricsSummary(
  tx: Tx,
  calibrationId: string,
): Promise<MetricsSummary | null> {
  const [row] = await tx<{ metrics_summary: MetricsSummary }[]>`
    select metrics_summary from public.analytics_summaries where calibration_id = ${calibrationId}`;
  return row?.metrics_summary ?? null;
}

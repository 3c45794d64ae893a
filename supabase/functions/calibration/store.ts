/**
 * Persistence of calibrations, inside the caller's RLS transaction.
 *
 * @module
 */
import type { Tx } from "../_shared/db/client.ts";
import type { Answers, CalibrationMode, Insight } from "../_shared/contracts/calibration.ts";
import type { ParameterRanges } from "../_shared/lab/parameters.ts";
import { QUESTIONNAIRE_VERSION } from "./questionnaire.ts";

/** What a new calibration row holds. */
export interface NewCalibration {
  mode: CalibrationMode;
  answers: Answers;
  ranges: ParameterRanges;
  insights: Insight[];
}

/**
 * Inserts the caller's calibration (user_id defaults to auth.uid()).
 *
 * @example
 * const { id } = await insertCalibration(tx, { mode, answers, ranges, insights });
 */
export async function insertCalibration(
  tx: Tx,
  calibration: NewCalibration,
): Promise<{ id: string; createdAt: string }> {
  const { ranges } = calibration;
  const [row] = await tx<{ id: string; created_at: Date }[]>`
    insert into public.calibrations (
      mode, questionnaire_version, answers,
      temperature_min, temperature_max, top_p_min, top_p_max,
      max_tokens_min, max_tokens_max, frequency_penalty_min, frequency_penalty_max, insights)
    values (
      ${calibration.mode}, ${QUESTIONNAIRE_VERSION}, ${tx.json(calibration.answers)},
      ${ranges.temperature.min}, ${ranges.temperature.max}, ${ranges.top_p.min}, ${ranges.top_p.max},
      ${ranges.max_tokens.min}, ${ranges.max_tokens.max},
      ${ranges.frequency_penalty.min}, ${ranges.frequency_penalty.max},
      ${tx.json(calibration.insights)})
    returning id, created_at`;
  return { id: row.id, createdAt: row.created_at.toISOString() };
}

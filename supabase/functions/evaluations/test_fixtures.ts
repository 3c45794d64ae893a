/**
 * Fixtures of the evaluations tests: experiments with known responses,
 * inserted behind RLS with the admin connection.
 *
 * @module
 */
import { type TestUser, withAdmin } from "../tests/harness.ts";

/** One response of a fixture experiment. */
export interface FixtureResponse {
  text: string;
  temperature: number;
  /** Absent for a failed response. */
  metrics?: { creativity: number; coherence: number; structure: number; completeness: number };
}

/** A calibration with temperature 0.2 to 1.2, for `user`. */
export function createCalibration(user: TestUser): Promise<string> {
  return withAdmin(async (sql) => {
    const [row] = await sql<{ id: string }[]>`
      insert into public.calibrations (
        user_id, mode, questionnaire_version, answers,
        temperature_min, temperature_max, top_p_min, top_p_max,
        max_tokens_min, max_tokens_max, frequency_penalty_min, frequency_penalty_max)
      values (${user.id}, 'quick', 'test', ${
      sql.json({ fixture: "yes" })
    }, 0.2, 1.2, 0.5, 0.95, 32, 160, 0, 0.5)
      returning id`;
    return row.id;
  });
}

/** An experiment of `user` on `calibrationId` with the given responses. */
export function createExperiment(
  user: TestUser,
  calibrationId: string,
  responses: readonly FixtureResponse[],
  prompt = "Describe the tide.",
): Promise<string> {
  const json = responses.map((r, index) => ({
    index,
    status: r.metrics ? "succeeded" : "failed",
    text: r.metrics ? r.text : "",
    parameters: { temperature: r.temperature, top_p: 0.9, max_tokens: 100, frequency_penalty: 0 },
    ...(r.metrics
      ? { metrics: r.metrics }
      : { error: { code: "upstream_error", message: "The model call failed." } }),
  }));
  return withAdmin(async (sql) => {
    const [row] = await sql<{ id: string }[]>`
      insert into public.experiments (user_id, calibration_id, prompt, model, parameters, responses, status, latency_ms)
      values (${user.id}, ${calibrationId}, ${prompt}, 'gpt-4o', ${sql.json({ seed: 1 })}, ${
      sql.json(json)
    },
              'completed', 10)
      returning id`;
    return row.id;
  });
}

/** Heuristic scores for a fixture response. */
export const METRICS = { creativity: 0.5, coherence: 0.6, structure: 0.7, completeness: 0.8 };

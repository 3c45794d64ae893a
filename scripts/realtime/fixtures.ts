/**
 * LOCAL STACK: rows for the Realtime tests and bench, written as the lab
 * writes them (valid by the generate contract), so every feed has
 * something real to carry.
 */
import type postgres from "postgres";

/** Whose rows to write. */
export interface Owner {
  id: string;
}

/** A calibration of `user`, written as the submit step writes it; returns its id. */
export async function insertCalibration(sql: postgres.Sql, user: Owner): Promise<string> {
  const [row] = await sql`
    insert into public.calibrations (user_id, mode, questionnaire_version, answers,
      temperature_min, temperature_max, top_p_min, top_p_max, max_tokens_min, max_tokens_max,
      frequency_penalty_min, frequency_penalty_max)
    values (${user.id}, 'quick', 'v1', '{"q1":"a"}', 0.2, 1.2, 0.5, 0.95, 128, 1024, 0, 0.5)
    returning id`;
  return row.id;
}

/** A completed, scored experiment of `user`, valid by the generate contract; returns its id. */
export async function insertExperiment(
  sql: postgres.Sql,
  user: Owner,
  calibrationId: string,
  prompt = "Write a haiku about tides.",
): Promise<string> {
  const parameters = { temperature: 0.7, top_p: 0.9, max_tokens: 256, frequency_penalty: 0 };
  const responses = [{
    index: 0,
    status: "succeeded",
    text: "Tide",
    parameters,
    finishReason: "stop",
    usage: null,
    latencyMs: 5,
    systemFingerprint: null,
    metrics: { creativity: 0.8, coherence: 0.6, structure: 0.7, completeness: 0.9 },
  }];
  const experimentParameters = {
    model: "test-model",
    seed: 7,
    design: "explicit",
    numResponses: 1,
    sets: [parameters],
  };
  const [row] = await sql`
    insert into public.experiments (user_id, calibration_id, prompt, model, parameters, responses,
                                    status, latency_ms)
    values (${user.id}, ${calibrationId}, ${prompt}, 'test-model', ${
    sql.json(experimentParameters)
  },
            ${sql.json(responses)}, 'completed', 5)
    returning id`;
  return row.id;
}

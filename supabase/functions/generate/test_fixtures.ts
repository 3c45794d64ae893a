/**
 * Fixtures shared by the generate function's tests: a calibration with known
 * ranges, inserted behind RLS with the admin connection.
 *
 * @module
 */
import type { ParameterRanges } from "../_shared/lab/parameters.ts";
import { type TestUser, withAdmin } from "../tests/harness.ts";

/** Ranges of {@link createTestCalibration}: wide enough for 10 distinct values of each parameter. */
export const TEST_RANGES: ParameterRanges = {
  temperature: { min: 0.2, max: 1.2 },
  top_p: { min: 0.5, max: 0.95 },
  max_tokens: { min: 32, max: 160 },
  frequency_penalty: { min: 0, max: 0.5 },
};

/**
 * Inserts a quick calibration for `user` with `ranges` and returns its id.
 *
 * @example
 * const calibrationId = await createTestCalibration(alice);
 */
export function createTestCalibration(
  user: TestUser,
  ranges: ParameterRanges = TEST_RANGES,
): Promise<string> {
  return withAdmin(async (sql) => {
    const [row] = await sql<{ id: string }[]>`
      insert into public.calibrations (
        user_id, mode, questionnaire_version, answers,
        temperature_min, temperature_max, top_p_min, top_p_max,
        max_tokens_min, max_tokens_max, frequency_penalty_min, frequency_penalty_max)
      values (${user.id}, 'quick', 'test', ${sql.json({ fixture: "yes" })},
              ${ranges.temperature.min}, ${ranges.temperature.max}, ${ranges.top_p.min}, ${ranges.top_p.max},
              ${ranges.max_tokens.min}, ${ranges.max_tokens.max},
              ${ranges.frequency_penalty.min}, ${ranges.frequency_penalty.max})
      returning id`;
    return row.id;
  });
}

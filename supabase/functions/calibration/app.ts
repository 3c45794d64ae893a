/**
 * The calibration function: the questionnaire, and turning a person's answers
 * into their personal parameter ranges.
 *
 * - `GET  /calibration?mode=quick|deep` — the versioned questionnaire.
 * - `POST /calibration` `{ mode, answers }` — validates the answers against that
 *   questionnaire, maps them to ranges and insights, stores the calibration and
 *   its `calibration_completed` audit event in one transaction; 201.
 *
 * @module
 */
import { requireUser } from "../_shared/auth/jwt.ts";
import { createFunctionApp } from "../_shared/http/app.ts";
import { recordAudit } from "../_shared/db/audit.ts";
import {
  type CalibrationResult,
  questionnaireQuerySchema,
  submitCalibrationSchema,
} from "../_shared/contracts/calibration.ts";
import { HttpError } from "../_shared/errors.ts";
import { ok } from "../_shared/http/response.ts";
import { type BaseEnv, baseEnvSchema } from "../_shared/env.ts";
import type { FunctionModule, Runtime } from "../_shared/runtime.ts";
import { parseJsonBody, parseQuery } from "../_shared/http/validation.ts";
import { mapAnswersToRanges } from "./mapping.ts";
import { getQuestionnaire, QUESTIONNAIRE_VERSION, validateAnswers } from "./questionnaire.ts";
import { insertCalibration } from "./store.ts";

/**
 * The calibration Hono app.
 *
 * @example
 * Deno.serve(createCalibrationApp(runtime).fetch);
 */
export function createCalibrationApp(runtime: Runtime) {
  const { db, verifier, env } = runtime;
  const app = createFunctionApp("calibration", runtime.appDeps);
  const auth = requireUser({ verifier });

  app.get("/", auth, (c) => {
    const { mode } = parseQuery(c, questionnaireQuerySchema);
    return ok(c, getQuestionnaire(mode));
  });

  app.post("/", auth, async (c) => {
    const input = await parseJsonBody(c, submitCalibrationSchema, {
      maxBytes: env.LAB_MAX_BODY_BYTES,
    });
    const problems = validateAnswers(input.mode, input.answers);
    if (problems.length > 0) {
      throw new HttpError(400, `Cannot accept answers: ${problems[0].message}`, {
        code: "invalid_answers",
        details: problems,
      });
    }
    const { ranges, insights } = mapAnswersToRanges(input.mode, input.answers);
    const stored = await db.withUser(
      c.var.caller,
      async (tx) => {
        const row = await insertCalibration(tx, {
          mode: input.mode,
          answers: input.answers,
          ranges,
          insights,
        });
        await recordAudit(tx, {
          type: "calibration_completed",
          data: {
            calibrationId: row.id,
            mode: input.mode,
            questionnaireVersion: QUESTIONNAIRE_VERSION,
          },
        });
        return row;
      },
    );
    const result: CalibrationResult = {
      id: stored.id,
      mode: input.mode,
      questionnaireVersion: QUESTIONNAIRE_VERSION,
      ranges,
      insights,
      createdAt: stored.createdAt,
    };
    return ok(c, result, 201);
  });

  return app;
}

/** The calibration function, for `startFunction`. */
export const calibration: FunctionModule<BaseEnv> = {
  name: "calibration",
  envSchema: baseEnvSchema,
  createApp: createCalibrationApp,
};

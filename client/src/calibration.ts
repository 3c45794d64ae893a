/**
 * The calibration function: the questionnaire and submitting answers.
 *
 * @module
 */
import {
  type CalibrationMode,
  type CalibrationResult,
  calibrationResultSchema,
  type QuestionnaireResponse,
  questionnaireResponseSchema,
  type SubmitCalibrationRequest,
} from "../../supabase/functions/_shared/contracts/calibration.ts";
import { type CallOptions, type FunctionsTransport, invokeFunction } from "./functions.ts";
import type { FunctionResult } from "./result.ts";

/**
 * Calls of the calibration function.
 *
 * @example
 * ```ts
 * const calibration = calibrationCalls(transport);
 * const { data: quiz } = await calibration.questionnaire("quick");
 * ```
 */
export function calibrationCalls(transport: FunctionsTransport) {
  return {
    /**
     * The versioned questionnaire of a mode (quick: 5 questions, deep: 12).
     *
     * @example
     * ```ts
     * const { data, error } = await lab.calibration.questionnaire("quick");
     * data?.questions.forEach((q) => console.log(q.prompt, q.options.map((o) => o.id)));
     * ```
     */
    questionnaire(
      mode: CalibrationMode = "quick",
      options: CallOptions = {},
    ): Promise<FunctionResult<QuestionnaireResponse>> {
      return invokeFunction(transport, "calibration", {
        method: "GET",
        query: { mode },
        schema: questionnaireResponseSchema,
        ...options,
      });
    },

    /**
     * Submits one option id per question id; returns the stored calibration
     * with its personal parameter ranges and insights.
     *
     * @example
     * ```ts
     * const { data } = await lab.calibration.submit({ mode: "quick", answers: { q1: "a", q2: "c" } });
     * console.log(data?.ranges.temperature); // { min: 0.4, max: 0.9 }
     * ```
     */
    submit(
      request: SubmitCalibrationRequest,
      options: CallOptions = {},
    ): Promise<FunctionResult<CalibrationResult>> {
      return invokeFunction(transport, "calibration", {
        method: "POST",
        body: request,
        schema: calibrationResultSchema,
        ...options,
      });
    },
  };
}

/**
 * Request and response shapes of the calibration API, shared with the client
 * SDK. Imports only from "zod" and `../parameters.ts`.
 *
 * @module
 */
import { z } from "zod";
import { PARAMETER_NAMES, type ParameterName, parameterRangesSchema } from "../lab/parameters.ts";

/** The most answers one submission may carry (the deep quiz has far fewer). */
export const MAX_ANSWERS = 50;

/** Longest accepted question or option id. */
const MAX_ID_LENGTH = 64;

/** Calibration depth: "quick" (5 questions) or "deep" (12 questions). */
export const calibrationModeSchema = z.enum(["quick", "deep"]);

/** Calibration depth: "quick" or "deep". */
export type CalibrationMode = z.infer<typeof calibrationModeSchema>;

/** Query of `GET /calibration`: `?mode=quick|deep`, quick when absent. */
export const questionnaireQuerySchema = z.object({
  mode: calibrationModeSchema.default("quick"),
});

/** The chosen option id for each answered question id. */
export const answersSchema = z
  .record(
    z.string().min(1).max(MAX_ID_LENGTH),
    z.string().min(1).max(MAX_ID_LENGTH),
  )
  .refine((answers) => Object.keys(answers).length <= MAX_ANSWERS, {
    error: `Too many answers: at most ${MAX_ANSWERS} are accepted`,
  });

/** Question id to chosen option id. */
export type Answers = z.infer<typeof answersSchema>;

/** Body of `POST /calibration`: the mode and one option id per question id. */
export const submitCalibrationSchema = z.object({
  mode: calibrationModeSchema,
  answers: answersSchema,
});

/** Body of `POST /calibration`. */
export type SubmitCalibrationRequest = z.infer<typeof submitCalibrationSchema>;

/** One answer option as clients see it. */
export const questionOptionSchema = z.object({
  id: z.string(),
  label: z.string(),
});

/** One quiz question as clients see it (no internal weights). */
export const questionSchema = z.object({
  id: z.string(),
  prompt: z.string(),
  help: z.string().optional(),
  options: z.array(questionOptionSchema),
});

/** One quiz question as clients see it. */
export type Question = z.infer<typeof questionSchema>;

/** Response data of `GET /calibration/questionnaire`. */
export const questionnaireResponseSchema = z.object({
  version: z.string(),
  mode: calibrationModeSchema,
  questions: z.array(questionSchema),
});

/** Response data of `GET /calibration/questionnaire`. */
export type QuestionnaireResponse = z.infer<typeof questionnaireResponseSchema>;

/** A plain-language note on what one range (or the whole profile) means. */
export const insightSchema = z.object({
  parameter: z.enum([
    ...(PARAMETER_NAMES as [ParameterName, ...ParameterName[]]),
    "overall",
  ]),
  title: z.string(),
  detail: z.string(),
});

/** A plain-language note on what one range (or the whole profile) means. */
export type Insight = z.infer<typeof insightSchema>;

/** Response data of `POST /calibration` and of reading one calibration. */
export const calibrationResultSchema = z.object({
  id: z.string(),
  mode: calibrationModeSchema,
  questionnaireVersion: z.string(),
  ranges: parameterRangesSchema,
  insights: z.array(insightSchema),
  createdAt: z.iso.datetime({ offset: true }),
});

/** Response data of `POST /calibration` and of reading one calibration. */
export type CalibrationResult = z.infer<typeof calibrationResultSchema>;

/**
 * Request and response shapes of the evaluations API (ratings, review
 * queues, LLM judges, agreement and per-bin analytics), shared with the
 * client SDK. Imports only from "zod".
 *
 * @module
 */
import { z } from "zod";

/** Ids of the built-in score configs. */
export const BUILT_IN_CONFIGS = {
  realism: "00000000-0000-4000-8000-00000000c001",
  quality: "00000000-0000-4000-8000-00000000c002",
  creativity: "00000000-0000-4000-8000-00000000c101",
  coherence: "00000000-0000-4000-8000-00000000c102",
  structure: "00000000-0000-4000-8000-00000000c103",
  completeness: "00000000-0000-4000-8000-00000000c104",
} as const;

const comment = z.string().max(2000);

/** One rating's value: a number (numeric and boolean configs) or a label (categorical). */
const ratingValue = {
  value: z.number().finite().optional(),
  label: z.string().min(1).max(200).optional(),
  comment: comment.optional(),
};

/** Body of `POST /evaluations/ratings`: the owner rates one of their responses. */
export const rateResponseSchema = z.strictObject({
  experimentId: z.uuid(),
  responseIndex: z.int().min(0).max(9),
  configId: z.uuid(),
  ...ratingValue,
}).refine((r) => r.value !== undefined || r.label !== undefined, {
  error: 'Give "value" or "label"',
  path: ["value"],
});

/** A rating of the owner's response. */
export type RateResponseRequest = z.infer<typeof rateResponseSchema>;

/** A stored rating, as the API answers it. */
export const ratingSchema = z.object({
  id: z.uuid(),
  experimentId: z.uuid(),
  responseIndex: z.int(),
  configId: z.uuid(),
  source: z.enum(["human", "judge"]),
  value: z.number(),
  label: z.string().nullable(),
  comment: z.string().nullable(),
  revision: z.int().min(1),
});

/** A stored rating. */
export type Rating = z.infer<typeof ratingSchema>;

/** Body of `POST /evaluations/queues`: share responses with reviewers invited by email. */
export const createQueueSchema = z.strictObject({
  name: z.string().min(1).max(200),
  configIds: z.array(z.uuid()).min(1).max(10),
  reviewers: z.array(z.email().max(320)).min(1).max(100),
  experimentIds: z.array(z.uuid()).min(1).max(1000).optional(),
  calibrationId: z.uuid().optional(),
  ratingsPerItem: z.int().min(1).max(10).optional(),
  leaseSeconds: z.int().min(30).max(86_400).optional(),
  showPrompt: z.boolean().optional(),
  showParameters: z.boolean().optional(),
}).refine((q) => q.experimentIds !== undefined || q.calibrationId !== undefined, {
  error: 'Give "experimentIds" or "calibrationId"',
  path: ["experimentIds"],
});

/** A queue to create. */
export type CreateQueueRequest = z.infer<typeof createQueueSchema>;

/** A created queue and how many responses it shares. */
export const reviewQueueSchema = z.object({ id: z.uuid(), name: z.string(), items: z.int() });

/** A created queue. */
export type ReviewQueue = z.infer<typeof reviewQueueSchema>;

/** What a reviewer is handed: the shared text and the configs to rate, nothing else. */
export const reviewItemSchema = z.object({
  itemId: z.uuid(),
  queueId: z.uuid(),
  prompt: z.string().nullable(),
  responseText: z.string(),
  parameters: z.record(z.string(), z.number()).nullable(),
  configIds: z.array(z.uuid()),
  leasedUntil: z.iso.datetime({ offset: true }),
});

/** A leased review item. */
export type ReviewItem = z.infer<typeof reviewItemSchema>;

/** Body of `POST /evaluations/queues/items/:itemId/ratings`. */
export const submitReviewSchema = z.strictObject({
  ratings: z.array(z.strictObject({ configId: z.uuid(), ...ratingValue })).min(1).max(10),
});

/** A reviewer's ratings of one item. */
export type SubmitReviewRequest = z.infer<typeof submitReviewSchema>;

/** Sampling parameters of a judge's calls. */
export const judgeParametersSchema = z.strictObject({
  temperature: z.number().min(0).max(2).default(0),
  top_p: z.number().min(0).max(1).default(1),
  max_tokens: z.int().min(16).max(4096).default(300),
  frequency_penalty: z.number().min(-2).max(2).default(0),
  seed: z.int().min(0).max(2_147_483_647).default(1),
});

/** Body of `POST /evaluations/judges`: a new version of a judge (the judge is created with its first). */
export const createJudgeVersionSchema = z.strictObject({
  name: z.string().min(1).max(200),
  rubric: z.string().min(1).max(8000),
  configId: z.uuid(),
  model: z.string().min(1).max(200).optional(),
  parameters: judgeParametersSchema.optional(),
});

/** A judge version to create. */
export type CreateJudgeVersionRequest = z.input<typeof createJudgeVersionSchema>;

/** A created judge version. */
export const judgeVersionSchema = z.object({
  judgeId: z.uuid(),
  judgeVersionId: z.uuid(),
  version: z.int().min(1),
});

/** A created judge version. */
export type JudgeVersion = z.infer<typeof judgeVersionSchema>;

/** Body of `POST /evaluations/judge-runs`: judge the selection's responses not judged yet. */
export const judgeRunSchema = z.strictObject({
  judgeVersionId: z.uuid(),
  experimentIds: z.array(z.uuid()).min(1).max(1000).optional(),
  calibrationId: z.uuid().optional(),
}).refine((r) => r.experimentIds !== undefined || r.calibrationId !== undefined, {
  error: 'Give "experimentIds" or "calibrationId"',
  path: ["experimentIds"],
});

/** What to judge. */
export type JudgeRunRequest = z.infer<typeof judgeRunSchema>;

/**
 * A finished judge run (the result of its `judge_run` job): verdicts scored
 * and unparsable, and model calls that failed (those responses stay
 * unjudged, so the next run tries them again).
 */
export const judgeRunOutcomeSchema = z.object({
  judgeVersionId: z.uuid(),
  scored: z.int(),
  unparsable: z.int(),
  failed: z.int(),
});

/** A finished judge run. */
export type JudgeRunOutcome = z.infer<typeof judgeRunOutcomeSchema>;

/** Query of `GET /evaluations/agreement`. */
export const agreementQuerySchema = z.strictObject({
  configId: z.uuid(),
  calibrationId: z.uuid().optional(),
  judgeVersionId: z.uuid().optional(),
});

/** A figure and the number of items (or judge–person pairs) behind it; null where it is undefined. */
const figureSchema = z.object({ value: z.number().nullable(), n: z.int() });

/** How far a judge agrees with people, and people with each other, on one config. */
export const agreementResultSchema = z.object({
  configId: z.uuid(),
  judgeVsHuman: z.object({
    judgeVersionId: z.uuid().nullable(),
    weightedKappa: figureSchema,
    spearman: figureSchema,
    exact: figureSchema,
    withinOne: figureSchema,
  }),
  humans: z.object({ raters: z.int(), krippendorffAlpha: figureSchema }),
});

/** Agreement figures for one config. */
export type AgreementResult = z.infer<typeof agreementResultSchema>;

/** Query of `GET /evaluations/bins`. */
export const binsQuerySchema = z.strictObject({
  calibrationId: z.uuid(),
  parameter: z.enum(["temperature", "top_p", "max_tokens", "frequency_penalty"]).default(
    "temperature",
  ),
  bins: z.coerce.number().int().min(1).max(50).default(5),
});

/** One bin's mean score for one config and source. */
export const scoreBinSchema = z.object({
  bin: z.int(),
  from: z.number(),
  to: z.number(),
  configId: z.uuid(),
  source: z.enum(["human", "judge", "heuristic"]),
  mean: z.number(),
  count: z.int(),
});

/** One bin's mean score. */
export type ScoreBin = z.infer<typeof scoreBinSchema>;

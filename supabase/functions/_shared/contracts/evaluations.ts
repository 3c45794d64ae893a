/**
 * Request and response shapes of the evaluations API (ratings, review
 * queues, LLM judges, agreement and per-bin analytics), shared with the
 * client SDK. Imports only from "zod".
 *
 * @module
 */
import { z } from "zod";

/** The most responses one judge run call judges before it answers. */
export const MAX_JUDGED_PER_CALL = 40;

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
export interface Rating {
  id: string;
  experimentId: string;
  responseIndex: number;
  configId: string;
  source: "human" | "judge";
  value: number;
  label: string | null;
  comment: string | null;
  revision: number;
}

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

/** A created queue. */
export interface ReviewQueue {
  id: string;
  name: string;
  items: number;
}

/** What a reviewer is handed: the shared text and the configs to rate, nothing else. */
export interface ReviewItem {
  itemId: string;
  queueId: string;
  prompt: string | null;
  responseText: string;
  parameters: Record<string, number> | null;
  configIds: string[];
  leasedUntil: string;
}

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
export interface JudgeVersion {
  judgeId: string;
  judgeVersionId: string;
  version: number;
}

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

/** One call's outcome; call again while `remaining` is above 0. */
export interface JudgeRunResult {
  judgeVersionId: string;
  scored: number;
  unparsable: number;
  /** Calls that failed; left unjudged, so the next call tries them again. */
  failed: number;
  remaining: number;
}

/** Query of `GET /evaluations/agreement`. */
export const agreementQuerySchema = z.strictObject({
  configId: z.uuid(),
  calibrationId: z.uuid().optional(),
  judgeVersionId: z.uuid().optional(),
});

/** A figure and the number of items behind it; null where it is undefined. */
export interface AgreementFigure {
  value: number | null;
  n: number;
}

/** How far a judge agrees with people, and people with each other, on one config. */
export interface AgreementResult {
  configId: string;
  judgeVsHuman: {
    judgeVersionId: string | null;
    weightedKappa: AgreementFigure;
    spearman: AgreementFigure;
    exact: AgreementFigure;
    withinOne: AgreementFigure;
  };
  humans: { raters: number; krippendorffAlpha: AgreementFigure };
}

/** Query of `GET /evaluations/bins`. */
export const binsQuerySchema = z.strictObject({
  calibrationId: z.uuid(),
  parameter: z.enum(["temperature", "top_p", "max_tokens", "frequency_penalty"]).default(
    "temperature",
  ),
  bins: z.coerce.number().int().min(1).max(50).default(5),
});

/** One bin's mean score for one config and source. */
export interface ScoreBin {
  bin: number;
  from: number;
  to: number;
  configId: string;
  source: "human" | "judge" | "heuristic";
  mean: number;
  count: number;
}

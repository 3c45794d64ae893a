/**
 * Request and response shapes of the generate API, shared with the client
 * SDK. Imports only from "zod" and `../lab/parameters.ts`.
 *
 * The `responses` array is also what `experiments.responses` stores, and the
 * analytics trigger reads it: it counts elements with `status = "succeeded"`
 * and an object `metrics`.
 *
 * @module
 */
import { z } from "zod";
import { parameterSetSchema } from "../lab/parameters.ts";

/** Longest accepted prompt, in characters (the database checks the same). */
export const MAX_PROMPT_CHARS = 32_000;

/** Fewest and most responses one request may ask for. */
export const RESPONSE_COUNT = { min: 1, max: 10, default: 4 } as const;

/** Largest accepted seed (the largest signed 32-bit integer). */
export const MAX_SEED = 2 ** 31 - 1;

/** Longest template variable value, in characters (a rendered prompt is checked again). */
export const MAX_VARIABLE_CHARS = 32_000;

/** How a request names a template version: by id or name, then a version number or a label. */
export const templateRefSchema = z.object({
  id: z.uuid({ error: "Template id must be a UUID" }).optional(),
  name: z.string().min(1).max(100).optional(),
  version: z.int().min(1).optional(),
  label: z.string().regex(/^[a-z][a-z0-9_.-]{0,39}$/, {
    error: "Label must be lowercase letters, digits and _ . -, at most 40 characters",
  }).optional(),
}).strict().refine((ref) => (ref.id === undefined) !== (ref.name === undefined), {
  error: "Template needs exactly one of id or name",
}).refine((ref) => ref.version === undefined || ref.label === undefined, {
  error: "Template takes a version or a label, not both",
});

/** How a request names a template version. */
export type TemplateRef = z.infer<typeof templateRefSchema>;

/** Values of a template's `{{variables}}`; numbers and booleans are written as text. */
export const templateVariablesSchema = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "Variable names are identifiers" }),
  z.union([z.string().max(MAX_VARIABLE_CHARS), z.number(), z.boolean()]),
);

/**
 * Body of `POST /generate`: a `prompt`, or a `template` version (with its
 * `variables`) whose text is the prompt. The prompt is trimmed;
 * `parameters`, when given, is used for every response instead of a design
 * over the calibration's ranges (a template's default parameters likewise);
 * `seed` makes the design and the model's sampling repeatable.
 */
export const generateRequestSchema = z.object({
  prompt: z.string().trim().min(1, { error: "Prompt must not be empty" }).max(MAX_PROMPT_CHARS, {
    error: `Prompt is too long: at most ${MAX_PROMPT_CHARS} characters`,
  }).optional(),
  template: templateRefSchema.optional(),
  variables: templateVariablesSchema.optional(),
  calibration_id: z.uuid({ error: "Calibration id must be a UUID" }),
  numResponses: z.int().min(RESPONSE_COUNT.min).max(RESPONSE_COUNT.max).default(
    RESPONSE_COUNT.default,
  ),
  parameters: parameterSetSchema.optional(),
  seed: z.int().min(0).max(MAX_SEED).optional(),
  /** A model from the admins' list (`public.models`); `LAB_MODEL` when omitted. */
  model: z.string().trim().min(1, { error: "Model must not be empty" }).max(200).optional(),
  /** The provider of `model`, when several list a model of that name. */
  provider: z.string().regex(/^[a-z][a-z0-9_-]{1,62}$/, {
    error: "Provider must be a provider's name",
  })
    .optional(),
}).superRefine((body, ctx) => {
  if (body.provider !== undefined && body.model === undefined) {
    ctx.addIssue({ code: "custom", path: ["provider"], message: "A provider needs a model" });
  }
  if ((body.prompt === undefined) === (body.template === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["prompt"],
      message: body.prompt === undefined
        ? "Prompt is required (or a template)"
        : "Give either a prompt or a template, not both",
    });
  }
  if (body.variables !== undefined && body.template === undefined) {
    ctx.addIssue({ code: "custom", path: ["variables"], message: "Variables need a template" });
  }
});

/** Body of `POST /generate` as sent (numResponses optional). */
export type GenerateRequest = z.input<typeof generateRequestSchema>;

/** Body of `POST /generate` after validation (defaults applied, prompt trimmed). */
export type ValidGenerateRequest = z.output<typeof generateRequestSchema>;

const unitScore = z.number().min(0).max(1);

/** The four heuristic scores of one response, each in [0, 1]. */
export const responseMetricsSchema = z.object({
  creativity: unitScore,
  coherence: unitScore,
  structure: unitScore,
  completeness: unitScore,
});

/** Token counts reported by the provider (`cachedTokens`: prompt tokens served from its cache). */
export const tokenUsageSchema = z.object({
  promptTokens: z.int().min(0),
  completionTokens: z.int().min(0),
  totalTokens: z.int().min(0),
  cachedTokens: z.int().min(0).optional(),
});

/**
 * A response's cost from its usage at the model's price in force when it was
 * stored (`model_prices`); null when unknown (no price, no usage), never 0.
 */
export const responseCostSchema = z.object({ usd: z.number().min(0), priceId: z.uuid() });

/** A response's cost. */
export type ResponseCost = z.infer<typeof responseCostSchema>;

/** Token counts reported by the provider. */
export type TokenUsage = z.infer<typeof tokenUsageSchema>;

/** A response the model produced, with its scores. */
export const succeededResponseSchema = z.object({
  index: z.int().min(0),
  status: z.literal("succeeded"),
  text: z.string(),
  parameters: parameterSetSchema,
  finishReason: z.string().nullable(),
  usage: tokenUsageSchema.nullable(),
  latencyMs: z.int().min(0),
  systemFingerprint: z.string().nullable(),
  metrics: responseMetricsSchema,
  /** Set when stored (absent only in rows stored before costs existed). */
  cost: responseCostSchema.nullable().optional(),
});

/** A response whose model call failed: why, and nothing to score. */
export const failedResponseSchema = z.object({
  index: z.int().min(0),
  status: z.literal("failed"),
  parameters: parameterSetSchema,
  latencyMs: z.int().min(0),
  error: z.object({ code: z.string(), message: z.string() }),
});

/** One element of an experiment's `responses`. */
export const generatedResponseSchema = z.discriminatedUnion("status", [
  succeededResponseSchema,
  failedResponseSchema,
]);

/** One element of an experiment's `responses`. */
export type GeneratedResponse = z.infer<typeof generatedResponseSchema>;

/** `completed` (every call succeeded), `partial` (some failed) or `failed` (none succeeded). */
export const experimentStatusSchema = z.enum(["completed", "partial", "failed"]);

/** `completed`, `partial` or `failed`. */
export type ExperimentStatus = z.infer<typeof experimentStatusSchema>;

/** How the parameter sets were chosen: a seeded design over the ranges, or the request's set. */
export const parameterDesignSchema = z.enum(["latin-hypercube", "explicit"]);

/** How the parameter sets were chosen. */
export type ParameterDesign = z.infer<typeof parameterDesignSchema>;

/** What `experiments.parameters` stores: enough to rebuild the run. */
export const experimentParametersSchema = z.object({
  model: z.string(),
  seed: z.int().min(0),
  design: parameterDesignSchema,
  numResponses: z.int().min(RESPONSE_COUNT.min).max(RESPONSE_COUNT.max),
  sets: z.array(parameterSetSchema),
});

/** What `experiments.parameters` stores. */
export type ExperimentParameters = z.infer<typeof experimentParametersSchema>;

/** `analytics_summaries.metrics_summary`: averages are null while nothing is counted. */
export const metricsSummarySchema = z.object({
  count: z.int().min(0),
  responseCount: z.int().min(0),
  avgCreativity: z.number().nullable(),
  avgCoherence: z.number().nullable(),
  avgStructure: z.number().nullable(),
  avgCompleteness: z.number().nullable(),
  avgLatency: z.number().nullable(),
});

/** `analytics_summaries.metrics_summary`. */
export type MetricsSummary = z.infer<typeof metricsSummarySchema>;

/** The template version an experiment's prompt was rendered from. */
export const templateUseSchema = z.object({
  versionId: z.uuid(),
  templateId: z.uuid(),
  name: z.string(),
  version: z.int().min(1),
  variables: z.record(z.string(), z.string()),
});

/** The template version an experiment's prompt was rendered from. */
export type TemplateUse = z.infer<typeof templateUseSchema>;

/** Response data of `POST /generate` (200). */
export const generateResultSchema = z.object({
  experimentId: z.uuid(),
  /** The template version and variables, when the request named a template. */
  template: templateUseSchema.nullable(),
  status: experimentStatusSchema,
  model: z.string(),
  seed: z.int().min(0),
  design: parameterDesignSchema,
  responses: z.array(generatedResponseSchema),
  /** Wall time of the concurrent model calls. */
  latencyMs: z.int().min(0),
  /** Sum of the responses' costs in USD; null when any succeeded response's cost is unknown. */
  costUsd: z.number().min(0).nullable(),
  /** Succeeded responses whose cost is unknown (the model has no price, or no usage came back). */
  unpricedResponses: z.int().min(0),
  /** The calibration's analytics after this experiment; null when nothing is counted yet. */
  analytics: metricsSummarySchema.nullable(),
});

/** Response data of `POST /generate` (200). */
export type GenerateResult = z.infer<typeof generateResultSchema>;

/** `error.details` of the 502 `upstream_unavailable` answer: the stored failed attempt. */
export const upstreamFailureDetailsSchema = z.object({
  experimentId: z.uuid(),
  errors: z.array(z.object({ index: z.int().min(0), code: z.string() })),
});

/** `error.details` of the 502 `upstream_unavailable` answer. */
export type UpstreamFailureDetails = z.infer<typeof upstreamFailureDetailsSchema>;

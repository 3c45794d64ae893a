/**
 * Request shapes of the batch runs API, shared with the client SDK. Imports
 * only from "zod", `./generate.ts` and `../lab/parameters.ts`.
 *
 * @module
 */
import { z } from "zod";
import { parameterSetSchema } from "../lab/parameters.ts";
import { MAX_SEED, RESPONSE_COUNT, templateRefSchema } from "./generate.ts";

/** `:id` of `/runs/:id/...`. */
export const runIdParamsSchema = z.object({ id: z.uuid({ error: "Run id must be a UUID" }) });

/**
 * Body of `POST /runs`: a template version (by id, or a template reference
 * with a version or label), a completed dataset version, a calibration (its
 * ranges spread every item's responses) or an explicit parameter set (else
 * the version's default parameters), responses per item, and optionally a
 * seed, the concurrency and a name.
 */
export const createRunSchema = z.object({
  templateVersionId: z.uuid().optional(),
  template: templateRefSchema.optional(),
  datasetVersionId: z.uuid({ error: "Dataset version id must be a UUID" }),
  calibrationId: z.uuid().optional(),
  parameters: parameterSetSchema.optional(),
  responsesPerItem: z.int().min(RESPONSE_COUNT.min).max(RESPONSE_COUNT.max).default(1),
  seed: z.int().min(0).max(MAX_SEED).optional(),
  concurrency: z.int().min(1).max(32).default(8),
  name: z.string().min(1).max(200).optional(),
}).strict().superRefine((body, ctx) => {
  if ((body.templateVersionId === undefined) === (body.template === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["templateVersionId"],
      message: "Give exactly one of templateVersionId or template",
    });
  }
  if (body.calibrationId !== undefined && body.parameters !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["parameters"],
      message: "Give a calibration or parameters, not both",
    });
  }
});

/** Body of `POST /runs` as sent. */
export type CreateRunRequest = z.input<typeof createRunSchema>;

/** Body of `POST /runs/:id/work`: at most this many results in this request. */
export const workRunSchema = z.object({
  maxResults: z.int().min(1).max(100_000).optional(),
}).strict();

/** Body of `POST /runs/:id/work`. */
export type WorkRunRequest = z.infer<typeof workRunSchema>;

/**
 * The worker's environment: the base, the job settings, and what the job
 * kinds need (the model endpoint is optional: a kind that needs it fails
 * its job with a clear error when it is missing).
 *
 * @module
 */
import { z } from "zod";
import { baseEnvSchema, modelEnvSchema } from "../_shared/env.ts";
import { jobEnvFields } from "../_shared/jobs/env.ts";
import { exportJobEnvFields } from "../exports/env.ts";

/** The worker's environment schema. */
export const workerEnvSchema = baseEnvSchema.extend({
  ...jobEnvFields,
  ...exportJobEnvFields,
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ error: "must be an http(s) URL", protocol: /^https?$/ }).optional(),
  LAB_LLM_TIMEOUT_MS: modelEnvSchema.shape.LAB_LLM_TIMEOUT_MS,
  LAB_LLM_MAX_RETRIES: modelEnvSchema.shape.LAB_LLM_MAX_RETRIES,
});

/** The parsed environment of the worker. */
export type WorkerEnv = z.infer<typeof workerEnvSchema>;

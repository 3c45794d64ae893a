/**
 * The environment exports read, in the exports function and in the worker
 * that builds them as jobs.
 *
 * @module
 */
import { z } from "zod";
import { baseEnvSchema, positiveInt } from "../_shared/env.ts";
import { jobEnvFields } from "../_shared/jobs/env.ts";

/** What building an export needs, wherever it runs (extend a function's schema with it). */
export const exportJobEnvFields = {
  LAB_EXPORT_URL_TTL_SECONDS: positiveInt(3600),
  /** The exports bucket's file_size_limit (500 MiB), which Storage does not enforce on chunked uploads. */
  LAB_EXPORT_MAX_BYTES: positiveInt(524_288_000),
};

/** The environment of the exports function. */
export const exportsEnvSchema = baseEnvSchema.extend({
  ...jobEnvFields,
  ...exportJobEnvFields,
  SUPABASE_ANON_KEY: z.string().min(1),
  LAB_EXPORT_MAX_EXPERIMENTS: positiveInt(100_000),
  /** How long `POST /exports` works an export before answering 202. */
  LAB_EXPORT_INLINE_MS: positiveInt(2_000),
});

/** The parsed environment of the exports function. */
export type ExportsEnv = z.infer<typeof exportsEnvSchema>;

/** What {@link exportJobEnvFields} parse to. */
export interface ExportJobEnv {
  SUPABASE_URL: string;
  /** Without it no export job can store its file (each fails, saying so). */
  SUPABASE_SERVICE_ROLE_KEY?: string;
  LAB_EXPORT_URL_TTL_SECONDS: number;
  LAB_EXPORT_MAX_BYTES: number;
}

/**
 * The generate function: one prompt answered several times across the
 * caller's calibrated ranges, every response scored, the experiment stored.
 *
 * - `POST /generate` `{ prompt, calibration_id, numResponses?, parameters?, seed? }`
 *   with an optional `Idempotency-Key` header -> 200 with the experiment id,
 *   the scored responses and the calibration's updated analytics. Some calls
 *   failed -> still 200, those responses marked failed; all failed -> 502
 *   `upstream_unavailable` (the attempt is stored). A replayed key answers
 *   with the stored result and the header `idempotent-replayed: true`.
 *
 * The flow and its two transactions are described in `run.ts`; the parameter
 * design in `parameter_design.ts`; the scores in `_shared/metrics.ts`.
 *
 * @module
 */
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
} from "../_shared/contracts/headers.ts";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { createFunctionApp } from "../_shared/http/app.ts";
import { requireUser } from "../_shared/auth/jwt.ts";
import { generateRequestSchema } from "../_shared/contracts/generate.ts";
import { modelEnvSchema, positiveInt } from "../_shared/env.ts";
import { idempotencyKeyFrom } from "../_shared/db/idempotency.ts";
import { createLlmClient, type LlmClient, llmClientFromEnv } from "../_shared/integrations/llm.ts";
import { modelCatalog } from "./model_choice.ts";
import { ok } from "../_shared/http/response.ts";
import type { FunctionModule, Runtime } from "../_shared/runtime.ts";
import { timed } from "../_shared/http/server_timing.ts";
import { parseJsonBody } from "../_shared/http/validation.ts";
import { runGenerate } from "./run.ts";

/** The generate function's environment: the base, the model endpoint and its rate limit. */
export const generateEnvSchema = modelEnvSchema.extend({
  LAB_GENERATE_RATE_LIMIT_PER_MINUTE: positiveInt(30),
});

/** The parsed environment of the generate function. */
export type GenerateEnv = z.infer<typeof generateEnvSchema>;

/** Options of {@link createGenerateApp}. */
export interface GenerateAppOptions {
  /** The model client; by default the `openai` SDK configured from the environment. */
  llm?: LlmClient;
  /** Reads a provider's key by its secret's name (default: the function's environment). */
  secret?: (name: string) => string | undefined;
}

/**
 * The generate Hono app.
 *
 * @example
 * Deno.serve(createGenerateApp(runtime).fetch);
 * // in tests, with a fake model:
 * createGenerateApp(runtime, { llm: { complete: () => Promise.resolve(fakeResult) } });
 */
export function createGenerateApp(runtime: Runtime<GenerateEnv>, options: GenerateAppOptions = {}) {
  const { db, verifier, env } = runtime;
  const llm = options.llm ?? llmClientFromEnv(env);
  const catalog = modelCatalog(db, {
    secret: options.secret ?? ((name) => Deno.env.get(name)),
    clientFor: ({ baseURL, apiKey }) =>
      createLlmClient({
        apiKey,
        baseURL,
        timeoutMs: env.LAB_LLM_TIMEOUT_MS,
        maxRetries: env.LAB_LLM_MAX_RETRIES,
      }),
  });
  const app = createFunctionApp("generate", runtime.appDeps);

  app.post("/", requireUser({ verifier }), async (c) => {
    const idempotencyKey = idempotencyKeyFrom(c.req.header(IDEMPOTENCY_KEY_HEADER));
    const input = await timed("validation", () =>
      parseJsonBody(c, generateRequestSchema, {
        maxBytes: env.LAB_MAX_BODY_BYTES,
      }));
    const answer = await runGenerate(
      {
        db,
        llm,
        model: env.LAB_MODEL,
        catalog,
        ratePerMinute: env.LAB_GENERATE_RATE_LIMIT_PER_MINUTE,
      },
      c.var.caller,
      { input, idempotencyKey },
    );
    if (answer.kind === "replay") {
      c.header(IDEMPOTENT_REPLAYED_HEADER, "true");
      return ok(c, answer.body, answer.status as ContentfulStatusCode);
    }
    return ok(c, answer.result);
  });

  return app;
}

/** The generate function, for `startFunction`. */
export const generate: FunctionModule<GenerateEnv> = {
  name: "generate",
  envSchema: generateEnvSchema,
  createApp: (runtime) => createGenerateApp(runtime),
};

/**
 * The generate function: one prompt answered several times across the
 * caller's calibrated ranges, each response scored, stored as an experiment.
 *
 * @module
 */
import {
  type GenerateRequest,
  type GenerateResult,
  generateResultSchema,
} from "../../supabase/functions/_shared/contracts/generate.ts";
import { type FunctionsTransport, invokeFunction } from "./functions.ts";
import { idempotencyHeaders, type IdempotentCallOptions } from "./idempotency.ts";
import type { FunctionResult } from "./result.ts";

/**
 * The `generate` call. It always sends an Idempotency-Key (a new UUID unless
 * `options.idempotencyKey` is given) and retries once, with the same key, when
 * the request failed on the network, so the experiment never runs twice.
 *
 * @example
 * ```ts
 * const generate = generateCall(transport);
 * const { data } = await generate({ prompt: "Name a cat", calibration_id: calibrationId });
 * ```
 */
export function generateCall(transport: FunctionsTransport) {
  /**
   * Runs an experiment. A 502 `upstream_unavailable` (`LabUpstreamError`)
   * carries `details.experimentId` of the stored failed attempt.
   *
   * @example
   * ```ts
   * const { data, error } = await lab.generate({
   *   prompt: "Write a haiku about tides",
   *   calibration_id: calibration.id,
   *   numResponses: 3,
   * });
   * if (error instanceof LabRateLimitError) await sleep(error.retryAfterSeconds ?? 1);
   * ```
   */
  return function generate(
    request: GenerateRequest,
    options: IdempotentCallOptions = {},
  ): Promise<FunctionResult<GenerateResult>> {
    const { idempotencyKey: _key, ...call } = options;
    return invokeFunction(transport, "generate", {
      method: "POST",
      body: request,
      headers: idempotencyHeaders(options),
      schema: generateResultSchema,
      retryOnNetworkError: true,
      ...call,
    });
  };
}

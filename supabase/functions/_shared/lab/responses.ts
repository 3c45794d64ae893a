/**
 * One model call's outcome as the lab stores a response (in an experiment's
 * `responses`, or as a batch result): a succeeded one scored with
 * `scoreResponse`, a failed one with its error code and message.
 *
 * @module
 */
import type { GeneratedResponse } from "../contracts/generate.ts";
import type { LlmResult } from "../integrations/llm.ts";
import type { ParameterSet } from "./parameters.ts";
import { scoreResponse } from "./scoring.ts";

/**
 * The stored response of call `index` with `parameters` for `prompt`.
 *
 * @example
 * const response = toResponse(prompt, parameters, await llm.complete(request), 0);
 */
export function toResponse(
  prompt: string,
  parameters: ParameterSet,
  result: LlmResult,
  index: number,
): GeneratedResponse {
  if (result.status === "failed") {
    return {
      index,
      status: "failed",
      parameters,
      latencyMs: result.latencyMs,
      error: { code: result.error.code, message: result.error.message },
    };
  }
  return {
    index,
    status: "succeeded",
    text: result.text,
    parameters,
    finishReason: result.finishReason,
    usage: result.usage,
    latencyMs: result.latencyMs,
    systemFingerprint: result.systemFingerprint,
    metrics: scoreResponse({ prompt, text: result.text, finishReason: result.finishReason }),
  };
}

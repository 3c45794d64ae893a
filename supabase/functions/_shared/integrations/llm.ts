/**
 * The lab's one way to a language model: a thin wrapper over the official
 * `openai` SDK pointed at any OpenAI-compatible endpoint (OpenAI itself, or
 * the offline model server in tests and `npm start`).
 *
 * Each call is one chat completion with the given sampling parameters and
 * seed. The SDK enforces the per-attempt timeout and retries 408/409/429/5xx
 * and connection errors with backoff (honouring `retry-after`). A call never
 * throws for an upstream failure: it resolves to a {@link LlmFailure} whose
 * message has been sanitized (no API key, no credentials in URLs).
 *
 * @module
 */
import OpenAI from "openai";
import type { ModelEnv } from "../env.ts";
import type { ParameterSet } from "../lab/parameters.ts";

/** One chat completion to run. */
export interface CompletionRequest {
  model: string;
  /** The user's prompt, sent as one user message. */
  prompt: string;
  parameters: ParameterSet;
  /** Passed to the provider for best-effort repeatable sampling. */
  seed?: number;
  /** Sent as a system message before the prompt. */
  system?: string;
  /** Asks for a reply that is JSON following this schema (structured outputs). */
  responseSchema?: { name: string; schema: Record<string, unknown> };
}

/** Token counts as the provider reported them. */
export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Prompt tokens the provider served from its cache, when it says. */
  cachedTokens?: number;
}

/** A completion the model produced. */
export interface LlmSuccess {
  status: "succeeded";
  text: string;
  /** "stop", "length", "content_filter", …; null when the provider sent none. */
  finishReason: string | null;
  usage: LlmUsage | null;
  /** Wall time of the call including retries, in whole milliseconds. */
  latencyMs: number;
  systemFingerprint: string | null;
}

/** Why a call failed, safe to store and show. */
export interface LlmError {
  /**
   * `timeout`, `rate_limited`, `upstream_server_error`, `upstream_auth_failed`,
   * `upstream_bad_request`, `upstream_error`, `connection_error`,
   * `malformed_response` or `empty_response`.
   */
  code: string;
  /** Sanitized, at most {@link MAX_ERROR_MESSAGE_CHARS} characters. */
  message: string;
  /** The provider's HTTP status, when it answered. */
  httpStatus?: number;
}

/** A call that failed after the SDK's retries. */
export interface LlmFailure {
  status: "failed";
  error: LlmError;
  latencyMs: number;
}

/** The outcome of one call. */
export type LlmResult = LlmSuccess | LlmFailure;

/** What the generate function needs from a model. Fakes implement it in tests. */
export interface LlmClient {
  /** Runs one completion; resolves to a failure instead of throwing. */
  complete(request: CompletionRequest): Promise<LlmResult>;
}

/** Options for {@link createLlmClient}. */
export interface LlmClientOptions {
  apiKey: string;
  /** Base URL of an OpenAI-compatible API, e.g. `http://127.0.0.1:54330/v1`; OpenAI's when absent. */
  baseURL?: string;
  /** Per-attempt timeout in milliseconds. */
  timeoutMs: number;
  /** Retries after the first attempt for retryable failures (0 disables them). */
  maxRetries: number;
  /** The fetch the SDK uses; for tests. */
  fetch?: typeof fetch;
}

/**
 * The client a function's environment describes.
 *
 * @example
 * const llm = llmClientFromEnv(runtime.env);
 */
export function llmClientFromEnv(env: ModelEnv): LlmClient {
  return createLlmClient({
    apiKey: env.OPENAI_API_KEY,
    baseURL: env.OPENAI_BASE_URL,
    timeoutMs: env.LAB_LLM_TIMEOUT_MS,
    maxRetries: env.LAB_LLM_MAX_RETRIES,
  });
}

/** The model settings of an environment where the model is optional (the worker's). */
export interface OptionalModelEnv {
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  LAB_LLM_TIMEOUT_MS: number;
  LAB_LLM_MAX_RETRIES: number;
}

/**
 * The `openai` SDK client of an environment, or null without an API key
 * (a job that needs one then fails saying so).
 *
 * @example
 * const llm = optionalLlmClient(runtime.env); // null when OPENAI_API_KEY is unset
 */
export function optionalLlmClient(env: OptionalModelEnv): LlmClient | null {
  return env.OPENAI_API_KEY
    ? createLlmClient({
      apiKey: env.OPENAI_API_KEY,
      baseURL: env.OPENAI_BASE_URL,
      timeoutMs: env.LAB_LLM_TIMEOUT_MS,
      maxRetries: env.LAB_LLM_MAX_RETRIES,
    })
    : null;
}

/** Longest error message kept. */
export const MAX_ERROR_MESSAGE_CHARS = 300;

/** The OpenAI API, used when no OPENAI_BASE_URL is configured. */
export const OPENAI_BASE_URL = "https://api.openai.com/v1";

/**
 * Creates a client over the `openai` SDK. The base URL is always explicit, so
 * the SDK never picks one up from the process environment.
 *
 * @example
 * const llm = createLlmClient({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, timeoutMs: 60_000, maxRetries: 2 });
 * const result = await llm.complete({ model: "gpt-4o", prompt: "Say hi.", parameters, seed: 7 });
 * if (result.status === "succeeded") console.log(result.text);
 */
export function createLlmClient(options: LlmClientOptions): LlmClient {
  const openai = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL ?? OPENAI_BASE_URL,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const secrets = [options.apiKey];

  return {
    async complete(request) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      try {
        const completion = await openai.chat.completions.create({
          model: request.model,
          messages: [
            ...(request.system === undefined
              ? []
              : [{ role: "system" as const, content: request.system }]),
            { role: "user", content: request.prompt },
          ],
          temperature: request.parameters.temperature,
          top_p: request.parameters.top_p,
          max_tokens: request.parameters.max_tokens,
          frequency_penalty: request.parameters.frequency_penalty,
          ...(request.seed === undefined ? {} : { seed: request.seed }),
          ...(request.responseSchema === undefined ? {} : {
            response_format: {
              type: "json_schema" as const,
              json_schema: { ...request.responseSchema, strict: true },
            },
          }),
        });
        const choice = completion?.choices?.[0];
        const text = choice?.message?.content;
        if (typeof text !== "string") {
          return failure(
            { code: "empty_response", message: "The model returned no message content" },
            elapsed(),
          );
        }
        return {
          status: "succeeded",
          text,
          finishReason: choice.finish_reason ?? null,
          usage: usageOf(completion.usage),
          latencyMs: elapsed(),
          systemFingerprint: completion.system_fingerprint ?? null,
        };
      } catch (error) {
        const described = describeError(error);
        return failure(
          { ...described, message: sanitizeMessage(described.message, { secrets }) },
          elapsed(),
        );
      }
    },
  };
}

function failure(error: LlmError, latencyMs: number): LlmFailure {
  return { status: "failed", error, latencyMs };
}

function usageOf(usage: OpenAI.CompletionUsage | undefined): LlmUsage | null {
  if (!usage) return null;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
    ...(typeof usage.prompt_tokens_details?.cached_tokens === "number"
      ? { cachedTokens: usage.prompt_tokens_details.cached_tokens }
      : {}),
  };
}

/**
 * Maps what the SDK threw to a stable code and a message (not yet sanitized).
 *
 * @example
 * describeError(new OpenAI.APIConnectionTimeoutError()); // { code: "timeout", message: "Request timed out." }
 */
export function describeError(error: unknown): LlmError {
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return { code: "timeout", message: error.message || "The model call timed out" };
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return { code: "connection_error", message: error.message || "Cannot reach the model" };
  }
  if (error instanceof OpenAI.APIError) {
    const status = typeof error.status === "number" ? error.status : undefined;
    const message = error.message || `The model answered ${status ?? "with an error"}`;
    const code = status === undefined
      ? "upstream_error"
      : status === 429
      ? "rate_limited"
      : status === 401 || status === 403
      ? "upstream_auth_failed"
      : status === 408
      ? "timeout"
      : status >= 500
      ? "upstream_server_error"
      : status >= 400
      ? "upstream_bad_request"
      : "upstream_error";
    return status === undefined ? { code, message } : { code, message, httpStatus: status };
  }
  if (error instanceof SyntaxError) {
    return { code: "malformed_response", message: "The model answered with malformed JSON" };
  }
  return { code: "upstream_error", message: "The model call failed" };
}

/**
 * Makes an upstream error message safe to store and show: removes the given
 * secrets and anything shaped like an API key (`sk-…`) or a bearer token,
 * strips credentials from URLs, collapses whitespace and truncates.
 *
 * @example
 * sanitizeMessage("Incorrect API key provided: sk-abc123xyz789.", { secrets: [] });
 * // "Incorrect API key provided: [redacted]."
 */
export function sanitizeMessage(message: string, options: { secrets?: string[] } = {}): string {
  let safe = message;
  for (const secret of options.secrets ?? []) {
    if (secret.length >= 4) safe = safe.split(secret).join("[redacted]");
  }
  safe = safe
    .replace(/\bsk-[A-Za-z0-9_*-]{3,}/g, "[redacted]")
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, "Bearer [redacted]")
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, "$1")
    .replace(/\s+/g, " ")
    .trim();
  return safe.length > MAX_ERROR_MESSAGE_CHARS
    ? `${safe.slice(0, MAX_ERROR_MESSAGE_CHARS - 1)}…`
    : safe;
}

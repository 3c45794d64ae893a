/**
 * Whether the services the functions depend on answer, for readiness: the
 * model endpoint (through the `openai` SDK, listing models with the key) and
 * Storage (any non-5xx answer to an authenticated request). A probe resolves
 * with true or false and never throws; what went wrong is not reported, so
 * no host name, version or message can leak into an answer.
 *
 * @module
 */
import OpenAI from "openai";
import { OPENAI_BASE_URL } from "./llm.ts";

/** A dependency check: true when it answered as expected within the time limit. */
export type Probe = () => Promise<boolean>;

/** Options for {@link modelEndpointProbe}. */
export interface ModelProbeOptions {
  apiKey: string;
  baseURL?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * Probes the model endpoint: `GET /models` through the SDK, no retries.
 *
 * @example
 * const modelAnswers = modelEndpointProbe({ apiKey: env.OPENAI_API_KEY, timeoutMs: 3000 });
 * await modelAnswers(); // true
 */
export function modelEndpointProbe(options: ModelProbeOptions): Probe {
  const openai = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL ?? OPENAI_BASE_URL,
    timeout: options.timeoutMs,
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return async function modelEndpoint() {
    try {
      await openai.models.list();
      return true;
    } catch {
      return false;
    }
  };
}

/** Options for {@link storageProbe}. */
export interface StorageProbeOptions {
  /** SUPABASE_URL. */
  supabaseUrl: string;
  /** SUPABASE_ANON_KEY, sent as `apikey`. */
  anonKey: string;
  /** A user's access token, so the request passes the gateway. */
  accessToken: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * Probes Storage with a download of an object that does not exist: a 4xx
 * ("not found") is Storage answering; a 5xx, a timeout or no connection is not.
 *
 * @example
 * const ok = await storageProbe({ supabaseUrl, anonKey, accessToken, timeoutMs: 3000 })();
 */
export function storageProbe(options: StorageProbeOptions): Probe {
  const fetchImpl = options.fetch ?? fetch;
  const url = `${
    options.supabaseUrl.replace(/\/+$/, "")
  }/storage/v1/object/authenticated/exports/.readiness-probe`;
  return async function storage() {
    try {
      const response = await fetchImpl(url, {
        headers: { apikey: options.anonKey, authorization: `Bearer ${options.accessToken}` },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await response.body?.cancel();
      return response.status < 500;
    } catch {
      return false;
    }
  };
}

/**
 * The offline OpenAI-compatible model server as a pure fetch handler:
 * `GET /v1/models`, `POST /v1/chat/completions` (answered by the n-gram model) and
 * the `/_control` API that injects failures (429, 500, malformed JSON, hangs) and latency.
 *
 * @module
 */
import { type ChatRequest, messageText, parseChatRequest } from "./chat_request.ts";
import {
  controlUpdateSchema,
  createControl,
  type FailureMode,
  type ModelControl,
} from "./control.ts";
import { generate, loadCorpus, type NgramModel, trainModel } from "./ngram.ts";
import { hashText } from "./prng.ts";
import { jsonResponse, openAiError } from "./responses.ts";
import { requestedSchema, structuredReply } from "./structured.ts";
import { countTokens } from "./tokens.ts";

/** Options of {@link createModelServer}. */
export interface ModelServerOptions {
  /** The trained model; defaults to one trained over the bundled corpus. */
  model?: NgramModel;
  /** The longest a "hang" lasts before it is answered with a 500 (default 120 s). */
  hangLimitMs?: number;
  /** Model ids listed by `GET /v1/models` (any id is accepted by completions). */
  models?: string[];
  /** How the `latencyMs` delay is waited for (tests record it instead of waiting). */
  delay?: (ms: number) => Promise<void>;
}

/** A model server: its fetch handler and its control surface. */
export interface ModelServer {
  handler: (req: Request) => Promise<Response>;
  control: ModelControl;
}

/** Listed by `GET /v1/models` unless {@link ModelServerOptions.models} says otherwise. */
export const DEFAULT_MODELS = [
  "gpt-4o",
  "gpt-4o-mini",
  "gpt-4.1",
  "gpt-4.1-mini",
  "gpt-3.5-turbo",
  "lab-ngram",
];
const MODELS_CREATED = 1_715_367_049;
const DEFAULT_HANG_LIMIT_MS = 120_000;

/**
 * Creates the server. It does not listen; serve `handler` with `Deno.serve` (see `main.ts`).
 *
 * @example
 * ```ts
 * const { handler, control } = createModelServer();
 * control.set({ mode: "rate_limit", times: 1 });
 * Deno.serve({ port: 0 }, handler);
 * ```
 */
export function createModelServer(options: ModelServerOptions = {}): ModelServer {
  const model = options.model ?? trainModel(loadCorpus());
  const delay = options.delay ?? ((ms: number) => pause(ms));
  const version = hashText(JSON.stringify(Array.from(model.unigrams))).toString(16);
  const fingerprint = `fp_lab_offline_${version}`;
  const models = options.models ?? DEFAULT_MODELS;
  const hangLimitMs = options.hangLimitMs ?? DEFAULT_HANG_LIMIT_MS;
  const control = createControl();

  async function chatCompletion(req: Request): Promise<Response> {
    control.receive();
    const body = await req.json().catch(() => undefined);
    if (body === undefined) {
      return openAiError(400, { message: "Cannot parse request body: invalid JSON" });
    }
    const parsed = parseChatRequest(body);
    if (!parsed.ok) return openAiError(400, parsed.error);
    const request = parsed.request;
    const failure = control.admit({ temperature: request.temperature ?? 1 });
    if (failure !== "normal") return await failureResponse(failure, req);
    const { latencyMs } = control.stats().settings;
    if (latencyMs > 0) await delay(latencyMs);
    const response = jsonResponse(200, completion(request));
    control.completed();
    return response;
  }

  function completion(request: ChatRequest) {
    const prompt = request.messages.map(messageText).join("\n\n");
    const generated = generate(model, prompt, {
      temperature: request.temperature ?? undefined,
      topP: request.top_p ?? undefined,
      frequencyPenalty: request.frequency_penalty ?? undefined,
      presencePenalty: request.presence_penalty ?? undefined,
      maxTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
      seed: request.seed ?? undefined,
    });
    const { tokens, finishReason } = generated;
    const schema = requestedSchema(request.response_format);
    const text = schema === undefined
      ? generated.text
      : structuredReply(schema, `${request.seed ?? 0}|${prompt}`, () => generated.text);
    const promptTokens = request.messages.reduce(
      (sum, message) => sum + countTokens(messageText(message)),
      0,
    );
    return {
      id: `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      system_fingerprint: fingerprint,
      choices: [{
        index: 0,
        message: { role: "assistant", content: text, refusal: null },
        logprobs: null,
        finish_reason: finishReason,
      }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: tokens.length,
        total_tokens: promptTokens + tokens.length,
      },
    };
  }

  async function failureResponse(
    mode: Exclude<FailureMode, "normal">,
    req: Request,
  ): Promise<Response> {
    switch (mode) {
      case "rate_limit": {
        const seconds = control.stats().settings.retryAfterSeconds;
        return openAiError(429, {
          message: `Rate limit reached for requests: please try again in ${seconds}s`,
          type: "rate_limit_error",
          code: "rate_limit_exceeded",
        }, { headers: { "retry-after": String(seconds) } });
      }
      case "server_error":
        return serverError(
          "The server had an error while processing your request: injected by the control API",
        );
      case "malformed":
        return new Response(
          '{"id":"chatcmpl-malformed","object":"chat.completion","choices":[{"index":0,"mess',
          {
            status: 200,
            headers: { "content-type": "application/json" },
          },
        );
      case "hang": {
        const unhang = control.hang();
        try {
          await pause(hangLimitMs, [req.signal, control.released]);
        } finally {
          unhang();
        }
        return serverError(
          `The request hung as instructed: released after at most ${hangLimitMs} ms`,
        );
      }
    }
  }

  function controlRoute(req: Request): Promise<Response> | Response {
    if (req.method === "GET") return jsonResponse(200, control.stats());
    if (req.method === "DELETE") {
      control.reset();
      return jsonResponse(200, control.stats());
    }
    if (req.method !== "POST") return notFound(req);
    return req.json().then(
      (body) => {
        const parsed = controlUpdateSchema.safeParse(body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          return openAiError(400, {
            message: `Invalid control update: ${issue.path.join(".") || "body"}: ${issue.message}`,
          });
        }
        control.set(parsed.data);
        return jsonResponse(200, control.stats());
      },
      () => openAiError(400, { message: "Cannot parse control update: invalid JSON" }),
    );
  }

  async function handler(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname.replace(/\/+$/, "");
    if (path === "/_control") return await controlRoute(req);
    if (!path.startsWith("/v1/")) return notFound(req);
    if (!/^Bearer \S+/i.test(req.headers.get("authorization") ?? "")) {
      return openAiError(401, {
        message:
          "Missing API key: provide it as 'Authorization: Bearer YOUR_KEY' (any value works offline)",
        code: "invalid_api_key",
      });
    }
    if (req.method === "POST" && path === "/v1/chat/completions") return await chatCompletion(req);
    if (req.method === "GET" && path === "/v1/models") {
      return jsonResponse(200, { object: "list", data: models.map(modelObject) });
    }
    const modelId = req.method === "GET" ? path.match(/^\/v1\/models\/([^/]+)$/)?.[1] : undefined;
    if (modelId !== undefined) return jsonResponse(200, modelObject(decodeURIComponent(modelId)));
    return notFound(req);
  }

  return { handler, control };
}

function modelObject(id: string) {
  return { id, object: "model", created: MODELS_CREATED, owned_by: "lab-offline" };
}

function serverError(message: string): Response {
  return openAiError(500, { message, type: "server_error" });
}

function notFound(req: Request): Response {
  const { pathname } = new URL(req.url);
  return openAiError(404, {
    message: `Unknown request URL: ${req.method} ${pathname}`,
    code: "unknown_url",
  });
}

/** Waits `ms` or until one of the signals aborts, whichever comes first, leaving no timer behind. */
function pause(ms: number, signals: readonly AbortSignal[] = []): Promise<void> {
  if (signals.some((signal) => signal.aborted)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    for (const signal of signals) signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      for (const signal of signals) signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { startModelServer } from "../../../../scripts/model_server/main.ts";
import { createLlmClient, describeError, MAX_ERROR_MESSAGE_CHARS, sanitizeMessage } from "./llm.ts";

const KEY = "sk-test-SECRET123";
const parameters = { temperature: 0.7, top_p: 0.9, max_tokens: 40, frequency_penalty: 0.2 };
const request = { model: "gpt-4o", prompt: "Say something about the sea.", parameters, seed: 11 };

/** A fetch that answers from a queue and records every request body. */
function scriptedFetch(responses: (() => Response | Promise<Response>)[]) {
  const bodies: Record<string, unknown>[] = [];
  const headers: Headers[] = [];
  const fetchFn: typeof fetch = async (_input, init) => {
    bodies.push(JSON.parse(String(init?.body)));
    headers.push(new Headers(init?.headers));
    const next = responses.shift();
    if (!next) throw new Error("No scripted response left");
    return await next();
  };
  return { fetch: fetchFn, bodies, headers };
}

function completion(content: string | null, extra: Record<string, unknown> = {}) {
  return Response.json({
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "gpt-4o",
    system_fingerprint: "fp_test",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 },
    ...extra,
  });
}

function apiError(status: number, message: string, headers: Record<string, string> = {}) {
  return Response.json({ error: { message, type: "server_error", code: null } }, {
    status,
    headers,
  });
}

Deno.test("complete sends the parameters and seed and maps the completion", async () => {
  const scripted = scriptedFetch([() => completion("The sea is wide.")]);
  const llm = createLlmClient({
    apiKey: KEY,
    baseURL: "http://llm.test/v1",
    timeoutMs: 1000,
    maxRetries: 0,
    fetch: scripted.fetch,
  });
  const result = await llm.complete(request);
  equal(result.status, "succeeded");
  if (result.status !== "succeeded") return;
  equal(result.text, "The sea is wide.");
  equal(result.finishReason, "stop");
  deepEqual(result.usage, { promptTokens: 7, completionTokens: 5, totalTokens: 12 });
  equal(result.systemFingerprint, "fp_test");
  assert(Number.isInteger(result.latencyMs) && result.latencyMs >= 0);
  const body = scripted.bodies[0];
  deepEqual(
    { ...body },
    {
      model: "gpt-4o",
      messages: [{ role: "user", content: request.prompt }],
      temperature: 0.7,
      top_p: 0.9,
      max_tokens: 40,
      frequency_penalty: 0.2,
      seed: 11,
    },
  );
  equal(scripted.headers[0].get("authorization"), `Bearer ${KEY}`);
});

Deno.test("complete sends a system prompt first and reports cached prompt tokens", async () => {
  const scripted = scriptedFetch([() =>
    completion("Aye.", {
      usage: {
        prompt_tokens: 70,
        completion_tokens: 5,
        total_tokens: 75,
        prompt_tokens_details: { cached_tokens: 64 },
      },
    })]);
  const llm = createLlmClient({
    apiKey: KEY,
    baseURL: "http://llm.test/v1",
    timeoutMs: 1000,
    maxRetries: 0,
    fetch: scripted.fetch,
  });
  const result = await llm.complete({ ...request, system: "Answer like a sailor." });
  equal(result.status, "succeeded");
  if (result.status !== "succeeded") return;
  deepEqual(result.usage, {
    promptTokens: 70,
    completionTokens: 5,
    totalTokens: 75,
    cachedTokens: 64,
  });
  deepEqual(scripted.bodies[0].messages, [
    { role: "system", content: "Answer like a sailor." },
    { role: "user", content: request.prompt },
  ]);
});

Deno.test("a 429 is retried by the SDK and then succeeds", async () => {
  const scripted = scriptedFetch([
    () => apiError(429, "Rate limit reached", { "retry-after-ms": "0" }),
    () => completion("Second time lucky."),
  ]);
  const llm = createLlmClient({
    apiKey: KEY,
    timeoutMs: 1000,
    maxRetries: 1,
    fetch: scripted.fetch,
  });
  const result = await llm.complete(request);
  equal(result.status, "succeeded");
  equal(scripted.bodies.length, 2);
});

Deno.test("upstream failures resolve to coded failures instead of throwing", async () => {
  const cases: [string, () => Response | Promise<Response>, string, number | undefined][] = [
    ["500", () => apiError(500, "Boom"), "upstream_server_error", 500],
    ["429 without retries", () => apiError(429, "Slow down"), "rate_limited", 429],
    ["401", () => apiError(401, "Bad key"), "upstream_auth_failed", 401],
    ["400", () => apiError(400, "Bad max_tokens"), "upstream_bad_request", 400],
    [
      "malformed JSON",
      () => new Response('{"choices": [', { headers: { "content-type": "application/json" } }),
      "malformed_response",
      undefined,
    ],
    ["no content", () => completion(null), "empty_response", undefined],
    [
      "a refused connection",
      () => Promise.reject(new TypeError("error sending request: connection refused")),
      "connection_error",
      undefined,
    ],
  ];
  for (const [label, respond, code, httpStatus] of cases) {
    const llm = createLlmClient({
      apiKey: KEY,
      timeoutMs: 1000,
      maxRetries: 0,
      fetch: scriptedFetch([respond]).fetch,
    });
    const result = await llm.complete(request);
    equal(result.status, "failed", label);
    if (result.status !== "failed") continue;
    equal(result.error.code, code, label);
    equal(result.error.httpStatus, httpStatus, label);
  }
});

Deno.test("a call that outlasts the timeout fails with code timeout", async () => {
  const hanging: typeof fetch = (_input, init) =>
    new Promise((_resolve, reject) => {
      init?.signal?.addEventListener("abort", () =>
        reject(init.signal!.reason ?? new DOMException("aborted", "AbortError")));
    });
  const llm = createLlmClient({ apiKey: KEY, timeoutMs: 50, maxRetries: 0, fetch: hanging });
  const result = await llm.complete(request);
  equal(result.status, "failed");
  if (result.status === "failed") equal(result.error.code, "timeout");
});

Deno.test("an upstream message echoing the key is sanitized", async () => {
  const scripted = scriptedFetch([
    () => apiError(401, `Incorrect API key provided: ${KEY}. Authorization: Bearer ${KEY}`),
  ]);
  const llm = createLlmClient({
    apiKey: KEY,
    timeoutMs: 1000,
    maxRetries: 0,
    fetch: scripted.fetch,
  });
  const result = await llm.complete(request);
  equal(result.status, "failed");
  if (result.status !== "failed") return;
  assert(!result.error.message.includes("SECRET123"), result.error.message);
  assert(
    result.error.message.includes("Incorrect API key provided: [redacted]"),
    result.error.message,
  );
});

Deno.test("sanitizeMessage removes keys, tokens and URL credentials, and truncates", () => {
  equal(sanitizeMessage("bad key sk-proj-abc_DEF-123 here"), "bad key [redacted] here");
  equal(
    sanitizeMessage("custom key k3y-value leaked", { secrets: ["k3y-value"] }),
    "custom key [redacted] leaked",
  );
  equal(
    sanitizeMessage("Authorization: Bearer eyJhbGc.iOi.J9"),
    "Authorization: Bearer [redacted]",
  );
  equal(
    sanitizeMessage("cannot reach https://user:pa55@llm.example.com/v1"),
    "cannot reach https://llm.example.com/v1",
  );
  equal(sanitizeMessage("line one\n\n  line two"), "line one line two");
  const long = sanitizeMessage("x".repeat(1000));
  equal(long.length, MAX_ERROR_MESSAGE_CHARS);
  assert(long.endsWith("…"));
});

Deno.test("describeError maps unknown throwables to upstream_error without their message", () => {
  deepEqual(describeError(new Error(`internal detail ${KEY}`)), {
    code: "upstream_error",
    message: "The model call failed",
  });
  deepEqual(describeError("a string"), {
    code: "upstream_error",
    message: "The model call failed",
  });
});

Deno.test("complete works end to end against the offline model server", {
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const server = await startModelServer({ port: 0 });
  try {
    const llm = createLlmClient({
      apiKey: KEY,
      baseURL: server.url,
      timeoutMs: 5000,
      maxRetries: 0,
    });
    const [first, second] = [await llm.complete(request), await llm.complete(request)];
    equal(first.status, "succeeded");
    if (first.status !== "succeeded" || second.status !== "succeeded") return;
    assert(first.text.length > 0);
    equal(first.text, second.text, "the same seed and parameters give the same text");
    assert(first.systemFingerprint?.startsWith("fp_lab_offline_"));
    assert(first.usage!.completionTokens <= parameters.max_tokens);

    server.control.set({ mode: "server_error" });
    const failed = await llm.complete(request);
    equal(failed.status, "failed");
    if (failed.status === "failed") {
      equal(failed.error.code, "upstream_server_error");
      equal(failed.error.httpStatus, 500);
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("complete sends a system message and a strict JSON schema when asked", async () => {
  const scripted = scriptedFetch([() => completion('{"score": 5, "reasoning": "Fine."}')]);
  const llm = createLlmClient({
    apiKey: KEY,
    baseURL: "http://llm.test/v1",
    timeoutMs: 1000,
    maxRetries: 0,
    fetch: scripted.fetch,
  });
  const schema = { type: "object", properties: { score: { type: "integer" } } };
  const result = await llm.complete({
    ...request,
    system: "You are a strict judge.",
    responseSchema: { name: "verdict", schema },
  });
  equal(result.status, "succeeded");
  const body = scripted.bodies[0];
  deepEqual(body.messages, [
    { role: "system", content: "You are a strict judge." },
    { role: "user", content: request.prompt },
  ]);
  deepEqual(body.response_format, {
    type: "json_schema",
    json_schema: { name: "verdict", schema, strict: true },
  });
});

Deno.test("the offline model answers a JSON schema request with a valid, seeded reply", async () => {
  const server = await startModelServer({ port: 0 });
  try {
    const llm = createLlmClient({
      apiKey: "sk-offline",
      baseURL: server.url,
      timeoutMs: 5000,
      maxRetries: 0,
    });
    const schema = {
      type: "object",
      properties: {
        score: { type: "integer", minimum: 1, maximum: 7 },
        reasoning: { type: "string" },
      },
      required: ["score", "reasoning"],
      additionalProperties: false,
    };
    const ask = () => llm.complete({ ...request, responseSchema: { name: "verdict", schema } });
    const [first, second] = [await ask(), await ask()];
    if (first.status !== "succeeded" || second.status !== "succeeded") {
      throw new Error("call failed");
    }
    const verdict = JSON.parse(first.text);
    assert(Number.isInteger(verdict.score) && verdict.score >= 1 && verdict.score <= 7);
    equal(typeof verdict.reasoning, "string");
    equal(second.text, first.text, "the same seed gives the same verdict");
  } finally {
    await server.shutdown();
  }
});

import assert from "node:assert/strict";
import OpenAI from "openai";
import { startModelServer } from "./main.ts";
import { createModelServer } from "./server.ts";
import { countTokens } from "./tokens.ts";

type Client = OpenAI;
type Params = Omit<OpenAI.ChatCompletionCreateParamsNonStreaming, "model" | "messages">;

const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: "system", content: "You are a teller of old fables." },
  { role: "user", content: "Tell me about the fox and the grapes." },
];
const seeds = [1, 2, 3, 4, 5, 6];

async function withServer(
  test: (client: Client, server: Awaited<ReturnType<typeof startModelServer>>) => Promise<void>,
  clientOptions: { maxRetries?: number; timeout?: number } = {},
): Promise<void> {
  const server = await startModelServer({ port: 0 });
  const client = new OpenAI({
    apiKey: "sk-offline",
    baseURL: server.url,
    maxRetries: 0,
    ...clientOptions,
  });
  try {
    await test(client, server);
  } finally {
    await server.shutdown();
  }
}

function complete(client: Client, params: Params = {}) {
  return client.chat.completions.create({ model: "gpt-4o", messages, ...params });
}

async function contentOf(client: Client, params: Params): Promise<string> {
  return (await complete(client, params)).choices[0].message.content ?? "";
}

async function averageOverSeeds(
  client: Client,
  params: Params,
  measure: (words: string[]) => number,
): Promise<number> {
  const texts = await Promise.all(
    seeds.map((seed) => contentOf(client, { ...params, seed, max_tokens: 80 })),
  );
  return texts.map((text) => measure(text.toLowerCase().split(/\s+/))).reduce((a, b) => a + b, 0) /
    seeds.length;
}

function request(path: string, init: RequestInit = {}): Request {
  return new Request(`http://model.test${path}`, {
    ...init,
    headers: {
      authorization: "Bearer sk-offline",
      "content-type": "application/json",
      ...init.headers,
    },
  });
}

Deno.test("GET /v1/models lists models in OpenAI's list shape", async () => {
  await withServer(async (client) => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    assert.ok(models.some((model) => model.id === "gpt-4o"));
    assert.deepEqual(Object.keys(models[0]).sort(), ["created", "id", "object", "owned_by"]);
    assert.equal(models[0].owned_by, "lab-offline");
    assert.equal((await client.models.retrieve("my-model")).id, "my-model");
  });
});

Deno.test("a chat completion has OpenAI's shape, echoes the model and counts usage consistently", async () => {
  await withServer(async (client) => {
    const completion = await client.chat.completions.create({
      model: "any-model-name",
      messages,
      seed: 3,
    });
    assert.match(completion.id, /^chatcmpl-\w+$/);
    assert.equal(completion.object, "chat.completion");
    assert.equal(completion.model, "any-model-name");
    assert.match(completion.system_fingerprint ?? "", /^fp_lab_offline_\w+$/);
    assert.ok(Number.isInteger(completion.created));
    const [choice] = completion.choices;
    assert.deepEqual({ ...choice, message: { ...choice.message, content: "" } }, {
      index: 0,
      message: { role: "assistant", content: "", refusal: null },
      logprobs: null,
      finish_reason: "stop",
    });
    const content = choice.message.content ?? "";
    const promptTokens = messages.reduce(
      (sum, message) => sum + countTokens(String(message.content)),
      0,
    );
    assert.deepEqual(completion.usage, {
      prompt_tokens: promptTokens,
      completion_tokens: countTokens(content),
      total_tokens: promptTokens + countTokens(content),
    });
  });
});

Deno.test("the same seed and parameters give the same text; different seeds differ", async () => {
  await withServer(async (client) => {
    const params = { seed: 11, temperature: 1.1, top_p: 0.95, max_tokens: 60 };
    assert.equal(await contentOf(client, params), await contentOf(client, params));
    const texts = new Set(
      await Promise.all(seeds.map((seed) => contentOf(client, { ...params, seed }))),
    );
    assert.equal(texts.size, seeds.length);
  });
});

Deno.test("temperature 0 is deterministic without a seed", async () => {
  await withServer(async (client) => {
    const texts = await Promise.all(
      [1, 2, 3].map(() => contentOf(client, { temperature: 0, max_tokens: 40 })),
    );
    assert.equal(new Set(texts).size, 1);
  });
});

Deno.test("a small max_tokens ends with finish_reason length and exactly that many completion tokens", async () => {
  await withServer(async (client) => {
    const completion = await complete(client, { max_tokens: 5, seed: 2 });
    assert.equal(completion.choices[0].finish_reason, "length");
    assert.equal(completion.usage?.completion_tokens, 5);
    assert.equal(countTokens(completion.choices[0].message.content ?? ""), 5);
    const newer = await complete(client, { max_completion_tokens: 3, seed: 2 });
    assert.equal(newer.usage?.completion_tokens, 3);
  });
});

Deno.test("higher temperature gives a higher distinct-word ratio across seeds", async () => {
  await withServer(async (client) => {
    const ratio = (words: string[]) => new Set(words).size / words.length;
    const cold = await averageOverSeeds(client, { temperature: 0.2 }, ratio);
    const hot = await averageOverSeeds(client, { temperature: 1.6 }, ratio);
    assert.ok(hot > cold, `distinct ratio at 1.6 (${hot}) is not above 0.2 (${cold})`);
  });
});

Deno.test("a higher frequency_penalty repeats words less", async () => {
  await withServer(async (client) => {
    const repeats = (words: string[]) => words.length - new Set(words).size;
    const plain = await averageOverSeeds(client, { temperature: 0.7 }, repeats);
    const penalized = await averageOverSeeds(
      client,
      { temperature: 0.7, frequency_penalty: 1.5 },
      repeats,
    );
    assert.ok(
      penalized < plain,
      `repeats with penalty (${penalized}) are not below without (${plain})`,
    );
  });
});

Deno.test("out-of-range parameters, n > 1 and streaming are 400 BadRequestError naming the parameter", async () => {
  await withServer(async (client) => {
    const cases: Array<[Params, string]> = [
      [{ temperature: 2.5 }, "temperature"],
      [{ top_p: 1.5 }, "top_p"],
      [{ frequency_penalty: 3 }, "frequency_penalty"],
      [{ max_tokens: 0 }, "max_tokens"],
      [{ n: 2 }, "n"],
    ];
    for (const [params, param] of cases) {
      await assert.rejects(complete(client, params), (error) => {
        assert.ok(error instanceof OpenAI.BadRequestError);
        assert.equal(error.status, 400);
        assert.equal(error.param, param);
        assert.equal(error.type, "invalid_request_error");
        return true;
      });
    }
    const stream = client.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    await assert.rejects(
      stream,
      (error) => error instanceof OpenAI.BadRequestError && /stream/.test(error.message),
    );
  });
});

Deno.test("rate_limit surfaces as RateLimitError, and a retry after retry-after succeeds", async () => {
  await withServer(async (client, server) => {
    server.control.set({ mode: "rate_limit", times: 1 });
    await assert.rejects(complete(client), (error) => {
      assert.ok(error instanceof OpenAI.RateLimitError);
      assert.equal(error.code, "rate_limit_exceeded");
      assert.equal(error.type, "rate_limit_error");
      assert.equal(error.headers?.get("retry-after"), "1");
      return true;
    });
    const retrying = new OpenAI({ apiKey: "sk-offline", baseURL: server.url, maxRetries: 2 });
    server.control.set({ mode: "rate_limit", times: 1, retryAfterSeconds: 1 });
    const completion = await retrying.chat.completions.create({
      model: "gpt-4o",
      messages,
      max_tokens: 3,
    });
    assert.equal(completion.choices[0].finish_reason, "length");
    assert.deepEqual(server.control.stats().counters, {
      requestsReceived: 3,
      failuresServed: 2,
      completionsServed: 1,
      hanging: 0,
    });
  });
});

Deno.test("server_error surfaces as InternalServerError and malformed JSON makes the SDK throw", async () => {
  await withServer(async (client, server) => {
    server.control.set({ mode: "server_error", times: 1 });
    await assert.rejects(complete(client), OpenAI.InternalServerError);
    server.control.set({ mode: "malformed", times: 1 });
    await assert.rejects(complete(client));
    assert.equal((await complete(client, { max_tokens: 2 })).usage?.completion_tokens, 2);
  });
});

Deno.test("hang makes the SDK time out, and shutdown releases the hanging request", async () => {
  await withServer(async (client, server) => {
    server.control.set({ mode: "hang" });
    await assert.rejects(complete(client), OpenAI.APIConnectionTimeoutError);
    assert.equal(server.control.stats().counters.failuresServed, 1);
    await server.shutdown();
    assert.equal(server.control.stats().counters.hanging, 0);
  }, { timeout: 200 });
});

Deno.test("match.temperatureAtLeast fails only the hot requests among concurrent calls", async () => {
  await withServer(async (client, server) => {
    server.control.set({ mode: "server_error", match: { temperatureAtLeast: 1 } });
    const temperatures = [0.2, 1.5, 0.5, 1, 0.9, 1.9];
    const results = await Promise.allSettled(
      temperatures.map((temperature) => complete(client, { temperature, max_tokens: 4 })),
    );
    const failed = temperatures.filter((_, index) => results[index].status === "rejected");
    assert.deepEqual(failed, [1.5, 1, 1.9]);
    for (const result of results) {
      if (result.status === "rejected") {
        assert.ok(result.reason instanceof OpenAI.InternalServerError);
      }
    }
  });
});

Deno.test("latencyMs delays every successful completion by that much", async () => {
  const delays: number[] = [];
  const { handler, control } = createModelServer({
    delay: (ms) => (delays.push(ms), Promise.resolve()),
  });
  const body = JSON.stringify({ model: "gpt-4o", messages, max_tokens: 2 });
  const send = () => handler(request("/v1/chat/completions", { method: "POST", body }));
  assert.equal((await send()).status, 200);
  control.set({ latencyMs: 200 });
  assert.equal((await send()).status, 200);
  assert.equal((await send()).status, 200);
  assert.deepEqual(delays, [200, 200]);
});

Deno.test("requests without a bearer token get 401 and unknown paths 404, in OpenAI's error shape", async () => {
  const { handler } = createModelServer();
  const unauthorized = await handler(new Request("http://model.test/v1/models"));
  assert.equal(unauthorized.status, 401);
  const { error } = await unauthorized.json();
  assert.deepEqual(Object.keys(error).sort(), ["code", "message", "param", "type"]);
  assert.equal(error.code, "invalid_api_key");
  const missing = await handler(request("/v1/embeddings", { method: "POST", body: "{}" }));
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, "unknown_url");
  const invalid = await handler(
    request("/v1/chat/completions", { method: "POST", body: "{not json" }),
  );
  assert.equal(invalid.status, 400);
  assert.match((await invalid.json()).error.message, /^Cannot parse request body/);
});

Deno.test("the control API sets, reports and resets the failure mode over HTTP", async () => {
  const { handler, control } = createModelServer();
  const post = (body: unknown) =>
    handler(request("/_control", { method: "POST", body: JSON.stringify(body) }));
  const set = await post({ mode: "malformed", times: 2, latencyMs: 0, retryAfterSeconds: 2 });
  assert.equal(set.status, 200);
  assert.equal((await set.json()).settings.times, 2);
  const malformed = await handler(
    request("/v1/chat/completions", {
      method: "POST",
      body: JSON.stringify({ model: "m", messages }),
    }),
  );
  assert.equal(malformed.status, 200);
  assert.equal(malformed.headers.get("content-type"), "application/json");
  const raw = await malformed.text();
  assert.throws(() => JSON.parse(raw), SyntaxError);
  const state = await (await handler(request("/_control"))).json();
  assert.deepEqual(state.counters, {
    requestsReceived: 1,
    failuresServed: 1,
    completionsServed: 0,
    hanging: 0,
  });
  assert.deepEqual(state.settings, {
    mode: "malformed",
    times: 1,
    match: {},
    latencyMs: 0,
    retryAfterSeconds: 2,
  });
  const rejected = await post({ mode: "explode" });
  assert.equal(rejected.status, 400);
  assert.match((await rejected.json()).error.message, /^Invalid control update: mode/);
  await (await handler(request("/_control", { method: "DELETE" }))).body?.cancel();
  assert.equal(control.stats().settings.mode, "normal");
  assert.equal(control.stats().counters.requestsReceived, 0);
});

Deno.test("a hanging request is released when its client aborts", async () => {
  const { handler, control } = createModelServer();
  control.set({ mode: "hang" });
  const abort = new AbortController();
  const body = JSON.stringify({ model: "m", messages });
  const pending = handler(
    request("/v1/chat/completions", { method: "POST", body, signal: abort.signal }),
  );
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(control.stats().counters.hanging, 1);
  abort.abort();
  const response = await pending;
  assert.equal(response.status, 500);
  assert.equal(control.stats().counters.hanging, 0);
});

Deno.test("reset releases hanging requests and a hang never outlasts its limit", async () => {
  const { handler, control } = createModelServer({ hangLimitMs: 10 });
  const body = JSON.stringify({ model: "m", messages });
  control.set({ mode: "hang" });
  const capped = await handler(request("/v1/chat/completions", { method: "POST", body }));
  assert.equal(capped.status, 500);
  assert.match((await capped.json()).error.message, /released after at most 10 ms/);
  const { handler: slow, control: slowControl } = createModelServer();
  slowControl.set({ mode: "hang" });
  const pending = slow(request("/v1/chat/completions", { method: "POST", body }));
  await new Promise((resolve) => setTimeout(resolve, 0));
  slowControl.reset();
  assert.equal((await pending).status, 500);
});

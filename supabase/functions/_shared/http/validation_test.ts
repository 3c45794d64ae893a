import assert from "node:assert/strict";
import { Hono } from "hono";
import { z } from "zod";
import type { LabEnv } from "./context.ts";
import { errorHandler } from "./error_handler.ts";
import { MAX_BODY_DEPTH, parseJsonBody, parseParams, parseQuery } from "./validation.ts";

const bodySchema = z.object({
  prompt: z.string().min(1),
  numResponses: z.number().int().min(1).max(10),
  parameters: z.object({ temperature: z.number().min(0).max(2) }).optional(),
  tags: z.array(z.string()).optional(),
});

function testApp(maxBytes = 256) {
  const app = new Hono<LabEnv>();
  app.use("*", async (c, next) => {
    c.set("correlationId", crypto.randomUUID());
    await next();
  });
  app.onError(errorHandler());
  app.post(
    "/body",
    async (c) => c.json(await parseJsonBody(c, bodySchema, { maxBytes })),
  );
  app.get(
    "/query",
    (c) =>
      c.json(
        parseQuery(
          c,
          z.object({
            limit: z.coerce.number().int().max(100).default(20),
            cursor: z.string().optional(),
          }),
        ),
      ),
  );
  app.get("/items/:id", (c) => c.json(parseParams(c, z.object({ id: z.uuid() }))));
  return app;
}

function post(body: BodyInit | null, headers: Record<string, string> = {}) {
  return testApp().request("/body", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

async function failure(response: Response, status: number, code: string) {
  assert.equal(response.status, status);
  const body = await response.json();
  assert.equal(body.success, false);
  assert.equal(body.error.code, code);
  return body.error as { code: string; message: string; details?: unknown };
}

Deno.test("parseJsonBody returns the parsed, typed value", async () => {
  const response = await post(
    JSON.stringify({ prompt: "Hi", numResponses: 3, extra: true }),
    { "content-type": "application/json; charset=utf-8" },
  );
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { prompt: "Hi", numResponses: 3 });
});

Deno.test("parseJsonBody answers 415 unless the content type is application/json", async () => {
  for (const type of ["text/plain", "application/x-www-form-urlencoded", ""]) {
    const error = await failure(
      await post('{"prompt":"x"}', { "content-type": type }),
      415,
      "unsupported_media_type",
    );
    assert.equal(
      error.message,
      "Unsupported content type: expected application/json",
    );
  }
});

Deno.test("parseJsonBody answers 413 when Content-Length exceeds the limit", async () => {
  const response = await testApp().request("/body", {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": "100000" },
    body: "{}",
  });
  const error = await failure(response, 413, "payload_too_large");
  assert.equal(
    error.message,
    "Request body is too large: the limit is 256 bytes",
  );
});

Deno.test("parseJsonBody answers 413 for a streamed body over the limit without Content-Length", async () => {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      if (pulled > 1000) controller.close();
      else controller.enqueue(new TextEncoder().encode(" ".repeat(100)));
    },
  });
  const response = await testApp().request("/body", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: stream,
  });
  await failure(response, 413, "payload_too_large");
  assert.ok(pulled < 10, "reading stops at the cap");
});

Deno.test("parseJsonBody ignores a Content-Length that understates the body", async () => {
  const big = JSON.stringify({ prompt: "x".repeat(1000), numResponses: 1 });
  const request = new Request("http://local/body", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: big,
  });
  const lying = new Request(request, {
    headers: { "content-type": "application/json", "content-length": "10" },
  });
  await failure(await testApp().request(lying), 413, "payload_too_large");
});

Deno.test("parseJsonBody answers 400 invalid_json for a bad or empty body", async () => {
  for (const body of ["{not json", "", "   ", null]) {
    const error = await failure(await post(body), 400, "invalid_json");
    assert.equal(
      error.message,
      "Cannot parse request body: the body is not valid JSON",
    );
  }
  const invalidUtf8 = new Uint8Array([0x7b, 0xff, 0x7d]);
  await failure(await post(invalidUtf8), 400, "invalid_json");
});

Deno.test("parseJsonBody answers 400 for text PostgreSQL cannot store, before the schema", async () => {
  const cases: [string, string][] = [
    ['{"prompt":"a\\u0000b"}', '"prompt" contains a NUL character or an unpaired surrogate'],
    ['{"prompt":"\\ud800"}', '"prompt" contains a NUL character or an unpaired surrogate'],
    ['{"prompt":"x\\udc00y"}', '"prompt" contains a NUL character or an unpaired surrogate'],
    [
      '{"prompt":"ok","tags":["\\u0000"]}',
      '"tags[0]" contains a NUL character or an unpaired surrogate',
    ],
    ['{"prompt":"ok","a\\u0000":1}', "the body contains a NUL character or an unpaired surrogate"],
  ];
  for (const [body, problem] of cases) {
    const error = await failure(await post(body), 400, "validation_failed");
    assert.equal(error.message, `Cannot parse request body: ${problem}`);
  }
  // A well-formed pair (an emoji written as escapes) and right-to-left marks are text like any other.
  const fine = await post('{"prompt":"\\ud83d\\ude00 \\u202e","numResponses":1}');
  assert.equal(fine.status, 200);
});

Deno.test("parseJsonBody answers 400 for nesting deeper than MAX_BODY_DEPTH", async () => {
  const deep = "[".repeat(MAX_BODY_DEPTH + 1) + "]".repeat(MAX_BODY_DEPTH + 1);
  const error = await failure(
    await post(`{"prompt":"ok","extra":${deep}}`),
    400,
    "validation_failed",
  );
  assert.equal(
    error.message,
    `Cannot parse request body: nested deeper than ${MAX_BODY_DEPTH} levels`,
  );
  const veryDeep = "[".repeat(100_000) + "]".repeat(100_000);
  const response = await testApp(1_000_000).request("/body", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: veryDeep,
  });
  await failure(response, 400, "validation_failed");
});

Deno.test("parseJsonBody names a missing field first", async () => {
  const error = await failure(
    await post(JSON.stringify({ numResponses: 3 })),
    400,
    "validation_failed",
  );
  assert.equal(
    error.message,
    'Cannot parse request body: "prompt" is required',
  );
  assert.deepEqual(error.details, [{
    path: "prompt",
    message: "Invalid input: expected string, received undefined",
  }]);
});

Deno.test("parseJsonBody reports every issue with its path", async () => {
  const error = await failure(
    await post(
      JSON.stringify({
        prompt: "x",
        numResponses: 50,
        parameters: { temperature: 3 },
        tags: ["a", 1],
      }),
    ),
    400,
    "validation_failed",
  );
  assert.match(
    error.message,
    /^Cannot parse request body: "numResponses" is invalid \(too big: /,
  );
  const details = error.details as Array<{ path: string; message: string }>;
  assert.deepEqual(details.map((issue) => issue.path), [
    "numResponses",
    "parameters.temperature",
    "tags[1]",
  ]);
  for (const issue of details) assert.equal(typeof issue.message, "string");
});

Deno.test("parseJsonBody rejects a body that is not an object", async () => {
  const error = await failure(await post("[1,2]"), 400, "validation_failed");
  assert.match(
    error.message,
    /^Cannot parse request body: invalid input: expected object/,
  );
  assert.deepEqual((error.details as Array<{ path: string }>)[0].path, "");
});

Deno.test("parseQuery parses and coerces the query string", async () => {
  const response = await testApp().request("/query?limit=5&cursor=abc");
  assert.deepEqual(await response.json(), { limit: 5, cursor: "abc" });
  assert.deepEqual(await (await testApp().request("/query")).json(), {
    limit: 20,
  });
});

Deno.test("parseQuery answers 400 validation_failed naming the field", async () => {
  const error = await failure(
    await testApp().request("/query?limit=500"),
    400,
    "validation_failed",
  );
  assert.match(
    error.message,
    /^Cannot parse query: "limit" is invalid \(too big: /,
  );
  assert.deepEqual(
    (error.details as Array<{ path: string }>).map((issue) => issue.path),
    ["limit"],
  );
});

Deno.test("parseParams parses the path parameters and answers 400 naming a bad one", async () => {
  const id = crypto.randomUUID();
  assert.deepEqual(await (await testApp().request(`/items/${id}`)).json(), { id });
  const error = await failure(
    await testApp().request("/items/not-a-uuid"),
    400,
    "validation_failed",
  );
  assert.match(error.message, /^Cannot parse path: "id" is invalid \(invalid uuid/i);
});

import assert from "node:assert/strict";
import { jsonResponse, openAiError } from "./responses.ts";

Deno.test("jsonResponse sets the status, JSON content type and extra headers", async () => {
  const response = jsonResponse(201, { ok: true }, { "x-extra": "1" });
  assert.equal(response.status, 201);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(response.headers.get("x-extra"), "1");
  assert.deepEqual(await response.json(), { ok: true });
});

Deno.test("openAiError fills the OpenAI error shape with defaults", async () => {
  const response = openAiError(429, {
    message: "Slow down",
    type: "rate_limit_error",
    code: "rate_limit_exceeded",
  }, {
    headers: { "retry-after": "2" },
  });
  assert.equal(response.status, 429);
  assert.equal(response.headers.get("retry-after"), "2");
  assert.deepEqual(await response.json(), {
    error: {
      message: "Slow down",
      type: "rate_limit_error",
      param: null,
      code: "rate_limit_exceeded",
    },
  });
  assert.deepEqual((await openAiError(400, { message: "Bad", param: "n" }).json()).error, {
    message: "Bad",
    type: "invalid_request_error",
    param: "n",
    code: null,
  });
});

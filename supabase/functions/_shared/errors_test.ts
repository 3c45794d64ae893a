import assert from "node:assert/strict";
import { defaultCode, HttpError, isHttpError } from "./errors.ts";

Deno.test("HttpError defaults its code from the status", () => {
  const cases: Array<[number, string]> = [
    [400, "bad_request"],
    [401, "unauthorized"],
    [403, "forbidden"],
    [404, "not_found"],
    [409, "conflict"],
    [413, "payload_too_large"],
    [415, "unsupported_media_type"],
    [429, "rate_limited"],
    [500, "internal_error"],
    [502, "upstream_unavailable"],
    [503, "service_unavailable"],
    [418, "bad_request"],
    [599, "internal_error"],
  ];
  for (const [status, code] of cases) {
    assert.equal(new HttpError(status, "x").code, code, `status ${status}`);
    assert.equal(defaultCode(status), code);
  }
});

Deno.test("HttpError keeps code, details, headers and cause", () => {
  const cause = new Error("connection refused");
  const error = new HttpError(429, "Too many requests: retry later", {
    code: "idempotency_in_progress",
    details: { limit: 10 },
    headers: { "retry-after": "30" },
    cause,
  });
  assert.equal(error.status, 429);
  assert.equal(error.code, "idempotency_in_progress");
  assert.equal(error.message, "Too many requests: retry later");
  assert.deepEqual(error.details, { limit: 10 });
  assert.deepEqual(error.headers, { "retry-after": "30" });
  assert.equal(error.cause, cause);
  assert.equal(error.name, "HttpError");
  assert.ok(error instanceof Error);
});

Deno.test("HttpError.toJSON omits details when absent and never includes the cause", () => {
  const plain = new HttpError(404, "Experiment not found", {
    cause: new Error("secret"),
  });
  assert.deepEqual(plain.toJSON(), {
    code: "not_found",
    message: "Experiment not found",
  });
  assert.equal(
    JSON.stringify(plain),
    '{"code":"not_found","message":"Experiment not found"}',
  );
  const detailed = new HttpError(400, "Bad", { details: [{ path: "a" }] });
  assert.deepEqual(detailed.toJSON(), {
    code: "bad_request",
    message: "Bad",
    details: [{ path: "a" }],
  });
});

Deno.test("HttpError rejects a status that is not an error status", () => {
  assert.throws(() => new HttpError(200, "ok"), RangeError);
  assert.throws(() => new HttpError(600, "no"), RangeError);
  assert.throws(() => new HttpError(404.5, "no"), RangeError);
});

Deno.test("isHttpError tells HttpError apart from other errors", () => {
  assert.equal(isHttpError(new HttpError(400, "x")), true);
  assert.equal(isHttpError(new Error("x")), false);
  assert.equal(isHttpError({ status: 400, code: "x", message: "x" }), false);
  assert.equal(isHttpError(null), false);
});

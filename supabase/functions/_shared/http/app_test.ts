import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { createFunctionApp } from "./app.ts";
import { createJwtVerifier, requireUser } from "../auth/jwt.ts";
import { flushBackground } from "../background.ts";
import type { FailureEvent } from "./error_handler.ts";
import { HttpError } from "../errors.ts";
import { ok } from "./response.ts";
import type { RequestMetric } from "./telemetry.ts";
import { parseJsonBody } from "./validation.ts";
import { z } from "zod";

const SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
const USER_ID = "8d0fd2b3-9ca7-4d9e-a95f-9e13dded323e";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function userToken(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    sub: USER_ID,
    aud: "authenticated",
    role: "authenticated",
    email: "a@b.c",
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(SECRET));
}

function lab() {
  const metrics: RequestMetric[] = [];
  const failures: FailureEvent[] = [];
  const app = createFunctionApp("exports", {
    allowedOrigins: "*",
    recordMetric: (metric) => Promise.resolve(void metrics.push(metric)),
    onFailure: (event) => Promise.resolve(void failures.push(event)),
  });
  const verifier = createJwtVerifier({ secret: SECRET });
  app.get(
    "/:id",
    requireUser({ verifier }),
    (c) => ok(c, { id: c.req.param("id") }),
  );
  app.post("/", requireUser({ verifier }), async (c) => {
    const input = await parseJsonBody(
      c,
      z.object({ format: z.enum(["csv", "json"]) }),
    );
    return ok(c, { format: input.format, userId: c.get("caller")?.userId }, 201);
  });
  app.post("/conflict", () => {
    throw new HttpError(
      409,
      "Idempotency key reused: the request body differs",
      {
        code: "idempotency_conflict",
      },
    );
  });
  app.get("/crash/now", () => {
    throw new Error('relation "secret_table" does not exist');
  });
  return { app, metrics, failures };
}

async function settle(response: Response) {
  const text = await response.text();
  await flushBackground();
  return { response, body: text ? JSON.parse(text) : null, text };
}

function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const original = console.error;
  console.error = () => {};
  return fn().finally(() => void (console.error = original));
}

Deno.test("success: correlation id in header and body, metric with route pattern and user", async () => {
  const { app, metrics, failures } = lab();
  const id = crypto.randomUUID();
  const { response, body } = await settle(
    await app.request("/exports/abc", {
      headers: {
        authorization: `Bearer ${await userToken()}`,
        "x-correlation-id": id,
      },
    }),
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("x-correlation-id"), id);
  assert.deepEqual(body, {
    success: true,
    data: { id: "abc" },
    correlationId: id,
  });
  assert.equal(metrics.length, 1);
  assert.deepEqual(
    { ...metrics[0], latencyMs: 0 },
    {
      route: "/exports/:id",
      method: "GET",
      statusCode: 200,
      latencyMs: 0,
      userId: USER_ID,
      correlationId: id,
    },
  );
  assert.deepEqual(failures, []);
});

Deno.test("auth, validation and handler compose: 201 with the parsed body", async () => {
  const { app, metrics } = lab();
  const { response, body } = await settle(
    await app.request("/exports", {
      method: "POST",
      headers: {
        authorization: `Bearer ${await userToken()}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ format: "csv" }),
    }),
  );
  assert.equal(response.status, 201);
  assert.deepEqual(body.data, { format: "csv", userId: USER_ID });
  assert.deepEqual(metrics.map((m) => [m.route, m.statusCode]), [[
    "/exports",
    201,
  ]]);
});

Deno.test("thrown HttpError: envelope, header, one metric with its status, onFailure", async () => {
  const { app, metrics, failures } = lab();
  const { response, body } = await settle(
    await app.request("/exports/conflict", {
      method: "POST",
      body: '{"secret":1}',
    }),
  );
  assert.equal(response.status, 409);
  const id = response.headers.get("x-correlation-id");
  assert.match(id ?? "", UUID);
  assert.deepEqual(body, {
    success: false,
    error: {
      code: "idempotency_conflict",
      message: "Idempotency key reused: the request body differs",
    },
    correlationId: id,
  });
  assert.deepEqual(
    metrics.map((m) => [m.route, m.statusCode, m.correlationId]),
    [
      ["/exports/conflict", 409, id],
    ],
  );
  assert.deepEqual(failures, [{
    status: 409,
    code: "idempotency_conflict",
    route: "/exports/conflict",
    method: "POST",
    correlationId: id,
    userId: null,
  }]);
  assert.ok(!JSON.stringify(failures).includes("secret"));
});

Deno.test("unknown error: 500 internal_error, nothing leaked, telemetry sees 500", async () => {
  const { app, metrics, failures } = lab();
  const { response, body, text } = await quietly(async () =>
    settle(await app.request("/exports/crash/now"))
  );
  assert.equal(response.status, 500);
  assert.deepEqual(body.error, {
    code: "internal_error",
    message: "Internal server error",
  });
  assert.equal(body.correlationId, response.headers.get("x-correlation-id"));
  assert.ok(!text.includes("secret_table"));
  assert.deepEqual(metrics.map((m) => [m.route, m.statusCode]), [[
    "/exports/crash/now",
    500,
  ]]);
  assert.deepEqual(failures.map((f) => [f.code, f.route, f.status]), [
    ["internal_error", "/exports/crash/now", 500],
  ]);
});

Deno.test("auth failure: 401 through the pipeline, recorded with the route", async () => {
  const { app, metrics, failures } = lab();
  const { response, body } = await settle(await app.request("/exports/abc"));
  assert.equal(response.status, 401);
  assert.equal(body.error.code, "missing_token");
  assert.equal(body.correlationId, response.headers.get("x-correlation-id"));
  assert.deepEqual(metrics.map((m) => [m.route, m.statusCode, m.userId]), [[
    "/exports/:id",
    401,
    null,
  ]]);
  assert.deepEqual(failures.map((f) => [f.code, f.route]), [[
    "missing_token",
    "/exports/:id",
  ]]);
});

Deno.test("404: envelope with correlation id, metric with the path", async () => {
  const { app, metrics, failures } = lab();
  const { response, body } = await settle(
    await app.request("/exports/a/b/c", { method: "POST" }),
  );
  assert.equal(response.status, 404);
  assert.equal(body.error.code, "not_found");
  assert.match(body.correlationId, UUID);
  assert.equal(response.headers.get("x-correlation-id"), body.correlationId);
  assert.deepEqual(metrics.map((m) => [m.route, m.statusCode]), [[
    "/exports/a/b/c",
    404,
  ]]);
  assert.deepEqual(failures.map((f) => f.code), ["not_found"]);
});

Deno.test("a path outside the function still gets the envelope and a correlation id", async () => {
  const { app, metrics } = lab();
  const { response, body } = await settle(await app.request("/generate"));
  assert.equal(response.status, 404);
  assert.equal(response.headers.get("x-correlation-id"), body.correlationId);
  assert.deepEqual(metrics.map((m) => [m.route, m.statusCode]), [[
    "/generate",
    404,
  ]]);
});

Deno.test("preflight: 204 before auth, with CORS and correlation headers", async () => {
  const { app, metrics, failures } = lab();
  const id = crypto.randomUUID();
  const { response, text } = await settle(
    await app.request("/exports/abc", {
      method: "OPTIONS",
      headers: {
        origin: "https://lab.example.com",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
        "x-correlation-id": id,
      },
    }),
  );
  assert.equal(response.status, 204);
  assert.equal(text, "");
  assert.equal(response.headers.get("x-correlation-id"), id);
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
  assert.match(
    response.headers.get("access-control-allow-headers") ?? "",
    /idempotency-key/,
  );
  assert.deepEqual(metrics.map((m) => [m.method, m.statusCode]), [[
    "OPTIONS",
    204,
  ]]);
  assert.deepEqual(failures, []);
});

Deno.test("CORS headers are present on error responses", async () => {
  const { app } = lab();
  const { response } = await settle(
    await app.request("/exports/abc", {
      headers: { origin: "https://lab.example.com" },
    }),
  );
  assert.equal(response.status, 401);
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
  assert.equal(
    response.headers.get("access-control-expose-headers"),
    "x-correlation-id,retry-after",
  );
});

Deno.test("a failing metric sink does not change the response", async () => {
  const app = createFunctionApp("calibration", {
    allowedOrigins: "*",
    recordMetric: () => Promise.reject(new Error("db down")),
  });
  app.get("/", (c) => ok(c, { fine: true }));
  const { response, body } = await quietly(async () => settle(await app.request("/calibration")));
  assert.equal(response.status, 200);
  assert.deepEqual(body.data, { fine: true });
});

Deno.test("createFunctionApp rejects an invalid function name", () => {
  const deps = {
    allowedOrigins: "*" as const,
    recordMetric: () => Promise.resolve(),
  };
  assert.throws(
    () => createFunctionApp("../x", deps),
    /Cannot create function app: invalid name/,
  );
  assert.throws(() => createFunctionApp("", deps), /invalid name/);
});

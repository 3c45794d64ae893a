import assert from "node:assert/strict";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { LabEnv } from "./context.ts";
import { flushBackground } from "../background.ts";
import { errorHandler, type FailureEvent, notFoundHandler } from "./error_handler.ts";
import { HttpError } from "../errors.ts";

const ID = "2f1f7f44-5d8a-4c3e-9d57-6d3e7c0f9b11";
const USER_ID = "8d0fd2b3-9ca7-4d9e-a95f-9e13dded323e";

function testApp(onFailure?: (event: FailureEvent) => Promise<void>) {
  const app = new Hono<LabEnv>();
  app.use("*", async (c, next) => {
    c.set("correlationId", ID);
    await next();
  });
  app.onError(errorHandler({ onFailure }));
  app.notFound(notFoundHandler({ onFailure }));
  app.post("/limited/:id", (c) => {
    c.set("caller", {
      userId: USER_ID,
      claims: { sub: USER_ID },
      correlationId: c.var.correlationId,
    });
    throw new HttpError(429, "Too many requests: try again in 30 seconds", {
      details: { limit: 10 },
      headers: { "retry-after": "30" },
    });
  });
  app.get("/crash", () => {
    throw new Error("connect ECONNREFUSED postgres://admin:hunter2@db");
  });
  app.get("/upstream", () => {
    throw new HttpError(502, "Model unavailable: the upstream returned 500", {
      cause: new Error("secret upstream detail"),
    });
  });
  app.get("/hono", () => {
    throw new HTTPException(405, { message: "Method not allowed here" });
  });
  return app;
}

function silenceConsoleError() {
  const original = console.error;
  const lines: string[] = [];
  console.error = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  return { lines, restore: () => void (console.error = original) };
}

Deno.test("errorHandler renders an HttpError with its status, headers and envelope", async () => {
  const response = await testApp().request("/limited/1", {
    method: "POST",
    body: "secret body",
  });
  assert.equal(response.status, 429);
  assert.equal(response.headers.get("retry-after"), "30");
  assert.equal(response.headers.get("x-correlation-id"), ID);
  assert.deepEqual(await response.json(), {
    success: false,
    error: {
      code: "rate_limited",
      message: "Too many requests: try again in 30 seconds",
      details: { limit: 10 },
    },
    correlationId: ID,
  });
});

Deno.test("errorHandler turns an unknown error into 500 without leaking it", async () => {
  const log = silenceConsoleError();
  let text: string;
  let status: number;
  try {
    const response = await testApp().request("/crash");
    status = response.status;
    text = await response.text();
  } finally {
    log.restore();
  }
  assert.equal(status, 500);
  assert.deepEqual(JSON.parse(text), {
    success: false,
    error: { code: "internal_error", message: "Internal server error" },
    correlationId: ID,
  });
  assert.ok(
    !text.includes("hunter2") && !text.includes("ECONNREFUSED") &&
      !text.includes("stack"),
  );
  assert.equal(log.lines.length, 1);
  assert.match(
    log.lines[0],
    new RegExp(`^Request failed \\[${ID}\\]: .*ECONNREFUSED`),
  );
});

Deno.test("errorHandler logs the cause of a 5xx HttpError but sends only its message", async () => {
  const log = silenceConsoleError();
  let body: { error: { code: string; message: string } };
  try {
    body = await (await testApp().request("/upstream")).json();
  } finally {
    log.restore();
  }
  assert.deepEqual(body.error, {
    code: "upstream_unavailable",
    message: "Model unavailable: the upstream returned 500",
  });
  assert.match(log.lines[0], /secret upstream detail/);
});

Deno.test("errorHandler maps a Hono HTTPException to the envelope", async () => {
  const response = await testApp().request("/hono");
  assert.equal(response.status, 405);
  assert.deepEqual((await response.json()).error, {
    code: "method_not_allowed",
    message: "Method not allowed here",
  });
});

Deno.test("errorHandler calls onFailure in the background with no body or headers", async () => {
  const events: FailureEvent[] = [];
  const app = testApp((event) => Promise.resolve(void events.push(event)));
  await app.request("/limited/9", {
    method: "POST",
    headers: { authorization: "Bearer secret-token" },
    body: "secret body",
  });
  await flushBackground();
  assert.deepEqual(events, [{
    status: 429,
    code: "rate_limited",
    route: "/limited/:id",
    method: "POST",
    correlationId: ID,
    userId: USER_ID,
  }]);
});

Deno.test("errorHandler still answers when onFailure rejects", async () => {
  const log = silenceConsoleError();
  try {
    const app = testApp(() => Promise.reject(new Error("audit down")));
    assert.equal(
      (await app.request("/limited/1", { method: "POST" })).status,
      429,
    );
    await flushBackground();
  } finally {
    log.restore();
  }
  assert.deepEqual(log.lines, [
    "Background task failed: record request failure (Error)",
  ]);
});

Deno.test("notFoundHandler answers 404 not_found in the failure envelope", async () => {
  const events: FailureEvent[] = [];
  const response = await testApp((event) => Promise.resolve(void events.push(event)))
    .request("/nowhere?x=1");
  assert.equal(response.status, 404);
  assert.deepEqual(await response.json(), {
    success: false,
    error: { code: "not_found", message: "Route not found: GET /nowhere" },
    correlationId: ID,
  });
  await flushBackground();
  assert.deepEqual(events.map((e) => [e.status, e.code, e.route]), [[
    404,
    "not_found",
    "/nowhere",
  ]]);
});

Deno.test("errorHandler generates a correlation id when none was set", async () => {
  const app = new Hono<LabEnv>();
  app.onError(errorHandler());
  app.get("/x", () => {
    throw new HttpError(400, "Bad");
  });
  const response = await app.request("/x");
  const body = await response.json();
  assert.match(body.correlationId, /^[0-9a-f-]{36}$/);
  assert.equal(response.headers.get("x-correlation-id"), body.correlationId);
});

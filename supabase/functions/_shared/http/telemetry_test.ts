import assert from "node:assert/strict";
import { Hono } from "hono";
import type { LabEnv } from "./context.ts";
import { flushBackground } from "../background.ts";
import { HttpError } from "../errors.ts";
import { type RequestMetric, routePattern, telemetry } from "./telemetry.ts";

const USER_ID = "8d0fd2b3-9ca7-4d9e-a95f-9e13dded323e";

function testApp(record: (metric: RequestMetric) => Promise<void>) {
  const app = new Hono<LabEnv>().basePath("/exports");
  app.use("*", async (c, next) => {
    c.set("correlationId", "c0ffee00-0000-4000-8000-000000000000");
    await next();
  });
  app.use("*", telemetry({ record }));
  app.onError((error, c) =>
    c.text("failed", error instanceof HttpError ? error.status as 409 : 500)
  );
  app.get("/:id", (c) => {
    c.set("caller", {
      userId: USER_ID,
      claims: { sub: USER_ID },
      correlationId: c.var.correlationId,
    });
    return c.text(routePattern(c));
  });
  app.post("/", () => {
    throw new HttpError(409, "Conflict");
  });
  app.post("/crash", () => {
    throw new Error("boom");
  });
  return app;
}

function collector() {
  const metrics: RequestMetric[] = [];
  return {
    metrics,
    record: (metric: RequestMetric) => Promise.resolve(void metrics.push(metric)),
  };
}

Deno.test("telemetry records the route pattern, status, user and correlation id", async () => {
  const { metrics, record } = collector();
  const response = await testApp(record).request("/exports/42");
  assert.equal(await response.text(), "/exports/:id");
  await flushBackground();
  assert.equal(metrics.length, 1);
  const [metric] = metrics;
  assert.equal(metric.route, "/exports/:id");
  assert.equal(metric.method, "GET");
  assert.equal(metric.statusCode, 200);
  assert.equal(metric.userId, USER_ID);
  assert.equal(metric.correlationId, "c0ffee00-0000-4000-8000-000000000000");
  assert.ok(Number.isInteger(metric.latencyMs) && metric.latencyMs >= 0);
});

Deno.test("telemetry sees the final status when the handler threw", async () => {
  const { metrics, record } = collector();
  const app = testApp(record);
  assert.equal((await app.request("/exports", { method: "POST" })).status, 409);
  assert.equal(
    (await app.request("/exports/crash", { method: "POST" })).status,
    500,
  );
  await flushBackground();
  assert.deepEqual(metrics.map((m) => [m.route, m.statusCode, m.userId]), [
    ["/exports", 409, null],
    ["/exports/crash", 500, null],
  ]);
});

Deno.test("telemetry records the path when no route matched", async () => {
  const { metrics, record } = collector();
  assert.equal((await testApp(record).request("/exports/a/b/c")).status, 404);
  await flushBackground();
  assert.deepEqual(metrics.map((m) => [m.route, m.statusCode]), [[
    "/exports/a/b/c",
    404,
  ]]);
});

Deno.test("telemetry never fails the request when record fails", async () => {
  const original = console.error;
  const logged: string[] = [];
  console.error = (...args: unknown[]) => void logged.push(args.map(String).join(" "));
  try {
    const app = testApp(() => Promise.reject(new Error("db down: password=x")));
    const syncThrow = testApp(() => {
      throw new Error("sync");
    });
    assert.equal((await app.request("/exports/1")).status, 200);
    assert.equal((await syncThrow.request("/exports/1")).status, 200);
    await flushBackground();
  } finally {
    console.error = original;
  }
  assert.deepEqual(logged, [
    "Background task failed: record request metric (Error)",
    "Background task failed: record request metric (Error)",
  ]);
});

Deno.test("telemetry does not wait for record before responding", async () => {
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const metrics: RequestMetric[] = [];
  const app = testApp(async (metric) => {
    await gate;
    metrics.push(metric);
  });
  const response = await app.request("/exports/7");
  assert.equal(response.status, 200);
  assert.equal(
    metrics.length,
    0,
    "the response came back before the metric was recorded",
  );
  release();
  await flushBackground();
  assert.equal(metrics.length, 1);
});

import assert from "node:assert/strict";
import { Hono } from "hono";
import type { LabEnv } from "./context.ts";
import {
  countEvent,
  formatServerTiming,
  RequestTimings,
  serverTiming,
  timed,
  timedSync,
} from "./server_timing.ts";

function appWith(enabled: boolean) {
  const app = new Hono<LabEnv>();
  app.use("*", serverTiming({ enabled }));
  app.get("/", async (c) => {
    await timed("db", () => Promise.resolve(1));
    await timed("db", () => Promise.resolve(2));
    timedSync("scoring", () => 3);
    countEvent("db.statements");
    return c.json({ ok: true });
  });
  return app;
}

Deno.test("serverTiming reports each span with its count, then the total", async () => {
  const response = await appWith(true).request("/");
  const header = response.headers.get("server-timing") ?? "";
  assert.match(
    header,
    /^db;dur=[\d.]+;desc="2x max [\d.]+", scoring;dur=[\d.]+;desc="1x max [\d.]+", /,
  );
  assert.match(header, /db\.statements;dur=0\.00;desc="1x max 0\.00"/);
  assert.match(header, /, total;dur=[\d.]+$/);
  assert.deepEqual(await response.json(), { ok: true });
});

Deno.test("serverTiming sends no header when it is off, and spans still run", async () => {
  const response = await appWith(false).request("/");
  assert.equal(response.headers.get("server-timing"), null);
  assert.deepEqual(await response.json(), { ok: true });
});

Deno.test("timed passes results and errors through outside a request", async () => {
  assert.equal(await timed("x", () => Promise.resolve(7)), 7);
  await assert.rejects(timed("x", () => Promise.reject(new Error("boom"))), /boom/);
  assert.equal(timedSync("x", () => 8), 8);
});

Deno.test("RequestTimings adds durations, keeps the longest and counts runs", () => {
  const timings = new RequestTimings();
  timings.add("model", 3);
  timings.add("model", 5);
  timings.count("db.statements");
  assert.deepEqual(timings.spans.get("model"), { count: 2, totalMs: 8, maxMs: 5 });
  assert.equal(
    formatServerTiming(timings, 10),
    'model;dur=8.00;desc="2x max 5.00", db.statements;dur=0.00;desc="1x max 0.00", total;dur=10.00',
  );
});

import assert from "node:assert/strict";
import type { Database, Tx } from "./client.ts";
import type { RequestMetric } from "../http/telemetry.ts";
import { metricRecorder } from "./telemetry_sink.ts";

function metric(n: number): RequestMetric {
  return {
    route: "/generate",
    method: "POST",
    statusCode: 200,
    latencyMs: n,
    userId: null,
    correlationId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  };
}

/** A database whose service transactions record the rows each insert got, and can be held open. */
function fakeDatabase(options: { fail?: boolean } = {}) {
  const batches: number[][] = [];
  let release: () => void = () => {};
  let held = Promise.resolve();
  const db = {
    asService<T>(_context: unknown, fn: (tx: Tx) => Promise<T>): Promise<T> {
      const helper = (rows: { latency_ms: number }[]) => rows.map((row) => row.latency_ms);
      const tx = ((strings: TemplateStringsArray | unknown[], ...values: unknown[]) => {
        if (!("raw" in strings)) return helper(strings as { latency_ms: number }[]);
        batches.push(values[0] as number[]);
        return options.fail ? Promise.reject(new Error("insert failed")) : Promise.resolve([]);
      }) as unknown as Tx;
      return held.then(() => fn(tx));
    },
    hold() {
      held = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
  };
  return { db: db as unknown as Database & { hold(): void; release(): void }, batches };
}

Deno.test("metricRecorder writes a lone metric at once", async () => {
  const { db, batches } = fakeDatabase();
  await metricRecorder(db, { maxDelayMs: 0 })(metric(1));
  assert.deepEqual(batches, [[1]]);
});

Deno.test("metricRecorder batches the metrics that arrive while a write is in flight", async () => {
  const { db, batches } = fakeDatabase();
  db.hold();
  const record = metricRecorder(db, { maxDelayMs: 0 });
  const first = record(metric(1));
  const rest = [record(metric(2)), record(metric(3)), record(metric(4))];
  db.release();
  await Promise.all([first, ...rest]);
  assert.deepEqual(batches, [[1], [2, 3, 4]]);
});

Deno.test("metricRecorder splits batches at maxBatch", async () => {
  const { db, batches } = fakeDatabase();
  db.hold();
  const record = metricRecorder(db, { maxBatch: 2, maxDelayMs: 0 });
  const all = [1, 2, 3, 4, 5].map((n) => record(metric(n)));
  db.release();
  await Promise.all(all);
  assert.deepEqual(batches, [[1], [2, 3], [4, 5]]);
});

Deno.test("metricRecorder writes the metrics of one window in one insert", async () => {
  const { db, batches } = fakeDatabase();
  const record = metricRecorder(db, { maxDelayMs: 5 });
  const first = record(metric(1));
  await Promise.resolve();
  const second = record(metric(2));
  await Promise.all([first, second]);
  assert.deepEqual(batches, [[1, 2]]);
});

Deno.test("metricRecorder rejects every metric of a failed batch and keeps going", async () => {
  const { db, batches } = fakeDatabase({ fail: true });
  const record = metricRecorder(db, { maxDelayMs: 0 });
  await assert.rejects(record(metric(1)), /insert failed/);
  await assert.rejects(record(metric(2)), /insert failed/);
  assert.deepEqual(batches, [[1], [2]]);
});

import assert from "node:assert/strict";
import { createDatabase, type Database, type Tx } from "./client.ts";
import { HttpError } from "../errors.ts";
import type { RequestMetric } from "../http/telemetry.ts";
import { metricRecorder, metricRow } from "./telemetry_sink.ts";
import { createTestUser, databaseUrl, dbTest, withAdmin } from "../../tests/harness.ts";

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
        return options.fail
          ? Promise.reject(new HttpError(503, "Database unavailable: try again shortly"))
          : Promise.resolve([]);
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

Deno.test("metricRecorder rejects every metric of a batch the database was not there for, and keeps going", async () => {
  const { db, batches } = fakeDatabase({ fail: true });
  const record = metricRecorder(db, { maxDelayMs: 0 });
  await assert.rejects(record(metric(1)), /Database unavailable/);
  await assert.rejects(record(metric(2)), /Database unavailable/);
  assert.deepEqual(batches, [[1], [2]]);
});

Deno.test("metricRow makes any route and method storable", () => {
  const row = (route: string, method: string) => {
    const { route: r, method: m } = metricRow({ ...metric(1), route, method });
    return [r, m];
  };
  assert.deepEqual(row("/calibration/\0", "PROPFIND"), ["/calibration/", "OTHER"]);
  assert.deepEqual(row("/x\ud800", "get"), ["/x\ufffd", "GET"]);
  assert.deepEqual(row("\0", "M-SEARCH"), ["/", "OTHER"]);
  assert.equal(row("/" + "é".repeat(300), "POST")[0].length, 200);
  assert.deepEqual(row("/exports/:id", "DELETE"), ["/exports/:id", "DELETE"]);
});

Deno.test(
  "one bad metric does not lose the other rows of its batch",
  dbTest,
  async () => {
    const db = createDatabase(databaseUrl, { max: 1 });
    const user = await createTestUser("telemetry");
    const ghost = crypto.randomUUID(); // a valid token's user who is not in auth.users
    const record = metricRecorder(db, { maxDelayMs: 20 });
    const mark = crypto.randomUUID().slice(0, 8);
    const neighbours = Array.from({ length: 10 }, (_, i) => ({
      ...metric(i),
      route: `/generate-${mark}`,
      userId: user.id,
      correlationId: crypto.randomUUID(),
    }));
    const bad = [
      { ...metric(100), route: `/calibration/${mark}\0`, correlationId: crypto.randomUUID() },
      { ...metric(101), route: `/${mark}`, method: "PROPFIND", correlationId: crypto.randomUUID() },
      { ...metric(102), route: `/${mark}`, userId: ghost, correlationId: crypto.randomUUID() },
    ];
    try {
      await Promise.all([...bad, ...neighbours].map(record));
      const ids = [...bad, ...neighbours].map((m) => m.correlationId);
      const rows = await withAdmin((sql) =>
        sql<{ user_id: string | null; method: string }[]>`
          select user_id, method from public.system_metrics where correlation_id = any(${ids}::uuid[])`
      );
      assert.equal(rows.length, 13);
      assert.equal(rows.filter((r) => r.user_id === user.id).length, 10);
      assert.equal(rows.filter((r) => r.method === "OTHER").length, 1);
    } finally {
      await db.end();
    }
  },
);

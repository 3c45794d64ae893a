/**
 * The life of an export as a job, against the real test database with a
 * bucket in memory: `POST /exports`' work inline (201) or handed to the
 * worker (202), what a failing upload or signing leaves behind (a failed
 * row, an `export_failed` event, a released key, no object), a cancel, and
 * the Idempotency-Key while the job runs and after.
 */
import { deepEqual, equal, ok as assert, rejects } from "node:assert/strict";
import { createDatabase, type Database } from "../_shared/db/client.ts";
import { HttpError } from "../_shared/errors.ts";
import { createJobRunner } from "../_shared/jobs/runner.ts";
import { runJobToEnd } from "../_shared/jobs/testing.ts";
import { createTestUser, databaseUrl, dbTest, type TestUser, withAdmin } from "../tests/harness.ts";
import type { Caller } from "../_shared/caller.ts";
import type { ExportDeps } from "./deps.ts";
import { describeExport } from "./details.ts";
import { exportJobHandler } from "./job/handler.ts";
import { type MemoryBucket, memoryBucket } from "./job/testing.ts";
import { createExport } from "./pipeline.ts";
import { parseCsv } from "./testing/fixtures.ts";
import { seedExperiments } from "./testing/seed.ts";

function callerOf(user: TestUser): Caller {
  return {
    userId: user.id,
    claims: { sub: user.id, role: "authenticated", aud: "authenticated", email: user.email },
    correlationId: crypto.randomUUID(),
  };
}

async function withDb(fn: (db: Database) => Promise<void>) {
  const db = createDatabase(databaseUrl, { max: 3 });
  try {
    await fn(db);
  } finally {
    await db.end();
  }
}

const LIMITS = { maxExperiments: 1000, urlTtlSeconds: 900, maxBytes: 1_000_000 };

/** Deps over `bucket`; `inlineMs` is how long createExport works the job itself. */
function depsOf(db: Database, bucket: MemoryBucket, inlineMs = 30_000) {
  const handler = exportJobHandler({
    db,
    uploads: bucket.uploads,
    storage: bucket.storage,
    limits: LIMITS,
    pageSize: 2,
    appendBytes: 500,
  });
  let woken = 0;
  const deps: ExportDeps = {
    db,
    storage: bucket.storage,
    limits: LIMITS,
    jobs: {
      runner: createJobRunner(db, [handler], { backoff: { baseMs: 1, maxMs: 1 } }),
      inline: { wallMs: inlineMs, cpuMs: inlineMs },
      wake: () => void woken++,
      failureOf: handler.failureOf,
    },
  };
  return { deps, handler, woken: () => woken };
}

async function exportState(userId: string) {
  return await withAdmin(async (sql) => {
    const rows = await sql`select id, status, error, storage_path, completed_at, correlation_id
                             from public.experiment_exports where user_id = ${userId}`;
    const events = await sql`select event_type, event_data from public.audit_logs
                              where user_id = ${userId} and event_type like 'export%' order by created_at`;
    const keys =
      await sql`select key, status from public.idempotency_keys where user_id = ${userId}`;
    return { rows, events, keys };
  });
}

Deno.test(
  "createExport works the job inline and answers the finished export: <uid>/<export id>.<format>, the row completed",
  dbTest,
  async () => {
    const user = await createTestUser("pipeline");
    await withDb(async (db) => {
      await seedExperiments(db, user, { count: 5 });
      const bucket = memoryBucket();
      const caller = callerOf(user);
      const { deps } = depsOf(db, bucket);
      const outcome = await createExport(deps, caller, { format: "csv" });
      if (outcome.kind !== "new") throw new Error(`Expected a new export, got ${outcome.kind}`);
      const { result } = outcome;
      const path = `${user.id}/${result.id}.csv`;
      deepEqual([...bucket.objects.keys()], [path]);
      const bytes = bucket.objects.get(path)!;
      equal(bytes.byteLength, result.byteSize);
      equal(parseCsv(new TextDecoder().decode(bytes)).length, 15);
      equal(result.url, `https://storage.test/${path}?ttl=900`);
      equal(bucket.open.size, 0, "no upload left open");

      const { rows, events } = await exportState(user.id);
      deepEqual(
        rows.map((r) => [r.id, r.status, r.storage_path, r.error, r.correlation_id]),
        [[result.id, "completed", path, null, caller.correlationId]],
      );
      deepEqual(events.map((e) => e.event_type), ["export_started", "export_completed"]);
      equal(events[1].event_data.byteSize, result.byteSize);
      equal(events[1].event_data.sha256.length, 64);
    });
  },
);

Deno.test(
  "past the inline budget, or asked to respond async, createExport answers the export queued with its job; the worker finishes it",
  dbTest,
  async () => {
    const user = await createTestUser("pipeline-async");
    await withDb(async (db) => {
      await seedExperiments(db, user, { count: 12 });
      const bucket = memoryBucket();
      const caller = callerOf(user);
      const { deps, handler, woken } = depsOf(db, bucket, 1);
      for (const respondAsync of [false, true]) {
        const outcome = await createExport(deps, caller, { format: "zip" }, { respondAsync });
        if (outcome.kind !== "accepted") throw new Error(`Expected 202, got ${outcome.kind}`);
        const { details } = outcome;
        assert(details.status === "pending" || details.status === "running", details.status);
        assert(details.job, "the export shows its job");
        equal(details.job.status, "queued");
        equal(details.job.progress.total, 12);
        equal(details.url, null);
        const { status, invocations } = await runJobToEnd(db, [handler], details.id);
        equal(status, "succeeded");
        assert(invocations > 1, `${invocations} invocations`);
        const done = await describeExport(deps, caller, details.id);
        deepEqual([done.status, done.experimentCount, done.job?.status], [
          "completed",
          12,
          "succeeded",
        ]);
        assert(bucket.objects.has(`${user.id}/${details.id}.zip`));
      }
      equal(woken(), 2, "the worker is woken for each export handed on");
    });
  },
);

Deno.test(
  "an export whose appends always fail ends failed after its attempts: audited, its Idempotency-Key free, no object, no upload",
  dbTest,
  async () => {
    const user = await createTestUser("pipeline-fail");
    await withDb(async (db) => {
      await seedExperiments(db, user, { count: 3 });
      const bucket = memoryBucket({ append: true });
      const caller = callerOf(user);
      const { deps, handler } = depsOf(db, bucket);
      const outcome = await createExport(deps, caller, { format: "csv" }, { idempotencyKey: "k1" });
      if (outcome.kind !== "accepted") throw new Error(`Expected 202, got ${outcome.kind}`);
      equal(outcome.details.job?.attempts, 1);
      equal(outcome.details.job?.error, "Storage unavailable: cannot append to the upload");
      equal((await runJobToEnd(db, [handler], outcome.details.id)).status, "failed");
      const { rows, events, keys } = await exportState(user.id);
      deepEqual(rows.map((r) => [r.status, r.error]), [[
        "failed",
        "Storage unavailable: cannot append to the upload",
      ]]);
      deepEqual(events.map((e) => e.event_type), ["export_started", "export_failed"]);
      deepEqual(keys, [], "the key is released, so the request can be made again");
      deepEqual([bucket.objects.size, bucket.open.size], [0, 0]);
      const again = await createExport(
        depsOf(db, memoryBucket()).deps,
        caller,
        { format: "csv" },
        { idempotencyKey: "k1" },
      );
      equal(again.kind, "new", "the same key runs again");
    });
  },
);

Deno.test(
  "an export whose link cannot be signed ends failed and its stored file is removed",
  dbTest,
  async () => {
    const user = await createTestUser("pipeline-sign");
    await withDb(async (db) => {
      await seedExperiments(db, user, { count: 2 });
      const bucket = memoryBucket({ sign: true });
      const { deps, handler } = depsOf(db, bucket);
      const outcome = await createExport(deps, callerOf(user), { format: "json" });
      if (outcome.kind !== "accepted") throw new Error(`Expected 202, got ${outcome.kind}`);
      equal((await runJobToEnd(db, [handler], outcome.details.id)).status, "failed");
      const { rows } = await exportState(user.id);
      deepEqual(rows.map((r) => [r.status, r.completed_at]), [["failed", null]]);
      deepEqual([...bucket.objects.keys()], [], "no failed export keeps a file");
    });
  },
);

Deno.test(
  "an export cancelled mid-run ends cancelled, its upload abandoned and no object stored",
  dbTest,
  async () => {
    const user = await createTestUser("pipeline-cancel");
    await withDb(async (db) => {
      await seedExperiments(db, user, { count: 20 });
      const bucket = memoryBucket();
      const caller = callerOf(user);
      const { deps, handler } = depsOf(db, bucket, 1);
      const outcome = await createExport(deps, caller, { format: "zip" });
      if (outcome.kind !== "accepted") throw new Error(`Expected 202, got ${outcome.kind}`);
      const { id } = outcome.details;
      await db.withUser(caller, (tx) => tx`select * from public.cancel_job(${id})`);
      equal((await runJobToEnd(db, [handler], id)).status, "cancelled");
      const details = await describeExport(deps, caller, id);
      deepEqual([details.status, details.error, details.url], [
        "failed",
        "Cancelled by its owner",
        null,
      ]);
      equal(details.job?.status, "cancelled");
      deepEqual([bucket.objects.size, bucket.open.size], [0, 0]);
    });
  },
);

Deno.test(
  "a file past the byte limit fails its export at once with 413 export_too_large",
  dbTest,
  async () => {
    const user = await createTestUser("pipeline-big");
    await withDb(async (db) => {
      await seedExperiments(db, user, { count: 3 });
      const bucket = memoryBucket();
      const { deps } = depsOf(db, bucket);
      const small = {
        ...deps,
        limits: { ...LIMITS, maxBytes: 100 },
      };
      const handler = exportJobHandler({
        db,
        uploads: bucket.uploads,
        storage: bucket.storage,
        limits: small.limits,
      });
      small.jobs = {
        ...deps.jobs,
        runner: createJobRunner(db, [handler]),
        failureOf: handler.failureOf,
      };
      await rejects(
        createExport(small, callerOf(user), { format: "csv" }),
        (error) =>
          error instanceof HttpError && error.status === 413 && error.code === "export_too_large",
      );
      deepEqual((await exportState(user.id)).rows.map((r) => r.status), ["failed"]);
      deepEqual([bucket.objects.size, bucket.open.size], [0, 0]);
    });
  },
);

Deno.test("an export with no matching experiments is an empty but valid file", dbTest, async () => {
  const user = await createTestUser("empty");
  await withDb(async (db) => {
    const bucket = memoryBucket();
    const outcome = await createExport(depsOf(db, bucket).deps, callerOf(user), { format: "json" });
    if (outcome.kind !== "new") throw new Error(`Expected a new export, got ${outcome.kind}`);
    const { result } = outcome;
    deepEqual([result.experimentCount, result.responseCount], [0, 0]);
    const document = JSON.parse(new TextDecoder().decode([...bucket.objects.values()][0]));
    deepEqual(document.experiments, []);
  });
});

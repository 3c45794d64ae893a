/**
 * The export pipeline against the real test database with an injected
 * storage: what is uploaded, and what a failing upload or signing leaves
 * behind (a failed row, an `export_failed` event, a released key).
 */
import { deepEqual, equal, ok as assert, rejects } from "node:assert/strict";
import { createDatabase, type Database } from "../_shared/db/client.ts";
import { HttpError } from "../_shared/errors.ts";
import type { ObjectStorage } from "../_shared/integrations/storage.ts";
import { createTestUser, databaseUrl, dbTest, type TestUser, withAdmin } from "../tests/harness.ts";
import type { Caller } from "../_shared/caller.ts";
import type { ExportDeps } from "./deps.ts";
import { describeExport } from "./details.ts";
import { createExport } from "./pipeline.ts";
import { parseCsv } from "./testing/fixtures.ts";
import { seedExperiments } from "./testing/seed.ts";

/** An in-memory bucket; `fail` makes one step throw what Storage's client would. */
function memoryStorage(fail: { upload?: boolean; sign?: boolean } = {}) {
  const objects = new Map<string, { bytes: Uint8Array; contentType: string }>();
  const storage: ObjectStorage = {
    async upload(path, body, contentType) {
      if (fail.upload) {
        throw new HttpError(502, "Storage unavailable: cannot store the file", {
          code: "storage_unavailable",
        });
      }
      assert(body instanceof ReadableStream, "the file is uploaded as a stream");
      objects.set(path, {
        bytes: new Uint8Array(await new Response(body).arrayBuffer()),
        contentType,
      });
    },
    createSignedUrl(path, expiresInSeconds) {
      if (fail.sign) {
        return Promise.reject(
          new HttpError(502, "Storage unavailable: cannot create a download link", {
            code: "storage_unavailable",
          }),
        );
      }
      return Promise.resolve({
        url: `https://storage.test/${path}?ttl=${expiresInSeconds}`,
        expiresAt: new Date(Date.now() + expiresInSeconds * 1000),
      });
    },
  };
  return { storage, objects };
}

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

function depsOf(db: Database, storage: ObjectStorage): ExportDeps {
  return { db, storage, limits: { maxExperiments: 1000, urlTtlSeconds: 900, maxBytes: 1_000_000 } };
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
  "createExport uploads the file as a stream to <uid>/<export id>.<format> and completes the row",
  dbTest,
  async () => {
    const user = await createTestUser("pipeline");
    await withDb(async (db) => {
      await seedExperiments(db, user, { count: 5 });
      const { storage, objects } = memoryStorage();
      const caller = callerOf(user);
      const outcome = await createExport(depsOf(db, storage), caller, { format: "csv" });
      if (outcome.kind !== "new") throw new Error(`Expected a new export, got ${outcome.kind}`);
      const { result } = outcome;
      const path = `${user.id}/${result.id}.csv`;
      deepEqual([...objects.keys()], [path]);
      const object = objects.get(path)!;
      equal(object.contentType, "text/csv");
      equal(object.bytes.byteLength, result.byteSize);
      equal(parseCsv(new TextDecoder().decode(object.bytes)).length, 15);
      equal(result.url, `https://storage.test/${path}?ttl=900`);

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
  "a failing upload leaves the export failed, audited and its Idempotency-Key free",
  dbTest,
  async () => {
    const user = await createTestUser("upload-fails");
    await withDb(async (db) => {
      await seedExperiments(db, user, { count: 3 });
      const failing = memoryStorage({ upload: true });
      const key = crypto.randomUUID();
      await rejects(
        createExport(depsOf(db, failing.storage), callerOf(user), { format: "zip" }, {
          idempotencyKey: key,
        }),
        (error: unknown) =>
          error instanceof HttpError && error.status === 502 &&
          error.code === "storage_unavailable",
      );
      const { rows, events, keys } = await exportState(user.id);
      equal(rows.length, 1);
      equal(rows[0].status, "failed");
      equal(rows[0].error, "Storage unavailable: cannot store the file");
      equal(rows[0].storage_path, null);
      equal(rows[0].completed_at, null);
      deepEqual(events.map((e) => e.event_type), ["export_started", "export_failed"]);
      deepEqual(events[1].event_data, {
        exportId: rows[0].id,
        format: "zip",
        code: "storage_unavailable",
        status: 502,
      });
      deepEqual(keys, [], "the key is released");

      const retry = await createExport(depsOf(db, memoryStorage().storage), callerOf(user), {
        format: "zip",
      }, {
        idempotencyKey: key,
      });
      equal(retry.kind, "new", "a retry with the same key runs again");
    });
  },
);

Deno.test(
  "a failing signed URL leaves the export failed even though the file was stored",
  dbTest,
  async () => {
    const user = await createTestUser("sign-fails");
    await withDb(async (db) => {
      await seedExperiments(db, user, { count: 1 });
      const failing = memoryStorage({ sign: true });
      await rejects(
        createExport(depsOf(db, failing.storage), callerOf(user), { format: "json" }),
        HttpError,
      );
      equal(failing.objects.size, 1);
      const { rows, events } = await exportState(user.id);
      deepEqual(rows.map((r) => [r.status, r.error]), [[
        "failed",
        "Storage unavailable: cannot create a download link",
      ]]);
      deepEqual(events.map((e) => e.event_type), ["export_started", "export_failed"]);
    });
  },
);

Deno.test("describeExport shows a failed export's reason without a link", dbTest, async () => {
  const user = await createTestUser("describe");
  await withDb(async (db) => {
    await seedExperiments(db, user, { count: 1 });
    const caller = callerOf(user);
    await rejects(
      createExport(depsOf(db, memoryStorage({ upload: true }).storage), caller, { format: "csv" }),
    );
    const [{ id }] = (await exportState(user.id)).rows;
    const details = await describeExport(depsOf(db, memoryStorage().storage), caller, id);
    deepEqual(
      [details.status, details.url, details.expiresAt, details.byteSize, details.error],
      ["failed", null, null, null, "Storage unavailable: cannot store the file"],
    );
  });
});

Deno.test("an export with no matching experiments is an empty but valid file", dbTest, async () => {
  const user = await createTestUser("empty");
  await withDb(async (db) => {
    const { storage, objects } = memoryStorage();
    const outcome = await createExport(depsOf(db, storage), callerOf(user), { format: "json" });
    if (outcome.kind !== "new") throw new Error(`Expected a new export, got ${outcome.kind}`);
    const { result } = outcome;
    deepEqual([result.experimentCount, result.responseCount], [0, 0]);
    const document = JSON.parse(new TextDecoder().decode([...objects.values()][0].bytes));
    deepEqual(document.experiments, []);
  });
});

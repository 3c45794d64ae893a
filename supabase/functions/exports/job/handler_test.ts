/**
 * The `export` job handler against the real database and the Storage
 * stand-in: many slices (a tiny budget, pages and appends) write the
 * one-pass bytes for every format; a worker dying between an append and its
 * checkpoint is resumed from the upload's offset; a failed or cancelled
 * export leaves no object and no upload.
 */
import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { createHash } from "node:crypto";
import { unzipSync } from "fflate";
import { createDatabase } from "../../_shared/db/client.ts";
import { createTestUser, databaseUrl, dbTest, withTestStack } from "../../tests/harness.ts";
import { seedExperiments } from "../testing/seed.ts";
import { exportJobHandler } from "./handler.ts";
import { claimLoop, claimOf, depsFor, exportRow, newJob, onePass, stored } from "./testing.ts";

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

Deno.test(
  "an export job run in many slices stores the bytes of one uninterrupted pass, for CSV, JSON and ZIP",
  dbTest,
  async () => {
    const user = await createTestUser("job-slices");
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      await seedExperiments(db, user, { count: 45 });
      await withTestStack(async (stack) => {
        const handler = exportJobHandler(depsFor(stack, db));
        for (const format of ["csv", "json", "zip"] as const) {
          const job = await newJob(db, user, format);
          const expected = await onePass(db, user, job);
          const outcome = await claimLoop(handler, job, { checks: 1 });
          equal(outcome.kind, "succeeded", format);
          assert(job.claims > 5, `${format}: ${job.claims} claims`);
          const bytes = await stored(stack, `${user.id}/${job.id}.${format}`);
          assert(bytes, `${format}: the object is stored`);
          equal(sha(bytes), sha(expected), `${format}: the same bytes as one pass`);
          const row = await exportRow(job.id);
          equal(row.status, "completed");
          equal(row.experiment_count, 45);
          equal(row.byte_size, bytes.byteLength);
          if (format === "zip") deepEqual(Object.keys(unzipSync(bytes)).at(-1), "manifest.json");
        }
      });
    } finally {
      await db.end();
    }
  },
);

Deno.test(
  "a worker that dies between an append and its checkpoint is resumed from the upload's offset, with the same bytes",
  dbTest,
  async () => {
    const user = await createTestUser("job-crash");
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      await seedExperiments(db, user, { count: 30 });
      await withTestStack(async (stack) => {
        for (const crashAt of [2, 5, "last"] as const) {
          const deps = depsFor(stack, db);
          let appends = 0;
          let crashed = 0;
          const job = await newJob(db, user, "zip");
          const expected = await onePass(db, user, job);
          const uploads = {
            ...deps.uploads,
            async append(url: string, offset: number, bytes: Uint8Array, o?: { final?: boolean }) {
              const next = await deps.uploads.append(url, offset, bytes, o);
              appends += 1;
              if (appends === crashAt || (crashAt === "last" && o?.final && crashed === 0)) {
                crashed += 1;
                throw new Error("worker killed after the append, before its checkpoint");
              }
              return next;
            },
          };
          const handler = exportJobHandler({ ...deps, uploads });
          const outcome = await claimLoop(handler, job, { checks: 3, onError: () => {} });
          equal(outcome.kind, "succeeded");
          equal(crashed, 1, `crash at ${crashAt}`);
          const bytes = await stored(stack, `${user.id}/${job.id}.zip`);
          assert(bytes);
          equal(sha(bytes), sha(expected), `crash at ${crashAt}: the same bytes as one pass`);
        }
      });
    } finally {
      await db.end();
    }
  },
);

Deno.test(
  "a failed export and a cancelled one leave no object and no upload behind",
  dbTest,
  async () => {
    const user = await createTestUser("job-fail");
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      await seedExperiments(db, user, { count: 30 });
      await withTestStack(async (stack) => {
        const deps = depsFor(stack, db);
        const started: string[] = [];
        const uploads = {
          ...deps.uploads,
          async start(path: string, type: string) {
            const url = await deps.uploads.start(path, type);
            started.push(url);
            return url;
          },
        };
        const handler = exportJobHandler({ ...deps, uploads });

        const failing = await newJob(db, user, "csv");
        const context = claimOf(failing, 3);
        await handler.runSlice(context);
        await handler.cleanUp!(context, "failed", "Storage unavailable: cannot store the file");
        equal(await deps.uploads.offset(started[0]), null, "the upload is abandoned");
        equal(await stored(stack, `${user.id}/${failing.id}.csv`), null, "no object");
        deepEqual(await exportRow(failing.id), {
          status: "failed",
          error: "Storage unavailable: cannot store the file",
          experiment_count: null,
          byte_size: null,
        });

        const cancelling = await newJob(db, user, "zip");
        cancelling.cancelAt = (saves) => saves >= 4;
        const outcome = await claimLoop(handler, cancelling, { checks: 2 });
        equal(outcome.kind, "cancelled");
        equal(await deps.uploads.offset(started[1]), null, "the upload is abandoned");
        equal(await stored(stack, `${user.id}/${cancelling.id}.zip`), null, "no object");
        equal((await exportRow(cancelling.id)).status, "failed");
      });
    } finally {
      await db.end();
    }
  },
);

import { deepEqual, equal, ok as assert, rejects, throws } from "node:assert/strict";
import type { ExportDetails } from "../_shared/contracts/exports.ts";
import { createDatabase } from "../_shared/db/client.ts";
import { HttpError } from "../_shared/errors.ts";
import type { ObjectStorage } from "../_shared/integrations/storage.ts";
import { createTestUser, databaseUrl, hasDatabase } from "../tests/harness.ts";
import { describeExport, resultOf } from "./details.ts";

const completed: ExportDetails = {
  job: null,
  id: "0b9c7c2e-8f5d-4d8e-9a51-3f7f0e0f1a2b",
  format: "zip",
  status: "completed",
  experimentCount: 3,
  responseCount: 9,
  byteSize: 2048,
  url: "https://storage.test/u/e.zip?token=t",
  expiresAt: "2026-11-22T11:00:00.000Z",
  error: null,
  createdAt: "2026-11-22T10:00:00.000Z",
  completedAt: "2026-11-22T10:00:01.000Z",
};

Deno.test("resultOf turns a completed export's details into the POST answer", () => {
  deepEqual(resultOf(completed), {
    id: completed.id,
    format: "zip",
    status: "completed",
    experimentCount: 3,
    responseCount: 9,
    byteSize: 2048,
    url: completed.url,
    expiresAt: completed.expiresAt,
  });
});

Deno.test("resultOf refuses an export that is not completed", () => {
  throws(
    () => resultOf({ ...completed, status: "failed", url: null, expiresAt: null }),
    /is failed/,
  );
});

Deno.test(
  "describeExport answers 404 export_not_found for an unknown id, without asking Storage",
  { ignore: !hasDatabase, sanitizeOps: false, sanitizeResources: false },
  async () => {
    const user = await createTestUser("details");
    const db = createDatabase(databaseUrl, { max: 1 });
    let storageCalls = 0;
    const storage: ObjectStorage = {
      upload: () => Promise.resolve(void storageCalls++),
      createSignedUrl: () => Promise.reject(new Error(`unexpected call ${++storageCalls}`)),
      remove: () => Promise.resolve(void storageCalls++),
    };
    try {
      await rejects(
        describeExport(
          { db, storage, limits: { maxExperiments: 1, urlTtlSeconds: 60, maxBytes: 1_000_000 } },
          {
            userId: user.id,
            claims: { sub: user.id, role: "authenticated" },
            correlationId: crypto.randomUUID(),
          },
          crypto.randomUUID(),
        ),
        (error: unknown) => {
          assert(error instanceof HttpError);
          equal(error.status, 404);
          equal(error.code, "export_not_found");
          return true;
        },
      );
      equal(storageCalls, 0);
    } finally {
      await db.end();
    }
  },
);

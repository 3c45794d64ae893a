import { deepEqual, equal } from "node:assert/strict";
import {
  createExportSchema,
  exportDetailsSchema,
  exportFilterSchema,
  exportResultSchema,
  MAX_SELECTED_IDS,
} from "./exports.ts";

const id = "0b9c7c2e-8f5d-4d8e-9a51-3f7f0e0f1a2b";

Deno.test("createExportSchema accepts a format alone, selected ids and a full filter", () => {
  deepEqual(createExportSchema.parse({ format: "zip" }), { format: "zip" });
  const body = {
    format: "csv",
    selectedIds: [id],
    filter: {
      calibrationId: id,
      saved: true,
      includeDiscarded: false,
      from: "2026-01-01T00:00:00Z",
      to: "2026-02-01T00:00:00+01:00",
    },
  };
  deepEqual(createExportSchema.parse(body), body);
});

Deno.test("createExportSchema rejects unknown formats, bad ids, unknown keys and too many ids", () => {
  const bad = [
    {},
    { format: "xlsx" },
    { format: "csv", selectedIds: [] },
    { format: "csv", selectedIds: ["not-a-uuid"] },
    { format: "csv", selectedIds: Array.from({ length: MAX_SELECTED_IDS + 1 }, () => id) },
    { format: "csv", selectedIDs: [id] },
    { format: "csv", filter: { saved: "yes" } },
    { format: "csv", filter: { mine: true } },
  ];
  for (const body of bad) {
    equal(createExportSchema.safeParse(body).success, false, JSON.stringify(body).slice(0, 80));
  }
});

Deno.test("exportFilterSchema requires from before to and ISO timestamps with an offset", () => {
  equal(
    exportFilterSchema.safeParse({ from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z" })
      .success,
    false,
  );
  equal(
    exportFilterSchema.safeParse({ from: "2026-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" })
      .success,
    false,
  );
  equal(exportFilterSchema.safeParse({ from: "yesterday" }).success, false);
  equal(exportFilterSchema.safeParse({ from: "2026-01-01T00:00:00Z" }).success, true);
});

Deno.test("exportFilterSchema refuses instants outside the years 0001-9999 in UTC", () => {
  equal(exportFilterSchema.safeParse({ from: "0000-01-01T00:00:00Z" }).success, false);
  equal(exportFilterSchema.safeParse({ to: "0000-12-31T23:59:59+01:00" }).success, false);
  equal(exportFilterSchema.safeParse({ from: "0001-01-01T00:00:00+14:00" }).success, false);
  equal(exportFilterSchema.safeParse({ to: "9999-12-31T23:59:59-14:00" }).success, false);
  equal(exportFilterSchema.safeParse({ from: "0001-01-01T00:00:00Z" }).success, true);
  equal(exportFilterSchema.safeParse({ to: "9999-12-31T23:59:59Z" }).success, true);
});

Deno.test("exportResultSchema and exportDetailsSchema describe the answers", () => {
  const result = {
    id,
    format: "json",
    status: "completed",
    experimentCount: 2,
    responseCount: 8,
    byteSize: 1024,
    url: "http://127.0.0.1:54321/storage/v1/object/sign/exports/a/b.json?token=t",
    expiresAt: "2026-11-22T11:00:00.000Z",
  };
  deepEqual(exportResultSchema.parse(result), result);
  equal(exportResultSchema.safeParse({ ...result, status: "failed" }).success, false);
  const failed = {
    ...result,
    status: "failed",
    experimentCount: null,
    responseCount: null,
    byteSize: null,
    url: null,
    expiresAt: null,
    error: "Storage unavailable: cannot store the file",
    createdAt: "2026-11-22T10:00:00.000Z",
    completedAt: null,
    job: {
      status: "failed",
      progress: { done: 0, total: 2 },
      attempts: 5,
      maxAttempts: 5,
      error: "Storage unavailable: cannot store the file",
      cancelRequested: false,
    },
  };
  deepEqual(exportDetailsSchema.parse(failed), failed);
  deepEqual(exportDetailsSchema.parse({ ...failed, job: null }).job, null);
});

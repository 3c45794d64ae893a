/**
 * Selections: what a request selects, and the filters and passes run under
 * the caller's RLS against the real test database.
 */
import { deepEqual, equal } from "node:assert/strict";
import { createDatabase, type Database } from "../../_shared/db/client.ts";
import {
  createTestUser,
  databaseUrl,
  dbTest,
  type TestUser,
  withAdmin,
} from "../../tests/harness.ts";
import { writeResponsesCsv } from "../assemble/csv.ts";
import { countInvisible, countSelection, type Selection, selectionOf } from "./selection.ts";
import { selectionSource } from "./source.ts";
import { textOf } from "../testing/fixtures.ts";
import { seedExperiments } from "../testing/seed.ts";

Deno.test("selectionOf leaves discarded experiments out unless asked, or selected by id", () => {
  const id = "0B9C7C2E-8F5D-4D8E-9A51-3F7F0E0F1A2B";
  deepEqual(selectionOf({ format: "csv" }), { includeDiscarded: false });
  deepEqual(selectionOf({ format: "csv", selectedIds: [id, id.toLowerCase()] }), {
    ids: [id.toLowerCase()],
    includeDiscarded: true,
  });
  deepEqual(
    selectionOf({ format: "csv", selectedIds: [id], filter: { includeDiscarded: false } }),
    {
      ids: [id.toLowerCase()],
      includeDiscarded: false,
    },
  );
  deepEqual(
    selectionOf({
      format: "zip",
      filter: { saved: false, from: "2026-01-01T00:00:00Z", calibrationId: id },
    }),
    {
      includeDiscarded: false,
      saved: false,
      from: "2026-01-01T00:00:00Z",
      calibrationId: id.toLowerCase(),
    },
  );
  deepEqual(selectionOf({ format: "csv", filter: { runId: id } }), {
    includeDiscarded: false,
    runId: id.toLowerCase(),
  });
});

async function asUser<T>(db: Database, user: TestUser, fn: Parameters<Database["withUser"]>[1]) {
  return await db.withUser(
    { claims: { sub: user.id, role: "authenticated" }, correlationId: crypto.randomUUID() },
    fn,
  ) as T;
}

Deno.test(
  "filters select by calibration, saved, discarded and a created_at window",
  dbTest,
  async () => {
    const user = await createTestUser("filters");
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      const a = await seedExperiments(db, user, { count: 2, saved: true });
      const b = await seedExperiments(db, user, { count: 3 });
      await seedExperiments(db, user, {
        count: 1,
        calibrationId: b.calibrationId,
        discarded: true,
      });
      const [middle] = await withAdmin((sql) =>
        sql`select created_at from public.experiments where id = ${b.ids[1]}`
      );
      // The response CSV's COPY must count what the selection holds.
      const count = (selection: Selection) =>
        asUser<{ experiments: number; responses: number }>(db, user, async (tx) => {
          const counts = await countSelection(tx, selection);
          const source = selectionSource(tx, selection);
          deepEqual(await writeResponsesCsv(source, { write: () => Promise.resolve() }), counts);
          return counts;
        });
      deepEqual(await count({ includeDiscarded: false }), { experiments: 5, responses: 15 });
      equal((await count({ includeDiscarded: true })).experiments, 6);
      equal((await count({ includeDiscarded: false, saved: true })).experiments, 2);
      equal(
        (await count({ includeDiscarded: true, calibrationId: b.calibrationId })).experiments,
        4,
      );
      equal(
        (await count({ includeDiscarded: false, calibrationId: a.calibrationId, saved: false }))
          .experiments,
        0,
      );
      const at = middle.created_at.toISOString();
      equal(
        (await count({ includeDiscarded: false, from: at })).experiments,
        2,
        "from is inclusive",
      );
      equal((await count({ includeDiscarded: false, to: at })).experiments, 3, "to is exclusive");
      equal((await count({ includeDiscarded: false, ids: [a.ids[0], b.ids[2]] })).experiments, 2);
    } finally {
      await db.end();
    }
  },
);

Deno.test("RLS hides other users' experiments from every read of a selection", dbTest, async () => {
  const [owner, stranger] = [await createTestUser("owner"), await createTestUser("stranger")];
  const db = createDatabase(databaseUrl, { max: 2 });
  try {
    const theirs = await seedExperiments(db, owner, { count: 2 });
    const mine = await seedExperiments(db, stranger, { count: 1 });
    const invisible = await asUser<number>(
      db,
      stranger,
      (tx) => countInvisible(tx, [...theirs.ids, mine.ids[0]]),
    );
    equal(invisible, 2);
    const seen = await asUser<{ experiments: string[]; calibrations: string[]; audit: number }>(
      db,
      stranger,
      async (tx) => {
        const source = selectionSource(tx, {
          ids: [...theirs.ids, mine.ids[0]],
          includeDiscarded: true,
        });
        const experiments: string[] = [];
        for await (const page of source.experiments("experiments.csv")) {
          experiments.push(...page.map((e) => textOf(e).slice(0, 36)));
        }
        const calibrations = (await source.calibrations()).map((c) => c.id);
        let audit = 0;
        for await (const page of source.auditJson()) audit += page.length;
        let csv = "";
        const decoder = new TextDecoder();
        await writeResponsesCsv(source, {
          write: (chunk) => Promise.resolve(void (csv += decoder.decode(chunk, { stream: true }))),
        });
        const csvIds = [
          ...new Set(csv.split("\r\n").slice(1, -1).map((line) => line.slice(0, 36))),
        ];
        return { experiments, calibrations, audit, csvIds };
      },
    );
    deepEqual(seen, {
      experiments: mine.ids,
      calibrations: [mine.calibrationId],
      audit: 3,
      csvIds: mine.ids,
    });
  } finally {
    await db.end();
  }
});

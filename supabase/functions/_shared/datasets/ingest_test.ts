/**
 * Dataset ingest against the real database: a real CSV parser over a file
 * with every kind of bad row, counts and skip reasons with their lines, a
 * resumed ingest after a crash that duplicates nothing, cancellation, and
 * files that cannot be read at all.
 */
import { deepEqual, equal, rejects } from "node:assert/strict";
import { createDatabase } from "../db/client.ts";
import {
  createTestUser,
  databaseUrl,
  dbTest,
  type TestUser,
  withAdmin,
} from "../../tests/harness.ts";
import { ingestDatasetVersion } from "./ingest.ts";
import { MAX_VALUE_CHARS } from "./rows.ts";
import { createDatasetVersion } from "./store.ts";

function callerOf(user: TestUser) {
  return { claims: { sub: user.id, role: "authenticated" }, correlationId: crypto.randomUUID() };
}

function streamOf(bytes: Uint8Array, options: { failAfter?: number; chunk?: number } = {}) {
  const chunk = options.chunk ?? 64;
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (options.failAfter !== undefined && offset >= options.failAfter) {
        controller.error(new Error("connection lost"));
        return;
      }
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + chunk));
      offset += chunk;
    },
  });
}

async function newVersion(
  user: TestUser,
  options: { delimiter?: string; columnMap?: Record<string, string> } = {},
) {
  const [dataset] = await withAdmin((sql) =>
    sql<{ id: string }[]>`insert into public.datasets (user_id, name)
                          values (${user.id}, ${
      "set-" + crypto.randomUUID().slice(0, 8)
    }) returning id`
  );
  const db = createDatabase(databaseUrl, { max: 2 });
  try {
    return await createDatasetVersion(db, callerOf(user), {
      datasetId: dataset.id,
      sourcePath: `${user.id}/prompts.csv`,
      ...options,
    });
  } finally {
    await db.end();
  }
}

const encoder = new TextEncoder();

/** Every bad row the lab reports, with the line each starts on. */
const MESSY = "\uFEFF" + [
  "topic;tone", // 1
  "tides;warm", // 2
  '"multi\nline; quoted";"calm"', // 3-4
  ";", // 5 empty
  "tides;warm", // 6 duplicate of 2
  "only-one-field", // 7 missing tone
  "a;b;c", // 8 malformed: three fields
  `${"x".repeat(MAX_VALUE_CHARS + 1)};long`, // 9 too long
  "=1+2;@formula", // 10 stored as it is (neutralised when written to CSV again)
  "", // 11 empty line
  "last;one", // 12
].join("\r\n") + "\r\n";

Deno.test(
  "an ingest saves good rows and skips each bad one with its reason and line",
  dbTest,
  async () => {
    const user = await createTestUser("ingest");
    const version = await newVersion(user, { delimiter: ";" });
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      const bytes = encoder.encode(MESSY);
      const done = await ingestDatasetVersion(
        { db, open: () => Promise.resolve(streamOf(bytes)), batchRows: 3 },
        callerOf(user),
        version.id,
      );
      equal(done.status, "completed", done.error ?? "");
      equal(done.saved_count, 4);
      equal(done.skipped_count, 6);
      deepEqual(done.skipped_by_reason, {
        empty: 2,
        duplicate: 1,
        missing_column: 1,
        malformed: 1,
        too_long: 1,
      });
      deepEqual(done.columns, ["topic", "tone"]);
      await withAdmin(async (sql) => {
        const items = await sql`select line_number, item_values from public.dataset_items
                                 where dataset_version_id = ${version.id} order by line_number`;
        deepEqual(items.map((i) => [i.line_number, i.item_values]), [
          [2, { topic: "tides", tone: "warm" }],
          [3, { topic: "multi\nline; quoted", tone: "calm" }],
          [10, { topic: "=1+2", tone: "@formula" }],
          [12, { topic: "last", tone: "one" }],
        ]);
        const skips = await sql`select line_number, reason, detail from public.dataset_skips
                                 where dataset_version_id = ${version.id} order by line_number`;
        deepEqual(skips.map((s) => [s.line_number, s.reason]), [
          [5, "empty"],
          [6, "duplicate"],
          [7, "missing_column"],
          [8, "malformed"],
          [9, "too_long"],
          [11, "empty"],
        ]);
        equal(skips[2].detail, "The row has no value for tone");
        equal(skips[3].detail, "The row has 3 fields, the header 2");
      });
    } finally {
      await db.end();
    }
  },
);

Deno.test(
  "a crash mid-file resumes after the last stored line and duplicates nothing",
  dbTest,
  async () => {
    const user = await createTestUser("resume");
    const version = await newVersion(user);
    const lines = ["prompt"];
    for (let i = 1; i <= 300; i++) lines.push(`Prompt number ${i}`);
    const bytes = encoder.encode(lines.join("\n") + "\n");
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      const caller = callerOf(user);
      await rejects(
        ingestDatasetVersion(
          { db, open: () => Promise.resolve(streamOf(bytes, { failAfter: 2000 })), batchRows: 40 },
          caller,
          version.id,
        ),
        /connection lost/,
      );
      const [crashed] = await withAdmin((sql) =>
        sql`select status, checkpoint_line, saved_count from public.dataset_versions where id = ${version.id}`
      );
      equal(crashed.status, "running", "a lost worker leaves the version running");
      equal(
        crashed.saved_count > 0 && crashed.saved_count < 300,
        true,
        `${crashed.saved_count} saved`,
      );

      const done = await ingestDatasetVersion(
        { db, open: () => Promise.resolve(streamOf(bytes)), batchRows: 40 },
        caller,
        version.id,
      );
      equal(done.status, "completed");
      equal(done.saved_count, 300);
      equal(done.skipped_count, 0, "nothing of the first attempt counts as a duplicate");
      const [{ count }] = await withAdmin((sql) =>
        sql`select count(distinct line_number)::int as count from public.dataset_items
             where dataset_version_id = ${version.id}`
      );
      equal(count, 300);
      const again = await ingestDatasetVersion(
        { db, open: () => Promise.reject(new Error("not opened")) },
        caller,
        version.id,
      );
      equal(again.saved_count, 300, "a completed version is returned as it is, without reading");
    } finally {
      await db.end();
    }
  },
);

Deno.test("a cancelled ingest stops at the next batch and can be resumed", dbTest, async () => {
  const user = await createTestUser("cancel");
  const version = await newVersion(user);
  const lines = ["prompt", ...Array.from({ length: 100 }, (_, i) => `Row ${i + 1}`)];
  const bytes = encoder.encode(lines.join("\n"));
  const db = createDatabase(databaseUrl, { max: 2 });
  try {
    let batches = 0;
    const caller = callerOf(user);
    const cancelling = {
      ...db,
      callAsUser: async <T>(...args: Parameters<typeof db.callAsUser>) => {
        const result = await db.callAsUser<T>(...args);
        if (args[1] === "store_dataset_rows" && ++batches === 1) {
          await withAdmin((sql) =>
            sql`update public.dataset_versions set status = 'cancelled' where id = ${version.id}`
          );
        }
        return result;
      },
    };
    const stopped = await ingestDatasetVersion(
      { db: cancelling, open: () => Promise.resolve(streamOf(bytes)), batchRows: 10 },
      caller,
      version.id,
    );
    equal(stopped.status, "cancelled");
    equal(batches, 2, "the batch after the cancel stored nothing and the ingest stopped");
    equal(stopped.saved_count, 10);
    const resumed = await ingestDatasetVersion(
      { db, open: () => Promise.resolve(streamOf(bytes)), batchRows: 10 },
      caller,
      version.id,
    );
    equal(resumed.status, "completed");
    equal(resumed.saved_count, 100);
  } finally {
    await db.end();
  }
});

Deno.test(
  "files that cannot be read fail the version with a message naming the line",
  dbTest,
  async () => {
    const user = await createTestUser("unreadable");
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      const cases: [string, string | Uint8Array, string, Record<string, string>?][] = [
        ["empty", "", "Line 1: the file is empty (no header line)"],
        [
          "blank header",
          "\n\na\n",
          "Line 1: the header is empty (the first line must name the columns)",
        ],
        ["unnamed column", "topic,,tone\nx,y,z\n", "Line 1: column 2 of the header has no name"],
        ["repeated column", "a,a\n1,2\n", 'Line 1: the header names column "a" twice'],
        ["mapped column missing", "a,b\n1,2\n", 'Line 1: the header has no column "subject"', {
          topic: "subject",
        }],
        [
          "not an identifier",
          "first name\nAda\n",
          'Line 1: "first name" cannot be a variable name (letters, digits and _, not starting with a digit); map the column to one',
        ],
      ];
      for (const [label, text, message, columnMap] of cases) {
        const version = await newVersion(user, { columnMap });
        const bytes = typeof text === "string" ? encoder.encode(text) : text;
        const done = await ingestDatasetVersion(
          { db, open: () => Promise.resolve(streamOf(bytes)) },
          callerOf(user),
          version.id,
        );
        equal(done.status, "failed", label);
        equal(done.error, message, label);
      }

      const mixed = await newVersion(user);
      const latin1 = new Uint8Array([
        ...encoder.encode("word\ncaf"),
        0xe9,
        0x0a,
        ...encoder.encode("ok\n"),
      ]);
      const done = await ingestDatasetVersion(
        { db, open: () => Promise.resolve(streamOf(latin1)) },
        callerOf(user),
        mixed.id,
      );
      equal(done.status, "completed");
      deepEqual(done.skipped_by_reason, { malformed: 1 }, "a Latin-1 byte is not UTF-8 text");
      equal(done.saved_count, 1);
    } finally {
      await db.end();
    }
  },
);

/**
 * copyOut against the real database: COPYs read slowly (so postgres.js
 * pauses its socket) leave the transaction usable, and so does one abandoned
 * midway; copyRows on hand-made binary COPY chunks.
 */
import { deepEqual, equal, rejects } from "node:assert/strict";
import { Readable } from "node:stream";
import { createDatabase } from "../../_shared/db/client.ts";
import { createTestUser, databaseUrl, dbTest } from "../../tests/harness.ts";
import { copyOut, copyRows } from "./copy.ts";

const ROWS = 20_000;
const LINE = 102; // comma, 100 x and LF; the row number (1..ROWS) is counted apart

/** Fails instead of hanging when `promise` does not settle in time. */
function settles<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Still waiting: ${what}`)), 60_000);
  });
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}

Deno.test(
  "copyOut leaves the connection ready after slowly read and abandoned COPYs",
  dbTest,
  async () => {
    const user = await createTestUser("copy-out");
    const db = createDatabase(databaseUrl, { max: 1 });
    const context = { claims: { sub: user.id, role: "authenticated" }, correlationId: "copy" };
    try {
      const counts = await settles(
        db.withUser(context, async (tx) => {
          const copy = () =>
            tx`copy (select g, repeat('x', 100) from generate_series(1, ${
              tx.unsafe(String(ROWS))
            }) g)
               to stdout with (format csv)`;
          const bytes: number[] = [];
          for (let pass = 0; pass < 3; pass++) {
            let total = 0;
            let chunks = 0;
            for await (const chunk of copyOut(copy())) {
              total += chunk.byteLength;
              // Yield to the event loop now and then, so the stream's buffer fills.
              if (++chunks % 200 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
            }
            bytes.push(total);
            const [{ n }] = await tx<{ n: number }[]>`select ${pass}::int as n`;
            equal(n, pass, "the statement after the COPY runs");
          }
          let read = 0;
          for await (const _ of copyOut(copy())) if (++read === 10) break;
          const [{ one }] = await tx<{ one: number }[]>`select 1 as one`;
          equal(one, 1, "the statement after an abandoned COPY runs");
          return bytes;
        }),
        "three COPYs and the commit",
      );
      const digits = Array.from({ length: ROWS }, (_, i) => String(i + 1).length)
        .reduce((a, b) => a + b, 0);
      equal(counts.length, 3);
      for (const total of counts) equal(total, ROWS * LINE + digits);
      await rejects(
        settles(
          db.withUser(context, async (tx) => {
            for await (
              const _ of copyOut(
                tx`copy (select 1 / (g - 5) from generate_series(1, 10) g) to stdout`,
              )
            ) {
              // read until the division by zero
            }
          }),
          "a failing COPY",
        ),
        /division by zero/,
      );
    } finally {
      await db.end();
    }
  },
);

const HEADER = [
  0x50,
  0x47,
  0x43,
  0x4f,
  0x50,
  0x59,
  0x0a,
  0xff,
  0x0d,
  0x0a,
  0x00,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
];
const TRAILER = [0xff, 0xff];

/** One binary COPY tuple of `fields` (null for NULL). */
function tuple(fields: (string | null)[]): number[] {
  const out = [0, fields.length];
  for (const field of fields) {
    if (field === null) out.push(0xff, 0xff, 0xff, 0xff);
    else {
      const bytes = new TextEncoder().encode(field);
      out.push(0, 0, 0, bytes.length, ...bytes);
    }
  }
  return out;
}

async function* chunks(...messages: number[][]): AsyncGenerator<Uint8Array> {
  for (const message of messages) yield new Uint8Array(message);
}

async function read(messages: number[][]): Promise<(string | null)[][]> {
  const rows: (string | null)[][] = [];
  for await (const page of copyRows(chunks(...messages))) {
    for (const row of page) {
      rows.push(row.map((f) => (f === null ? null : new TextDecoder().decode(f))));
    }
  }
  return rows;
}

Deno.test("copyRows reads one tuple per chunk, the first after the header, nulls as null", async () => {
  deepEqual(
    await read([[...HEADER, ...tuple(["a", null])], tuple(["é", ""]), TRAILER]),
    [["a", null], ["é", ""]],
  );
});

Deno.test("copyRows of no rows is nothing (header and trailer in one chunk)", async () => {
  deepEqual(await read([[...HEADER, ...TRAILER]]), []);
});

Deno.test("copyRows fails on a chunk that is not one whole tuple, and on a missing header", async () => {
  const row = tuple(["abc"]);
  await rejects(
    read([[...HEADER, ...row.slice(0, 5)], row.slice(5), TRAILER]),
    /not one whole row/,
  );
  await rejects(read([[...HEADER, ...row, ...row], TRAILER]), /not one whole row/);
  await rejects(read([row, TRAILER]), /no file header/);
  await rejects(read([[...HEADER, ...row]]), /no trailer/);
});

Deno.test("copyOut ends cleanly when the connection is gone by the time it resumes the socket", async () => {
  const stream = Readable.from([new Uint8Array([1]), new Uint8Array([2])]);
  const pull = stream._read.bind(stream);
  // postgres.js's COPY stream resumes a socket that a closed connection no longer has.
  stream._read = (size: number) => {
    if (stream.readableEnded) {
      throw new TypeError("Cannot read properties of null (reading 'resume')");
    }
    return pull(size);
  };
  const seen: number[] = [];
  for await (const chunk of copyOut({ readable: () => Promise.resolve(stream) })) {
    seen.push(chunk[0]);
  }
  deepEqual(seen, [1, 2]);
});

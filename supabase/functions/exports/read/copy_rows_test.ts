import { deepEqual, rejects } from "node:assert/strict";
import { copyRows } from "./copy_rows.ts";

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

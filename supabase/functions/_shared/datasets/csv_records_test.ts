/**
 * Reading a CSV again from a record's end: the records after it come back
 * exactly as a read from the start gives them (lines, fields, offsets), for
 * every record of a file with a BOM, CRLF, a quoted line break, multi-byte
 * text and a loose quote.
 */
import { deepEqual } from "node:assert/strict";
import { type CsvRecord, csvRecords, type CsvSkip } from "./csv_records.ts";

const FILE = "\uFEFF" + [
  "topic,tone", // 1
  "tides,warm", // 2
  '"multi\nline, quoted","ça va"', // 3-4
  ",", // 5
  'loose,"quote" inside"', // 6
  "émoji 🌊,calm", // 7
  "last,one", // 8
].join("\r\n") + "\r\n";

async function readAll(bytes: Uint8Array, from?: { byte: number; line: number }) {
  const out: (CsvRecord | CsvSkip)[] = [];
  for await (const record of csvRecords(new Blob([bytes as BlobPart]).stream(), { from })) {
    out.push(record);
  }
  return out;
}

Deno.test("a read resumed after any record gives the rest as a read from the start", async () => {
  const bytes = new TextEncoder().encode(FILE);
  const all = await readAll(bytes);
  const records = all.filter((r): r is CsvRecord => r.kind === "record");
  deepEqual(records.map((r) => r.line), [1, 2, 3, 5, 6, 7, 8]);
  deepEqual(records.at(-1)!.end, bytes.byteLength);
  for (const [i, record] of all.entries()) {
    if (record.kind !== "record") continue;
    const rest = await readAll(bytes, { byte: record.end, line: record.nextLine });
    deepEqual(rest, all.slice(i + 1), `resumed after line ${record.line}`);
  }
});

import { equal } from "node:assert/strict";
import fc from "fast-check";
import { csvText } from "./csv.ts";
import { crlfRecords } from "./crlf_records.ts";
import type { ByteSink } from "./sink.ts";

function collecting(): ByteSink & { text(): string } {
  const chunks: Uint8Array[] = [];
  return {
    write(chunk) {
      chunks.push(chunk.slice());
      return Promise.resolve();
    },
    text: () => new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c]))),
  };
}

async function converted(input: string, split: number[], size?: number) {
  const sink = collecting();
  const out = crlfRecords(sink, { size });
  const bytes = new TextEncoder().encode(input);
  let from = 0;
  for (const at of [...split.filter((n) => n < bytes.length).sort((a, b) => a - b), bytes.length]) {
    await out.write(bytes.subarray(from, Math.max(from, at)));
    from = Math.max(from, at);
  }
  await out.flush();
  return { text: sink.text(), records: out.records };
}

Deno.test("crlfRecords ends records with CRLF and leaves line breaks inside quotes alone", async () => {
  const copy = 'a,"say ""hi""",c\n"two\nlines","cr\ronly",\n,"x\n\n"\n';
  const { text, records } = await converted(copy, []);
  equal(text, 'a,"say ""hi""",c\r\n"two\nlines","cr\ronly",\r\n,"x\n\n"\r\n');
  equal(records, 3);
});

Deno.test("crlfRecords gives csv.ts's text whatever the chunks and buffer size", async () => {
  const cell = fc.oneof(fc.constantFrom("", '"', ",", "\n", "\r", "\r\n", '""'), fc.string());
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { maxLength: 6 }),
      fc.array(fc.nat(200), { maxLength: 8 }),
      fc.integer({ min: 2, max: 64 }),
      async (rows, split, size) => {
        // COPY's quoting is RFC 4180's; only the record end differs.
        const expected = csvText(
          rows,
          rows[0]?.map((_, i) => ({ header: "", value: (r) => r[i] ?? "" })) ?? [],
          {
            header: false,
          },
        );
        const copy = expected.replaceAll(
          /("(?:[^"]|"")*"|[^",\r\n]*)(,|\r\n)/g,
          (_, c, end) => c + (end === "," ? "," : "\n"),
        );
        const { text, records } = await converted(copy, split, size);
        equal(text, expected);
        equal(records, rows.length);
      },
    ),
  );
});

import { equal, rejects } from "node:assert/strict";
import { crlfRecords } from "./csv.ts";
import type { ByteSink } from "./measure.ts";

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

const encoder = new TextEncoder();

Deno.test("crlfRecords ends each row with CRLF and leaves line breaks inside quotes alone", async () => {
  const rows = ['a,"say ""hi""",c\n', '"two\nlines","cr\ronly",\n', ',"x\n\n"\n'];
  for (const size of [4, 16, 1024]) {
    const sink = collecting();
    const out = crlfRecords(sink, { size });
    for (const row of rows) await out.write(encoder.encode(row));
    await out.flush();
    equal(
      sink.text(),
      'a,"say ""hi""",c\r\n"two\nlines","cr\ronly",\r\n,"x\n\n"\r\n',
      `size ${size}`,
    );
    equal(out.records, 3);
  }
});

Deno.test("crlfRecords refuses a chunk that is not one whole row", async () => {
  const out = crlfRecords(collecting());
  await rejects(out.write(encoder.encode('a,"b')), /not one whole row/);
});

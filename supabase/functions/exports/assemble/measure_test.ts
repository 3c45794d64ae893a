import { equal, ok as assert } from "node:assert/strict";
import { measuringSink, textWriter, writeText } from "./measure.ts";
import { memorySink, sha256Hex } from "../testing/fixtures.ts";

Deno.test("measuringSink forwards every chunk and measures size and SHA-256 incrementally", async () => {
  const inner = memorySink();
  const sink = measuringSink(inner);
  await writeText(sink, "héllo, ");
  await sink.write(new Uint8Array(0));
  await writeText(sink, "world");
  const measure = sink.measure();
  equal(inner.text(), "héllo, world");
  equal(measure.bytes, inner.bytes().byteLength);
  equal(measure.sha256, await sha256Hex(inner.bytes()));
});

Deno.test("measuringSink of nothing is the SHA-256 of the empty string", () => {
  equal(
    measuringSink().measure().sha256,
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
});

Deno.test("textWriter passes text on in buffer-sized writes, reusing its buffer", async () => {
  const inner = memorySink();
  const lent: Uint8Array[] = [];
  const out = textWriter({
    write(chunk) {
      lent.push(chunk);
      return inner.write(chunk);
    },
  }, { size: 16 });
  for (const text of ["héllo", ", ", "wörld", "!", "\r\n"]) await out.write(text);
  await out.flush();
  await out.flush();
  equal(inner.text(), "héllo, wörld!\r\n");
  assert(inner.writes.length >= 2, `${inner.writes.length} writes`);
  assert(inner.writes.every((n) => n <= 16), "no write is larger than the buffer");
  equal(new Set(lent.map((chunk) => chunk.buffer)).size, 1, "every write lends the same buffer");
});

Deno.test("textWriter writes a text larger than its buffer on its own, in order", async () => {
  const inner = memorySink();
  const out = textWriter(inner, { size: 8 });
  await out.write("ab");
  await out.write("0123456789✓");
  await out.write("cd");
  await out.flush();
  equal(inner.text(), "ab0123456789✓cd");
});

Deno.test("textWriter takes bytes as they are, between texts and larger than its buffer", async () => {
  const inner = memorySink();
  const out = textWriter(inner, { size: 8 });
  const encode = (text: string) => new TextEncoder().encode(text);
  await out.write("a");
  await out.write(encode("ü,"));
  await out.write(encode("0123456789"));
  await out.write("z");
  await out.flush();
  equal(inner.text(), "aü,0123456789z");
});

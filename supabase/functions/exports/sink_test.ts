import { equal, ok as assert, rejects } from "node:assert/strict";
import { createTempFile, measuringSink, textWriter, writeText } from "./sink.ts";
import { memorySink, sha256Hex } from "./test_fixtures.ts";

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

Deno.test("a temp file keeps what was written, streams it back and is removed", async () => {
  const file = await createTempFile({ suffix: ".csv" });
  try {
    await writeText(file, "a,b\r\n");
    await writeText(file, "1,2\r\n");
    const measure = await file.finish();
    equal(measure.bytes, 10);
    const text = await new Response(await file.readable()).text();
    equal(text, "a,b\r\n1,2\r\n");
    equal(measure.sha256, await sha256Hex(new TextEncoder().encode(text)));
  } finally {
    await file.remove();
  }
  await rejects(Deno.stat(file.path), Deno.errors.NotFound);
  await file.remove();
});

Deno.test("removing a temp file closes a stream that was never read", async () => {
  const file = await createTempFile();
  await writeText(file, "x");
  await file.finish();
  await file.readable();
  await file.remove();
  await rejects(Deno.stat(file.path), Deno.errors.NotFound);
});

Deno.test("removing a temp file midway through writing discards it", async () => {
  const file = await createTempFile();
  await writeText(file, "partial");
  await file.remove();
  await rejects(Deno.stat(file.path), Deno.errors.NotFound);
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

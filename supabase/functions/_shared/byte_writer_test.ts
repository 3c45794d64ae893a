import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { bufferedWriter, type ByteSink, writeText } from "./byte_writer.ts";

/** A sink that keeps a copy of every chunk, recording each write's size. */
function memorySink(): ByteSink & { text(): string; writes: number[] } {
  const chunks: Uint8Array[] = [];
  const writes: number[] = [];
  return {
    writes,
    write(chunk) {
      chunks.push(chunk.slice());
      writes.push(chunk.byteLength);
      return Promise.resolve();
    },
    text: () => new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c]))),
  };
}

Deno.test("writeText writes UTF-8 and nothing for an empty text", async () => {
  const sink = memorySink();
  await writeText(sink, "");
  await writeText(sink, "héllo");
  equal(sink.text(), "héllo");
  equal(sink.writes.length, 1);
});

Deno.test("bufferedWriter passes text on in buffer-sized writes, reusing its buffer", async () => {
  const inner = memorySink();
  const lent: Uint8Array[] = [];
  const out = bufferedWriter({
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

Deno.test("bufferedWriter writes a text larger than its buffer on its own, in order", async () => {
  const inner = memorySink();
  const out = bufferedWriter(inner, { size: 8 });
  await out.write("ab");
  await out.write("0123456789✓");
  await out.write("cd");
  await out.flush();
  equal(inner.text(), "ab0123456789✓cd");
});

Deno.test("bufferedWriter takes bytes as they are, between texts and larger than its buffer", async () => {
  const inner = memorySink();
  const out = bufferedWriter(inner, { size: 8 });
  const encode = (text: string) => new TextEncoder().encode(text);
  await out.write("a");
  await out.write(encode("ü,"));
  await out.write(encode("0123456789"));
  await out.write("z");
  await out.flush();
  equal(inner.text(), "aü,0123456789z");
});

Deno.test("bufferedWriter.readFrom reads a byte stream straight into full-buffer writes", async () => {
  const inner = memorySink();
  const out = bufferedWriter(inner, { size: 8 });
  const bytes = new TextEncoder().encode("0123456789abcdefghij");
  let at = 0;
  const stream = new ReadableStream({
    type: "bytes",
    pull(controller) {
      const view = controller.byobRequest!.view!;
      const n = Math.min(3, view.byteLength, bytes.byteLength - at);
      if (n === 0) {
        controller.close();
        controller.byobRequest!.respond(0);
        return;
      }
      new Uint8Array(view.buffer, view.byteOffset, n).set(bytes.subarray(at, at + n));
      at += n;
      controller.byobRequest!.respond(n);
    },
  });
  const reader = stream.getReader({ mode: "byob" });
  while (!(await out.readFrom(reader)));
  await out.flush();
  equal(inner.text(), "0123456789abcdefghij");
  deepEqual(inner.writes, [8, 8, 4], "the stream is read into the buffer, passed on when full");
});

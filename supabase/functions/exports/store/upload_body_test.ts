import { deepEqual, equal, rejects } from "node:assert/strict";
import { uploadBody } from "./upload_body.ts";

/** Writes `count` chunks of one reused buffer, each filled with its number. */
async function writeNumbered(sink: ReturnType<typeof uploadBody>, count: number, size: number) {
  const buffer = new Uint8Array(size);
  for (let i = 0; i < count; i++) {
    buffer.fill(i);
    await sink.write(buffer);
  }
  sink.close();
}

function numbered(count: number, size: number): number[] {
  return Array.from({ length: count * size }, (_, at) => Math.floor(at / size));
}

Deno.test("uploadBody hands every byte to a BYOB reader, however its buffer is cut", async () => {
  const sink = uploadBody();
  const reader = sink.readable.getReader({ mode: "byob" });
  const writing = writeNumbered(sink, 5, 300);
  const read: number[] = [];
  while (true) {
    const { value, done } = await reader.read(new Uint8Array(128));
    if (value) read.push(...value);
    if (done) break;
  }
  await writing;
  deepEqual(read, numbered(5, 300));
});

Deno.test("uploadBody copies for a default reader, so the writer may reuse its buffer", async () => {
  const sink = uploadBody();
  const writing = writeNumbered(sink, 4, 64);
  const bytes = new Uint8Array(await new Response(sink.readable).arrayBuffer());
  await writing;
  deepEqual([...bytes], numbered(4, 64));
});

Deno.test("uploadBody.abort errors the stream, so the upload never ends normally", async () => {
  const sink = uploadBody();
  const reading = new Response(sink.readable).arrayBuffer();
  await sink.write(new Uint8Array([1, 2, 3]));
  sink.abort(new Error("connection lost"));
  await rejects(reading, /connection lost/);
  await rejects(sink.write(new Uint8Array([4])), /connection lost/);
});

Deno.test("a reader that gives up rejects the write waiting on it", async () => {
  const sink = uploadBody();
  const reader = sink.readable.getReader();
  const first = reader.read();
  await sink.write(new Uint8Array(8));
  equal((await first).value?.byteLength, 8);
  const waiting = sink.write(new Uint8Array([9]));
  await reader.cancel(new Error("upload refused"));
  await rejects(waiting, /upload refused/);
});

import assert from "node:assert/strict";
import { multipartBoundary, readMultipartFile } from "./multipart.ts";

/** The body storage-js sends for a Blob: text fields, then the file under the empty name. */
function storageJsForm(
  file: Blob,
  fields: Record<string, string> = { cacheControl: "3600" },
): Request {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("", file);
  return new Request("http://storage.test/", { method: "POST", body: form });
}

/** Re-chunks a stream into pieces of `size` bytes so boundaries straddle chunks. */
function rechunk(stream: ReadableStream<Uint8Array>, size: number): ReadableStream<Uint8Array> {
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        for (let i = 0; i < chunk.length; i += size) controller.enqueue(chunk.slice(i, i + size));
      },
    }),
  );
}

Deno.test("multipartBoundary: plain and quoted boundaries", () => {
  assert.equal(multipartBoundary("multipart/form-data; boundary=----abc"), "----abc");
  assert.equal(multipartBoundary('multipart/form-data; boundary="a b"'), "a b");
  assert.equal(multipartBoundary("multipart/form-data"), null);
});

Deno.test("readMultipartFile: reads storage-js's fields and streams the unnamed file byte for byte", async () => {
  const bytes = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
  for (const chunkSize of [3, 4096, 1 << 20]) {
    const request = storageJsForm(new Blob([bytes], { type: "text/csv" }), {
      cacheControl: "60",
      contentType: "application/json",
    });
    const file = await readMultipartFile(
      rechunk(request.body!, chunkSize),
      request.headers.get("content-type")!,
    );
    assert.ok(file);
    assert.equal(file.fields.get("cacheControl"), "60");
    assert.equal(file.fields.get("contentType"), "application/json");
    assert.equal(file.contentType, "text/csv");
    assert.deepEqual(
      new Uint8Array(await new Response(file.body).arrayBuffer()),
      bytes,
      `chunks of ${chunkSize}`,
    );
  }
});

Deno.test("readMultipartFile: an empty file, a form without a file and a truncated body", async () => {
  const empty = storageJsForm(new Blob([]));
  const file = await readMultipartFile(empty.body!, empty.headers.get("content-type")!);
  assert.equal((await new Response(file!.body).arrayBuffer()).byteLength, 0);

  const form = new FormData();
  form.append("cacheControl", "1");
  const noFile = new Request("http://storage.test/", { method: "POST", body: form });
  assert.equal(await readMultipartFile(noFile.body!, noFile.headers.get("content-type")!), null);

  const whole = storageJsForm(new Blob([new Uint8Array(100)]));
  const text = new Uint8Array(await whole.arrayBuffer());
  const truncated = new Response(text.slice(0, text.length - 60)).body!;
  const cut = await readMultipartFile(truncated, whole.headers.get("content-type")!);
  await assert.rejects(new Response(cut!.body).arrayBuffer());

  await assert.rejects(
    readMultipartFile(new Response("garbage").body!, "multipart/form-data; boundary=x"),
    {
      message: "No content provided",
    },
  );
});

Deno.test("readMultipartFile: a text field over the cap is EntityTooLarge", async () => {
  const request = storageJsForm(new Blob(["x"]), { metadata: "y".repeat(5000) });
  await assert.rejects(
    readMultipartFile(request.body!, request.headers.get("content-type")!, 1024),
    { code: "EntityTooLarge" },
  );
});

import assert from "node:assert/strict";
import { assertAllowedMimeType, readIncomingFile } from "./upload.ts";

Deno.test("assertAllowedMimeType: exact types and type/* match; parameters are not stripped, as in Storage", () => {
  assertAllowedMimeType("text/csv", ["text/csv", "application/json"]);
  assertAllowedMimeType("image/png", ["image/*"]);
  assert.throws(() => assertAllowedMimeType("text/plain", ["text/csv"]), {
    code: "InvalidMimeType",
    httpStatusCode: 415,
    error: "invalid_mime_type",
    message: "mime type text/plain is not supported",
  });
  assert.throws(() => assertAllowedMimeType("text/csv; charset=utf-8", ["text/csv"]), {
    code: "InvalidMimeType",
  });
  assert.throws(() => assertAllowedMimeType("csv", ["text/csv"]), { code: "InvalidMimeType" });
});

Deno.test("readIncomingFile: a raw body keeps its content-type and cache-control, defaults as Storage", async () => {
  const raw = await readIncomingFile(
    new Request("http://s/", {
      method: "POST",
      body: "a",
      headers: { "content-type": "text/csv", "cache-control": "max-age=60" },
    }),
    10,
  );
  assert.equal(raw.mimeType, "text/csv");
  assert.equal(raw.cacheControl, "max-age=60");
  assert.equal(await new Response(raw.body).text(), "a");

  const bare = await readIncomingFile(
    new Request("http://s/", { method: "POST", body: new Uint8Array([1]) }),
    10,
  );
  assert.equal(bare.mimeType, "application/octet-stream");
  assert.equal(bare.cacheControl, "no-cache");
  await bare.body.cancel();
});

Deno.test("readIncomingFile: a declared length over the limit is refused before reading", async () => {
  const request = new Request("http://s/", {
    method: "POST",
    body: "0123456789AB",
    headers: { "content-type": "text/csv", "content-length": "12" },
  });
  await assert.rejects(readIncomingFile(request, 10), {
    code: "EntityTooLarge",
    message: "The object exceeded the maximum allowed size",
  });
});

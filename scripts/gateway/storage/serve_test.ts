import assert from "node:assert/strict";
import { contentDisposition, parseRange } from "./serve.ts";

Deno.test("contentDisposition: bare attachment, or the encoded file name without a trailing ';' (real Storage, D02/D03)", () => {
  assert.equal(contentDisposition(null), null);
  assert.equal(contentDisposition(""), "attachment;");
  assert.equal(
    contentDisposition("my file.csv"),
    "attachment; filename=my%20file.csv; filename*=UTF-8''my%20file.csv",
  );
});

Deno.test("parseRange: byte ranges as HTTP defines them, clamped to the size", () => {
  assert.deepEqual(parseRange("bytes=0-3", 32), { start: 0, end: 3 });
  assert.deepEqual(parseRange("bytes=2-5", 32), { start: 2, end: 5 });
  assert.deepEqual(parseRange("bytes=30-", 32), { start: 30, end: 31 });
  assert.deepEqual(parseRange("bytes=-4", 32), { start: 28, end: 31 });
  assert.deepEqual(parseRange("bytes=10-99", 32), { start: 10, end: 31 });
  assert.equal(parseRange("bytes=32-", 32), "unsatisfiable");
  assert.equal(parseRange(null, 32), null);
  assert.equal(parseRange("bytes=0-1,4-5", 32), null);
  assert.equal(parseRange("items=0-1", 32), null);
});

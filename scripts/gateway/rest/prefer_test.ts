import assert from "node:assert/strict";
import { effectivePage, parsePrefer, preferenceApplied, rangeAnswer } from "./prefer.ts";
import { RestError } from "./errors.ts";

Deno.test("parsePrefer reads what supabase-js sends, comma-separated", () => {
  const prefs = parsePrefer("return=representation,resolution=merge-duplicates, count=exact");
  assert.deepEqual(prefs, { return: "representation", resolution: "merge", count: true });
  assert.equal(
    preferenceApplied(prefs),
    "return=representation, resolution=merge-duplicates, count=exact",
  );
  assert.deepEqual(parsePrefer(null), { return: null, resolution: null, count: false });
  assert.equal(parsePrefer("resolution=ignore-duplicates").resolution, "ignore");
});

Deno.test("effectivePage intersects the Range header with limit and offset, as PostgREST's restrictRange", () => {
  assert.deepEqual(effectivePage("0-9", {}), { limit: 10 });
  assert.deepEqual(effectivePage("10-", {}), { offset: 10 });
  assert.deepEqual(effectivePage("0-9", { limit: 3 }), { limit: 3 });
  assert.deepEqual(effectivePage(null, { limit: 2, offset: 4 }), { limit: 2, offset: 4 });
  assert.deepEqual(effectivePage("5-9", { offset: 2 }), { limit: 5, offset: 5 });
});

Deno.test("rangeAnswer: 200 for everything, 206 for part of a counted total, 416 past the end (rangeStatusHeader)", () => {
  assert.deepEqual(rangeAnswer(0, 5, 5), { status: 200, contentRange: "0-4/5" });
  assert.deepEqual(rangeAnswer(1, 2, 5), { status: 206, contentRange: "1-2/5" });
  assert.deepEqual(rangeAnswer(0, 2, null), { status: 200, contentRange: "0-1/*" });
  assert.deepEqual(rangeAnswer(0, 0, 0), { status: 200, contentRange: "*/0" });
  assert.deepEqual(rangeAnswer(5, 0, 5), { status: 206, contentRange: "*/5" });
  assert.throws(
    () => rangeAnswer(10, 0, 5),
    (error: unknown) =>
      error instanceof RestError && error.status === 416 && error.code === "PGRST103",
  );
});

import { equal } from "node:assert/strict";
import { storableText } from "./storable_text.ts";

Deno.test("storableText drops NUL, replaces lone surrogates and cuts at the limit", () => {
  const options = { maxLength: 5, fallback: "/" };
  equal(storableText("/a\0b", options), "/ab");
  equal(storableText("\ud800x", options), "\ufffdx");
  equal(storableText("\0", options), "/");
  equal(storableText("abcd\ud83d\ude00", options), "abcd\ufffd");
  equal(storableText("/exports/:id", { maxLength: 200, fallback: "/" }), "/exports/:id");
});

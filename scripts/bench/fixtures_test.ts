import assert from "node:assert/strict";
import { parseServerTiming } from "./fixtures.ts";

Deno.test("parseServerTiming reads durations and counts", () => {
  assert.deepEqual(
    parseServerTiming(
      'jwt;dur=0.21;desc="1x max 0.21", model.call;dur=8.00;desc="4x max 2.50", total;dur=9.10',
    ),
    {
      jwt: { ms: 0.21, count: 1 },
      "model.call": { ms: 8, count: 4 },
      total: { ms: 9.1, count: 1 },
    },
  );
});

Deno.test("parseServerTiming returns nothing for a missing header", () => {
  assert.deepEqual(parseServerTiming(null), {});
});

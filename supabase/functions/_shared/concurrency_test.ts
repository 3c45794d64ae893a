import assert from "node:assert/strict";
import { mapLimited } from "./concurrency.ts";

Deno.test("mapLimited keeps the order and never runs more than the limit at once", async () => {
  let running = 0;
  let peak = 0;
  const results = await mapLimited([5, 1, 4, 2, 3, 0], 2, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((resolve) => setTimeout(resolve, n));
    running--;
    return n * 10;
  });
  assert.deepEqual(results, [50, 10, 40, 20, 30, 0]);
  assert.equal(peak, 2);
  assert.deepEqual(await mapLimited([], 4, () => Promise.resolve(1)), []);
});

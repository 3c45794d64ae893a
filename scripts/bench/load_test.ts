import assert from "node:assert/strict";
import { runLoad } from "./load.ts";

Deno.test("runLoad sends each request once and records one latency per success", async () => {
  const seen: number[] = [];
  const result = await runLoad({
    concurrency: 3,
    requests: 10,
    send: async (i) => {
      seen.push(i);
      await Promise.resolve();
    },
  });
  assert.deepEqual([...seen].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(result.latencies.length, 10);
  assert.equal(result.errors, 0);
  assert.equal(result.firstError, null);
});

Deno.test("runLoad never has more requests in flight than its concurrency", async () => {
  let inFlight = 0;
  let most = 0;
  await runLoad({
    concurrency: 4,
    requests: 20,
    send: async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
    },
  });
  assert.equal(most, 4);
});

Deno.test("runLoad counts failures and keeps the first message", async () => {
  const result = await runLoad({
    concurrency: 1,
    requests: 4,
    send: (i) => i % 2 === 0 ? Promise.reject(new Error(`failed ${i}`)) : Promise.resolve(),
  });
  assert.equal(result.errors, 2);
  assert.equal(result.firstError, "failed 0");
  assert.equal(result.latencies.length, 2);
});

Deno.test("runLoad refuses a concurrency below one", async () => {
  await assert.rejects(
    runLoad({ concurrency: 0, requests: 1, send: () => Promise.resolve() }),
    /at least 1/,
  );
});

import assert from "node:assert/strict";
import { planFromArgs } from "./options.ts";

Deno.test("the full plan runs every item at the issue's sizes", () => {
  const plan = planFromArgs([]);
  assert.equal(plan.mode, "full");
  assert.deepEqual(plan.items, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]);
  assert.deepEqual([plan.arenas.testers, plan.arenas.fitVotes], [50, 20_000]);
  assert.equal(plan.ingest.rows, 100_000);
  assert.equal(plan.batchRun.items, 1_000);
  assert.equal(plan.metrics.rows, 10_000_000);
  assert.deepEqual(plan.scale.sizes, [1_000, 100_000, 1_000_000]);
  assert.deepEqual(plan.exports.sizes, [10_000, 100_000]);
  assert.equal(plan.exportJobs.size, 100_000);
  assert.deepEqual(plan.overhead.concurrency, [1, 8]);
  assert.deepEqual(plan.overlap.counts, [1, 4, 10]);
  assert.equal(plan.outPath, "bench/results.json");
});

Deno.test("--quick shrinks sizes and repetitions", () => {
  const plan = planFromArgs(["--quick"]);
  assert.equal(plan.mode, "quick");
  assert.ok(plan.scale.sizes.at(-1)! < 1_000_000);
  assert.equal(plan.wholeTestSuite, false);
});

Deno.test("--only selects items and --out moves the results file", () => {
  assert.deepEqual(planFromArgs(["--only=3,5"]).items, ["3", "5"]);
  assert.deepEqual(planFromArgs(["--only", "1"]).items, ["1"]);
  assert.equal(planFromArgs(["--out=/tmp/r.json"]).outPath, "/tmp/r.json");
});

Deno.test("unknown options and items are refused", () => {
  assert.throws(() => planFromArgs(["--only=13"]), /Invalid --only: "13"/);
  assert.throws(() => planFromArgs(["--fast"]), /Unknown option: --fast/);
});

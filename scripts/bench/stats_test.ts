import assert from "node:assert/strict";
import { median, medianOf, quantile, summarize, throughput } from "./stats.ts";

Deno.test("quantile interpolates between the closest ranks", () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([4, 1, 3, 2], 0), 1);
  assert.equal(quantile([4, 1, 3, 2], 1), 4);
  assert.equal(quantile([10], 0.99), 10);
  assert.ok(Math.abs(quantile(Array.from({ length: 101 }, (_, i) => i), 0.99) - 99) < 1e-9);
});

Deno.test("quantile refuses empty series and out-of-range q", () => {
  assert.throws(() => quantile([], 0.5), /no samples/);
  assert.throws(() => quantile([1], 1.5), /within \[0, 1\]/);
});

Deno.test("median does not reorder its input", () => {
  const samples = [5, 1, 3];
  assert.equal(median(samples), 3);
  assert.deepEqual(samples, [5, 1, 3]);
});

Deno.test("summarize reports count, p50, p99, min and max", () => {
  const summary = summarize([3, 1, 2]);
  assert.deepEqual({ n: summary.n, p50: summary.p50, min: summary.min, max: summary.max }, {
    n: 3,
    p50: 2,
    min: 1,
    max: 3,
  });
  assert.ok(summary.p99 > 2.9 && summary.p99 <= 3);
});

Deno.test("throughput is items per second and needs a positive duration", () => {
  assert.equal(throughput(500, 250), 2000);
  assert.throws(() => throughput(1, 0), /must be positive/);
});

Deno.test("medianOf takes each field's median over runs", () => {
  assert.deepEqual(medianOf([{ p50: 3, p99: 9 }, { p50: 1, p99: 7 }, { p50: 2, p99: 8 }]), {
    p50: 2,
    p99: 8,
  });
  assert.throws(() => medianOf([]), /no runs/);
});

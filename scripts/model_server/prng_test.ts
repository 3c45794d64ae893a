import assert from "node:assert/strict";
import { createRandom, hashText, mulberry32 } from "./prng.ts";

function draw(random: () => number, count: number): number[] {
  return Array.from({ length: count }, () => random());
}

Deno.test("hashText is stable and sensitive to every character", () => {
  assert.deepEqual(hashText("seed 7"), hashText("seed 7"));
  assert.notDeepEqual(hashText("seed 7"), hashText("seed 8"));
  assert.deepEqual(hashText(""), 0x811c9dc5);
});

Deno.test("mulberry32 repeats its sequence for a seed and differs across seeds", () => {
  assert.deepEqual(draw(mulberry32(1), 5), draw(mulberry32(1), 5));
  assert.notDeepEqual(draw(mulberry32(1), 5), draw(mulberry32(2), 5));
});

Deno.test("mulberry32 draws stay in [0, 1) and spread across the interval", () => {
  const values = draw(mulberry32(99), 2000);
  assert(values.every((value) => value >= 0 && value < 1));
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  assert(Math.abs(mean - 0.5) < 0.05, `mean ${mean} is far from 0.5`);
});

Deno.test("createRandom is reproducible with a key and varies without one", () => {
  assert.deepEqual(draw(createRandom("k"), 3), draw(createRandom("k"), 3));
  const unkeyed = new Set(Array.from({ length: 5 }, () => createRandom()()));
  assert(unkeyed.size > 1);
});

import assert from "node:assert/strict";
import fc from "fast-check";
import { designParameterSets, mulberry32, seedFrom } from "./parameter_design.ts";
import {
  PARAMETER_BOUNDS,
  PARAMETER_NAMES,
  type ParameterName,
  type ParameterRanges,
  parameterSetSchema,
} from "./parameters.ts";

const RANGES: ParameterRanges = {
  temperature: { min: 0.2, max: 1.2 },
  top_p: { min: 0.8, max: 1 },
  max_tokens: { min: 256, max: 1024 },
  frequency_penalty: { min: 0, max: 0.5 },
};

function stratumOf(
  value: number,
  range: { min: number; max: number },
  count: number,
): number {
  return Math.min(
    count - 1,
    Math.floor(((value - range.min) / (range.max - range.min)) * count),
  );
}

/** Valid ranges on the storage grid (2 decimals, integer max_tokens), within bounds. */
function rangeArbitrary(
  name: ParameterName,
  minWidth = 0,
): fc.Arbitrary<{ min: number; max: number }> {
  const { min, max } = PARAMETER_BOUNDS[name];
  const scale = name === "max_tokens" ? 1 : 100;
  const low = Math.round(min * scale);
  const high = Math.round(max * scale);
  return fc
    .integer({ min: low, max: high - minWidth * scale })
    .chain((a) =>
      fc.integer({ min: a + minWidth * scale, max: high }).map((b) => ({
        min: a / scale,
        max: b / scale,
      }))
    );
}

function rangesArbitrary(
  minWidths: Partial<Record<ParameterName, number>> = {},
) {
  return fc.record({
    temperature: rangeArbitrary("temperature", minWidths.temperature),
    top_p: rangeArbitrary("top_p", minWidths.top_p),
    max_tokens: rangeArbitrary("max_tokens", minWidths.max_tokens),
    frequency_penalty: rangeArbitrary(
      "frequency_penalty",
      minWidths.frequency_penalty,
    ),
  });
}

const countArbitrary = fc.integer({ min: 1, max: 10 });
const seedArbitrary = fc.integer({ min: 0, max: 2 ** 32 - 1 });

Deno.test("mulberry32 is deterministic, seed-dependent and in [0, 1)", () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const first = Array.from({ length: 5 }, () => a());
  assert.deepEqual(Array.from({ length: 5 }, () => b()), first);
  assert.notDeepEqual(Array.from({ length: 5 }, mulberry32(43)), first);
  const draws = Array.from({ length: 1000 }, mulberry32(7));
  assert.ok(draws.every((x) => x >= 0 && x < 1));
  assert.equal(new Set(draws).size, draws.length);
});

Deno.test("mulberry32 matches the reference sequence for seed 1", () => {
  // Reference mulberry32 (Tommy Ettinger): seed 1 -> first outputs.
  const next = mulberry32(1);
  assert.equal(Math.floor(next() * 2 ** 32), 2693262067);
  assert.equal(Math.floor(next() * 2 ** 32), 11749833);
});

Deno.test("seedFrom keeps given seeds as unsigned 32-bit integers and draws one otherwise", () => {
  assert.equal(seedFrom(42), 42);
  assert.equal(seedFrom(-1), 4294967295);
  assert.equal(seedFrom(2 ** 32 + 5), 5);
  assert.equal(seedFrom(7.9), 7);
  for (const seed of [seedFrom(), seedFrom(undefined), seedFrom(Number.NaN)]) {
    assert.ok(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32);
  }
});

Deno.test("count 1 gives the centre of every range", () => {
  assert.deepEqual(designParameterSets(RANGES, { count: 1, seed: 123 }), [
    { temperature: 0.7, top_p: 0.9, max_tokens: 640, frequency_penalty: 0.25 },
  ]);
});

Deno.test("count 4 takes the four stratum centres of every range", () => {
  const sets = designParameterSets(RANGES, { count: 4, seed: 9 });
  const sorted = (name: ParameterName) => sets.map((set) => set[name]).sort((a, b) => a - b);
  // temperature: 0.2 + 1.0 * (k + 0.5) / 4
  assert.deepEqual(sorted("temperature"), [0.33, 0.58, 0.83, 1.08]);
  assert.deepEqual(sorted("top_p"), [0.83, 0.88, 0.93, 0.98]);
  assert.deepEqual(sorted("max_tokens"), [352, 544, 736, 928]);
  assert.deepEqual(sorted("frequency_penalty"), [0.06, 0.19, 0.31, 0.44]);
});

Deno.test("a zero-width range yields its single value in every set", () => {
  const ranges = {
    ...RANGES,
    temperature: { min: 0.7, max: 0.7 },
    max_tokens: { min: 512, max: 512 },
  };
  const sets = designParameterSets(ranges, { count: 6, seed: 1 });
  assert.equal(sets.length, 6);
  assert.ok(
    sets.every((set) => set.temperature === 0.7 && set.max_tokens === 512),
  );
});

Deno.test("ranges off the rounding grid still yield values inside them", () => {
  const ranges = {
    ...RANGES,
    temperature: { min: 0.123, max: 0.128 },
    top_p: { min: 0.901, max: 0.903 },
    frequency_penalty: { min: 0.305, max: 0.309 },
  };
  for (const set of designParameterSets(ranges, { count: 3, seed: 5 })) {
    assert.ok(
      set.temperature >= 0.123 && set.temperature <= 0.128,
      `${set.temperature}`,
    );
    assert.ok(set.top_p >= 0.901 && set.top_p <= 0.903, `${set.top_p}`);
  }
});

Deno.test("count outside 1..10 or fractional is rejected", () => {
  for (const count of [0, 11, 2.5, -1, Number.NaN]) {
    assert.throws(() => designParameterSets(RANGES, { count, seed: 1 }), {
      name: "RangeError",
      message: `Cannot design parameter sets: count must be an integer from 1 to 10, got ${count}`,
    });
  }
});

Deno.test("every set lies within the ranges and is rounded (property)", () => {
  fc.assert(
    fc.property(
      rangesArbitrary(),
      countArbitrary,
      seedArbitrary,
      (ranges, count, seed) => {
        const sets = designParameterSets(ranges, { count, seed });
        assert.equal(sets.length, count);
        for (const set of sets) {
          assert.deepEqual(parameterSetSchema.parse(set), set);
          for (const name of PARAMETER_NAMES) {
            const value = set[name];
            assert.ok(
              value >= ranges[name].min && value <= ranges[name].max,
              `${name} ${value}`,
            );
            const scaled = name === "max_tokens" ? value : value * 100;
            assert.ok(
              Math.abs(scaled - Math.round(scaled)) < 1e-9,
              `${name} ${value} is rounded`,
            );
          }
        }
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("the same seed gives the same sets (property)", () => {
  fc.assert(
    fc.property(
      rangesArbitrary(),
      countArbitrary,
      seedArbitrary,
      (ranges, count, seed) => {
        assert.deepEqual(
          designParameterSets(ranges, { count, seed }),
          designParameterSets(structuredClone(ranges), { count, seed }),
        );
      },
    ),
  );
});

Deno.test("each parameter visits all N strata once when strata exceed the rounding step (property)", () => {
  // A stratum is wider than twice the rounding step when width / N > 0.02 (or 2 tokens).
  const wide = {
    temperature: 0.21,
    top_p: 0.21,
    max_tokens: 21,
    frequency_penalty: 0.21,
  };
  fc.assert(
    fc.property(
      rangesArbitrary(wide),
      countArbitrary,
      seedArbitrary,
      (ranges, count, seed) => {
        const sets = designParameterSets(ranges, { count, seed });
        for (const name of PARAMETER_NAMES) {
          const strata = sets.map((set) => stratumOf(set[name], ranges[name], count));
          assert.deepEqual(
            [...strata].sort((a, b) => a - b),
            Array.from({ length: count }, (_, i) => i),
            name,
          );
        }
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("different seeds pair the strata differently", () => {
  const pairings = new Set(
    Array.from(
      { length: 20 },
      (_, seed) =>
        JSON.stringify(
          designParameterSets(RANGES, { count: 5, seed }).map((set) => set.temperature),
        ),
    ),
  );
  assert.ok(pairings.size > 1, "the seed changes the order");
});

/**
 * Spreads N generations across a calibration's ranges.
 *
 * ## Design: a seeded Latin hypercube of stratum centres
 *
 * For `count` = N and each parameter (in `PARAMETER_NAMES` order):
 *
 *   1. split [min, max] into N equal strata;
 *   2. shuffle the stratum indices 0..N-1 with a Fisher–Yates shuffle driven
 *      by mulberry32(seed) (one shared stream, parameters drawn in order);
 *   3. set i takes the centre of its stratum:
 *        value_i = min + (max - min) * (perm[i] + 0.5) / N
 *      rounded like the database stores it (2 decimals, integer max_tokens)
 *      and kept inside [min, max].
 *
 * Every parameter therefore visits each of its N strata exactly once (no two
 * responses cluster on one value) while the seed decides which values are
 * combined, so temperature and max_tokens are not locked in step. N = 1
 * gives the centre of every range; a zero-width range gives its one value.
 * Rounding can only move a value across a stratum edge when a stratum is
 * narrower than the rounding step (0.01, or 1 token).
 *
 * @module
 */
import {
  PARAMETER_NAMES,
  type ParameterName,
  type ParameterRange,
  type ParameterRanges,
  type ParameterSet,
  roundParameter,
} from "./parameters.ts";

/** Fewest and most parameter sets one design may hold (one per response). */
export const DESIGN_COUNT = { min: 1, max: 10 } as const;

/** Options of `designParameterSets`. */
export type DesignOptions = {
  /** How many sets to produce, 1..10. */
  count: number;
  /** Seed of the shuffle; the same seed and ranges give the same sets. */
  seed: number;
};

/**
 * A mulberry32 pseudo-random generator: a small, fast, seedable PRNG whose
 * output is a float in [0, 1). Not for cryptography.
 *
 * @example
 * const next = mulberry32(42);
 * next(); // the same first value for seed 42, every time
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A design seed as an unsigned 32-bit integer: the given number (truncated
 * and wrapped to 32 bits) or, when absent, a fresh random one to store with
 * the experiment so the design can be rebuilt.
 *
 * @example
 * seedFrom(42); // 42
 * seedFrom(-1); // 4294967295
 * seedFrom(); // random, e.g. 2916102345
 */
export function seedFrom(value?: number): number {
  if (value !== undefined && Number.isFinite(value)) {
    return Math.trunc(value) >>> 0;
  }
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

function shuffledStrata(count: number, random: () => number): number[] {
  const strata = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [strata[i], strata[j]] = [strata[j], strata[i]];
  }
  return strata;
}

function valueIn(
  name: ParameterName,
  range: ParameterRange,
  position: number,
): number {
  const rounded = roundParameter(
    name,
    range.min + (range.max - range.min) * position,
  );
  if (rounded >= range.min && rounded <= range.max) return rounded;
  // The range ends are off the rounding grid: take the nearest grid value inside it.
  const step = name === "max_tokens" ? 1 : 0.01;
  const inward = rounded < range.min
    ? roundParameter(name, Math.ceil(range.min / step) * step)
    : roundParameter(name, Math.floor(range.max / step) * step);
  return inward >= range.min && inward <= range.max ? inward : range.min;
}

/**
 * Designs `count` parameter sets that cover each range evenly (a seeded Latin
 * hypercube, see the module header). Deterministic for a given seed.
 *
 * @throws {RangeError} when `count` is not an integer from 1 to 10.
 *
 * @example
 * designParameterSets(ranges, { count: 4, seed: 7 });
 * // 4 sets; temperatures at the centres of 4 equal slices of ranges.temperature, shuffled
 */
export function designParameterSets(
  ranges: ParameterRanges,
  options: DesignOptions,
): ParameterSet[] {
  const { count, seed } = options;
  if (
    !Number.isInteger(count) || count < DESIGN_COUNT.min ||
    count > DESIGN_COUNT.max
  ) {
    throw new RangeError(
      `Cannot design parameter sets: count must be an integer from ${DESIGN_COUNT.min} to ${DESIGN_COUNT.max}, got ${count}`,
    );
  }
  const random = mulberry32(seed);
  const strata = Object.fromEntries(
    PARAMETER_NAMES.map((name) => [name, shuffledStrata(count, random)]),
  ) as Record<ParameterName, number[]>;
  return Array.from({ length: count }, (_, i) => {
    const value = (name: ParameterName) =>
      valueIn(name, ranges[name], (strata[name][i] + 0.5) / count);
    return {
      temperature: value("temperature"),
      top_p: value("top_p"),
      max_tokens: value("max_tokens"),
      frequency_penalty: value("frequency_penalty"),
    };
  });
}

/**
 * Seeded pseudo-random numbers, so anything drawn at random (a bootstrap, the
 * offline model's sampling) can be reproduced from its seed.
 *
 * @module
 */

/** A generator of numbers in [0, 1). */
export type Random = () => number;

/**
 * 32-bit FNV-1a hash of a string, to turn any text into a seed.
 *
 * @example
 * hashText("seed-42|hello"); // a stable unsigned 32-bit integer
 */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * mulberry32: a small, fast generator with a 32-bit state.
 *
 * @example
 * const random = mulberry32(7);
 * random(); // the same first number for seed 7, every time
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Seeded pseudo-random numbers for reproducible sampling: a string is hashed to a
 * 32-bit seed (FNV-1a) that drives a mulberry32 generator.
 *
 * @module
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * Hashes text to an unsigned 32-bit integer (FNV-1a over UTF-16 code units).
 *
 * @example
 * ```ts
 * hashText("seed 7") === hashText("seed 7"); // true
 * ```
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
 * Creates a mulberry32 generator: the same seed always gives the same sequence.
 *
 * @example
 * ```ts
 * const random = mulberry32(42);
 * random(); // a number in [0, 1), the same on every run
 * ```
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

/**
 * A generator seeded from `key` when given, otherwise from the platform's secure randomness.
 *
 * @example
 * ```ts
 * const random = createRandom(JSON.stringify({ seed: 7, prompt: "hello" }));
 * ```
 */
export function createRandom(key?: string): Random {
  if (key !== undefined) return mulberry32(hashText(key));
  return mulberry32(crypto.getRandomValues(new Uint32Array(1))[0]);
}

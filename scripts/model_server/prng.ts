/**
 * Seeded pseudo-random numbers for reproducible sampling: a string is hashed
 * to a 32-bit seed that drives the lab's seeded generator (`_shared/random.ts`).
 *
 * @module
 */
import { hashText, mulberry32, type Random } from "../../supabase/functions/_shared/random.ts";

export { hashText, mulberry32, type Random };

/**
 * A generator seeded by `key`, or by the system's randomness without one.
 *
 * @example
 * ```ts
 * createRandom("seed 7")() === createRandom("seed 7")(); // true
 * ```
 */
export function createRandom(key?: string): Random {
  if (key !== undefined) return mulberry32(hashText(key));
  return mulberry32(crypto.getRandomValues(new Uint32Array(1))[0]);
}

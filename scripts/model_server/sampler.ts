/**
 * Next-token choice with the sampling parameters OpenAI documents: penalties are
 * subtracted from the logits, the logits are divided by the temperature (0 means
 * greedy), and nucleus (top_p) sampling keeps the smallest set of most likely
 * tokens whose probabilities add up to top_p.
 *
 * @module
 */
import type { Random } from "./prng.ts";

/** A possible next token and its unnormalized weight (an n-gram count, > 0). */
export interface Candidate {
  token: string;
  weight: number;
}

/** How to choose among candidates. */
export interface SamplingOptions {
  /** 0 to 2; 0 always takes the most likely token. */
  temperature: number;
  /** 0 to 1; the probability mass kept by nucleus sampling. */
  topP: number;
  /** -2 to 2; subtracted once per earlier occurrence of the token. */
  frequencyPenalty: number;
  /** -2 to 2; subtracted once if the token occurred at all. */
  presencePenalty: number;
  /** How many times each token has been generated so far. */
  generated: ReadonlyMap<string, number>;
  random: Random;
}

/** A candidate with its final probability. */
export interface Weighted {
  token: string;
  probability: number;
}

/**
 * The logit of each candidate after penalties: `log(weight) - frequency * count - presence * (count > 0)`.
 *
 * @example
 * ```ts
 * penalizedLogits([{ token: "a", weight: 1 }], { frequencyPenalty: 1, presencePenalty: 0, generated: new Map([["a", 2]]) }); // [-2]
 * ```
 */
export function penalizedLogits(
  candidates: readonly Candidate[],
  options: Pick<SamplingOptions, "frequencyPenalty" | "presencePenalty" | "generated">,
): number[] {
  return candidates.map(({ token, weight }) => {
    const count = options.generated.get(token) ?? 0;
    return Math.log(weight) - options.frequencyPenalty * count -
      options.presencePenalty * (count > 0 ? 1 : 0);
  });
}

/**
 * The distribution sampling draws from, most likely first, after temperature and top_p.
 * At temperature 0 it holds only the most likely token (the first one on ties).
 */
export function distribution(
  candidates: readonly Candidate[],
  options: Omit<SamplingOptions, "random">,
): Weighted[] {
  if (candidates.length === 0) throw new Error("Cannot sample a token: there are no candidates");
  const logits = penalizedLogits(candidates, options);
  const order = logits.map((_, index) => index).sort((a, b) => logits[b] - logits[a] || a - b);
  if (options.temperature === 0) return [{ token: candidates[order[0]].token, probability: 1 }];
  const top = logits[order[0]];
  const exps = order.map((index) => Math.exp((logits[index] - top) / options.temperature));
  const total = exps.reduce((sum, value) => sum + value, 0);
  const kept: Weighted[] = [];
  let mass = 0;
  for (const [rank, index] of order.entries()) {
    const probability = exps[rank] / total;
    kept.push({ token: candidates[index].token, probability });
    mass += probability;
    if (mass >= options.topP) break;
  }
  return kept.map(({ token, probability }) => ({ token, probability: probability / mass }));
}

/**
 * Draws the next token.
 *
 * @example
 * ```ts
 * sampleToken([{ token: "fox", weight: 3 }, { token: "crow", weight: 1 }], {
 *   temperature: 1, topP: 1, frequencyPenalty: 0, presencePenalty: 0, generated: new Map(), random: Math.random,
 * });
 * ```
 */
export function sampleToken(candidates: readonly Candidate[], options: SamplingOptions): string {
  const weighted = distribution(candidates, options);
  let remaining = options.random();
  for (const { token, probability } of weighted) {
    remaining -= probability;
    if (remaining < 0) return token;
  }
  return weighted[weighted.length - 1].token;
}

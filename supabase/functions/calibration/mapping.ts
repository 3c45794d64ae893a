/**
 * Maps quiz answers to a personal range for each sampling parameter, plus
 * plain-language insights. Pure and deterministic.
 *
 * ## Formula
 *
 * Each parameter P reads a fixed list of (dimension, sign) sources from
 * `RULES`. For one calibration:
 *
 *   x_1..x_n = sign * weight, for every answered question of the mode and
 *              every source dimension that question informs (n depends only
 *              on the mode; weights lie in [-1, 1])
 *   lean     m = mean(x)                      in [-1, 1]   (0 when n = 0)
 *   spread   s = mean(|x_i - m|)              in [0, 1]    (0 when n = 0)
 *   position t = (m + 1) / 2                  in [0, 1]
 *   width    h = 0.35 / sqrt(max(n, 1)) + 0.2 * s
 *
 *   on P's scale (linear, or natural log for max_tokens), with
 *   lo = value at lean -1 and hi = value at lean +1:
 *     min = lo + (hi - lo) * (t - h)
 *     max = lo + (hi - lo) * (t + h)
 *   then each end is clamped to P's limits (inside PARAMETER_BOUNDS) and
 *   rounded (2 decimals; max_tokens to an integer).
 *
 * | parameter         | sources                    | scale  | lean -1 | lean +1 | limits    |
 * | ----------------- | -------------------------- | ------ | ------- | ------- | --------- |
 * | temperature       | +adventure                 | linear | 0.2     | 1.3     | 0 .. 2    |
 * | top_p             | +adventure, -precision     | linear | 0.7     | 1.0     | 0 .. 1    |
 * | max_tokens        | +length                    | log    | 256     | 2048    | 64 .. 4096|
 * | frequency_penalty | +variety                   | linear | 0.1     | 1.0     | 0 .. 2    |
 *
 * Why this shape:
 * - More answers agreeing means more evidence, so the width shrinks like a
 *   standard error (1 / sqrt(n)): deep mode, with more answers per dimension,
 *   gives narrower ranges than quick mode for the same consistent leaning.
 * - Answers that disagree widen the range (+0.2 * s) so both styles get tried.
 * - Monotonic: raising one answer's weight by d moves t up by d / 2n while s
 *   moves by at most 2d(n-1)/n^2, so h moves by at most 0.4d/n < d/2n. Both
 *   ends therefore never go down; clamping and rounding keep that order.
 * - frequency_penalty never goes below 0: a negative penalty invites loops.
 *
 * @module
 */
import type { Answers, CalibrationMode, Insight } from "../_shared/contracts/calibration.ts";
import {
  PARAMETER_NAMES,
  type ParameterName,
  type ParameterRange,
  type ParameterRanges,
  roundParameter,
} from "../_shared/lab/parameters.ts";
import { buildInsights } from "./insights.ts";
import { chosenOption, questionDefinitions, validateAnswers } from "./questionnaire.ts";
import type { Dimension } from "./questions.ts";

type ParameterRule = {
  readonly sources: readonly {
    readonly dimension: Dimension;
    readonly sign: 1 | -1;
  }[];
  readonly scale: "linear" | "log";
  readonly atLeanLow: number;
  readonly atLeanHigh: number;
  readonly limits: ParameterRange;
};

// deno-fmt-ignore
const RULES: Readonly<Record<ParameterName, ParameterRule>> = {
  temperature:       { sources: [{ dimension: "adventure", sign: 1 }],                                     scale: "linear", atLeanLow: 0.2, atLeanHigh: 1.3,  limits: { min: 0,  max: 2 } },
  top_p:             { sources: [{ dimension: "adventure", sign: 1 }, { dimension: "precision", sign: -1 }], scale: "linear", atLeanLow: 0.7, atLeanHigh: 1,    limits: { min: 0,  max: 1 } },
  max_tokens:        { sources: [{ dimension: "length", sign: 1 }],                                        scale: "log",    atLeanLow: 256, atLeanHigh: 2048, limits: { min: 64, max: 4096 } },
  frequency_penalty: { sources: [{ dimension: "variety", sign: 1 }],                                       scale: "linear", atLeanLow: 0.1, atLeanHigh: 1,    limits: { min: 0,  max: 2 } },
};

/** Width from the number of answers: `BASE_WIDTH / sqrt(n)`, in units of the lean band. */
const BASE_WIDTH = 0.35;
/** Extra width per unit of spread (mean absolute deviation) between answers. */
const SPREAD_WIDTH = 0.2;

/** What the answers say about one parameter, before scaling. */
export type Leaning = {
  /** Mean signed weight, in [-1, 1]. */
  lean: number;
  /** Mean absolute deviation of the signed weights, in [0, 1]. */
  spread: number;
  /** How many signed weights informed it. */
  count: number;
};

/** Ranges and insights of one calibration. */
export type CalibrationMapping = {
  ranges: ParameterRanges;
  insights: Insight[];
};

/**
 * Summarises, per parameter, the signed weights of the answers that inform it
 * (see the formula at the top of this module). Answers must be valid.
 *
 * @example
 * leaningsFor("quick", answers).temperature; // { lean: 1, spread: 0, count: 3 }
 */
export function leaningsFor(
  mode: CalibrationMode,
  answers: Answers,
): Record<ParameterName, Leaning> {
  const questions = questionDefinitions(mode);
  const entries = PARAMETER_NAMES.map((name) => {
    const values: number[] = [];
    for (const question of questions) {
      const option = chosenOption(question, answers);
      for (const { dimension, sign } of RULES[name].sources) {
        const weight = option?.weights[dimension];
        if (weight !== undefined) values.push(sign * weight);
      }
    }
    return [name, summarise(values)] as const;
  });
  return Object.fromEntries(entries) as Record<ParameterName, Leaning>;
}

function summarise(values: readonly number[]): Leaning {
  const count = values.length;
  if (count === 0) return { lean: 0, spread: 0, count: 0 };
  const lean = values.reduce((sum, value) => sum + value, 0) / count;
  const spread = values.reduce((sum, value) => sum + Math.abs(value - lean), 0) / count;
  return { lean, spread, count };
}

function rangeFor(name: ParameterName, leaning: Leaning): ParameterRange {
  const rule = RULES[name];
  const toScale = rule.scale === "log" ? Math.log : (value: number) => value;
  const fromScale = rule.scale === "log" ? Math.exp : (value: number) => value;
  const low = toScale(rule.atLeanLow);
  const band = toScale(rule.atLeanHigh) - low;
  const position = (leaning.lean + 1) / 2;
  const width = BASE_WIDTH / Math.sqrt(Math.max(leaning.count, 1)) +
    SPREAD_WIDTH * leaning.spread;
  const end = (offset: number) => {
    const value = fromScale(low + band * (position + offset));
    const clamped = Math.min(rule.limits.max, Math.max(rule.limits.min, value));
    return roundParameter(name, clamped);
  };
  return { min: end(-width), max: end(width) };
}

/**
 * Turns a mode's answers into a personal range per parameter and 3 to 6
 * insights. Deterministic: the same answers (in any key order) always give
 * the same result.
 *
 * @throws {Error} when `validateAnswers` reports a problem, e.g.
 *   `Cannot map calibration answers: Missing answer for question "tone"`.
 *
 * @example
 * const { ranges, insights } = mapAnswersToRanges("quick", {
 *   adventurousness: "wild", risk_tolerance: "love_it", answer_length: "exhaustive",
 *   repetition_tolerance: "avoid", primary_domain: "creative_writing",
 * });
 * ranges.temperature; // { min: 1.08, max: 1.52 }
 */
export function mapAnswersToRanges(
  mode: CalibrationMode,
  answers: Answers,
): CalibrationMapping {
  const problems = validateAnswers(mode, answers);
  if (problems.length > 0) {
    throw new Error(`Cannot map calibration answers: ${problems[0].message}`);
  }
  const leanings = leaningsFor(mode, answers);
  const ranges = Object.fromEntries(
    PARAMETER_NAMES.map((name) => [name, rangeFor(name, leanings[name])]),
  ) as ParameterRanges;
  const answerCount = questionDefinitions(mode).length;
  return {
    ranges,
    insights: buildInsights(ranges, { mode, leanings, answerCount }),
  };
}

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
} from "../_shared/parameters.ts";
import {
  chosenOption,
  type Dimension,
  questionDefinitions,
  validateAnswers,
} from "./questionnaire.ts";

type ParameterRule = {
  readonly sources: readonly { readonly dimension: Dimension; readonly sign: 1 | -1 }[];
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
/** Spread at or above which an insight points out mixed signals. */
const MIXED_SPREAD = 0.5;

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
export function mapAnswersToRanges(mode: CalibrationMode, answers: Answers): CalibrationMapping {
  const problems = validateAnswers(mode, answers);
  if (problems.length > 0) {
    throw new Error(`Cannot map calibration answers: ${problems[0].message}`);
  }
  const leanings = leaningsFor(mode, answers);
  const ranges = Object.fromEntries(
    PARAMETER_NAMES.map((name) => [name, rangeFor(name, leanings[name])]),
  ) as ParameterRanges;
  const answerCount = questionDefinitions(mode).length;
  return { ranges, insights: insightsFor(ranges, { mode, leanings, answerCount }) };
}

function between(range: ParameterRange): string {
  return `${range.min} to ${range.max}`;
}

function centre(range: ParameterRange): number {
  return (range.min + range.max) / 2;
}

function temperatureInsight(range: ParameterRange): Insight {
  const c = centre(range);
  const [title, effect] = c < 0.5
    ? [
      "Predictable wording",
      "keeps word choices close to the most likely ones; answers stay focused and repeatable",
    ]
    : c < 0.9
    ? ["Balanced wording", "balances reliable phrasing with some fresh word choices"]
    : ["Surprising wording", "favours surprising word choices; expect occasional tangents"];
  return {
    parameter: "temperature",
    title,
    detail: `Your temperature range ${between(range)} ${effect}.`,
  };
}

function topPInsight(range: ParameterRange): Insight {
  const c = centre(range);
  const [title, effect] = c < 0.8
    ? [
      "Trimmed vocabulary",
      "drops the unlikely tail of word choices, which keeps facts and terms tight",
    ]
    : c < 0.92
    ? [
      "Most of the vocabulary",
      "leaves out only the least likely words: room for variety without oddities",
    ]
    : [
      "Full vocabulary",
      "keeps nearly every word in play, so rare and inventive phrasing can appear",
    ];
  return { parameter: "top_p", title, detail: `Your top_p range ${between(range)} ${effect}.` };
}

function maxTokensInsight(range: ParameterRange): Insight {
  const words = (tokens: number) => Math.round((tokens * 0.75) / 10) * 10;
  const c = centre(range);
  const [title, effect] = c < 400
    ? ["Short answers", "short, to-the-point replies"]
    : c < 1200
    ? ["Medium-length answers", "room for a few paragraphs"]
    : ["Long answers", "room for long, detailed answers with examples"];
  return {
    parameter: "max_tokens",
    title,
    detail: `Answers get a budget of ${between(range)} tokens (about ${words(range.min)} to ${
      words(range.max)
    } words): ${effect}. Shorter budgets can cut an answer off mid-sentence.`,
  };
}

function frequencyPenaltyInsight(range: ParameterRange): Insight {
  const c = centre(range);
  const [title, effect] = c < 0.3
    ? ["Consistent terms", "lets key terms repeat, which keeps technical answers consistent"]
    : c < 0.7
    ? ["Some variety", "gently discourages repeated words, so prose stays varied without drifting"]
    : [
      "Fresh wording",
      "pushes the model away from words it has already used; prose stays fresh but terms may drift",
    ];
  return {
    parameter: "frequency_penalty",
    title,
    detail: `Your frequency penalty range ${between(range)} ${effect}.`,
  };
}

const TOPIC_OF: Readonly<Record<ParameterName, string>> = {
  temperature: "how adventurous answers should be",
  top_p: "exploration versus factual precision",
  max_tokens: "answer length",
  frequency_penalty: "repetition",
};

function overallInsight(
  ranges: ParameterRanges,
  options: { mode: CalibrationMode; leanings: Record<ParameterName, Leaning>; answerCount: number },
): Insight {
  const lean = options.leanings.temperature.lean;
  const profile = lean < -1 / 3 ? "cautious" : lean > 1 / 3 ? "adventurous" : "balanced";
  const next = options.mode === "quick"
    ? "A deep calibration asks 7 more questions and narrows these ranges where your answers agree."
    : "Where your answers agreed the ranges are narrow; where they pulled apart they stay wide so you can compare both styles.";
  return {
    parameter: "overall",
    title: `A ${profile} profile`,
    detail: `Based on ${options.answerCount} answers (${options.mode} calibration), generations ` +
      `will spread temperature over ${between(ranges.temperature)} and max_tokens over ${
        between(ranges.max_tokens)
      }. ${next}`,
  };
}

function mixedSignalsInsight(
  ranges: ParameterRanges,
  leanings: Record<ParameterName, Leaning>,
): Insight | undefined {
  let widest: ParameterName | undefined;
  for (const name of PARAMETER_NAMES) {
    const spread = leanings[name].spread;
    if (spread >= MIXED_SPREAD && (widest === undefined || spread > leanings[widest].spread)) {
      widest = name;
    }
  }
  if (widest === undefined) return undefined;
  return {
    parameter: widest,
    title: "Mixed signals",
    detail: `Your answers about ${TOPIC_OF[widest]} pointed in different directions, so the ` +
      `${widest} range ${between(ranges[widest])} is wider than usual to let you compare both styles.`,
  };
}

function insightsFor(
  ranges: ParameterRanges,
  options: { mode: CalibrationMode; leanings: Record<ParameterName, Leaning>; answerCount: number },
): Insight[] {
  const insights = [
    overallInsight(ranges, options),
    temperatureInsight(ranges.temperature),
    topPInsight(ranges.top_p),
    maxTokensInsight(ranges.max_tokens),
    frequencyPenaltyInsight(ranges.frequency_penalty),
  ];
  const mixed = mixedSignalsInsight(ranges, options.leanings);
  return mixed === undefined ? insights : [...insights, mixed];
}

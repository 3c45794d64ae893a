/**
 * Plain-language insights on a calibration's ranges: what each range means
 * for the person, quoting its numbers. Pure and deterministic.
 *
 * @module
 */
import type { CalibrationMode, Insight } from "../_shared/contracts/calibration.ts";
import {
  PARAMETER_NAMES,
  type ParameterName,
  type ParameterRange,
  type ParameterRanges,
} from "../_shared/lab/parameters.ts";

/** Spread at or above which an insight points out mixed signals. */
const MIXED_SPREAD = 0.5;

/** What the answers said about one parameter (see `mapping.ts`). */
export type LeaningSummary = {
  /** Mean signed weight, in [-1, 1]. */
  lean: number;
  /** Mean absolute deviation of the signed weights, in [0, 1]. */
  spread: number;
};

/** Context of `buildInsights`. */
export type InsightOptions = {
  mode: CalibrationMode;
  leanings: Record<ParameterName, LeaningSummary>;
  /** How many questions were answered. */
  answerCount: number;
};

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
    ? [
      "Balanced wording",
      "balances reliable phrasing with some fresh word choices",
    ]
    : [
      "Surprising wording",
      "favours surprising word choices; expect occasional tangents",
    ];
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
  return {
    parameter: "top_p",
    title,
    detail: `Your top_p range ${between(range)} ${effect}.`,
  };
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
    ? [
      "Consistent terms",
      "lets key terms repeat, which keeps technical answers consistent",
    ]
    : c < 0.7
    ? [
      "Some variety",
      "gently discourages repeated words, so prose stays varied without drifting",
    ]
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
  options: InsightOptions,
): Insight {
  const lean = options.leanings.temperature.lean;
  const title = lean < -1 / 3
    ? "A cautious profile"
    : lean > 1 / 3
    ? "An adventurous profile"
    : "A balanced profile";
  const next = options.mode === "quick"
    ? "A deep calibration asks 7 more questions and narrows these ranges where your answers agree."
    : "Where your answers agreed the ranges are narrow; where they pulled apart they stay wide so you can compare both styles.";
  return {
    parameter: "overall",
    title,
    detail: `Based on ${options.answerCount} answers (${options.mode} calibration), generations ` +
      `will spread temperature over ${between(ranges.temperature)} and max_tokens over ${
        between(ranges.max_tokens)
      }. ${next}`,
  };
}

function mixedSignalsInsight(
  ranges: ParameterRanges,
  leanings: Record<ParameterName, LeaningSummary>,
): Insight | undefined {
  let widest: ParameterName | undefined;
  for (const name of PARAMETER_NAMES) {
    const spread = leanings[name].spread;
    if (
      spread >= MIXED_SPREAD &&
      (widest === undefined || spread > leanings[widest].spread)
    ) {
      widest = name;
    }
  }
  if (widest === undefined) return undefined;
  return {
    parameter: widest,
    title: "Mixed signals",
    detail: `Your answers about ${TOPIC_OF[widest]} pointed in different directions, so the ` +
      `${widest} range ${
        between(ranges[widest])
      } is wider than usual to let you compare both styles.`,
  };
}

/**
 * Writes 3 to 6 plain-language notes on what a calibration's ranges mean:
 * one overall, one per parameter (each quoting its range), and one more
 * when the answers behind a range disagreed (spread >= 0.5).
 *
 * @example
 * buildInsights(ranges, { mode: "quick", leanings, answerCount: 5 })[1].detail;
 * // "Your temperature range 1.08 to 1.52 favours surprising word choices; expect occasional tangents."
 */
export function buildInsights(ranges: ParameterRanges, options: InsightOptions): Insight[] {
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

import assert from "node:assert/strict";
import { buildInsights, type InsightOptions } from "./insights.ts";
import type { ParameterRanges } from "../_shared/lab/parameters.ts";

const CALM = { lean: 0, spread: 0 };
const LEANINGS: InsightOptions["leanings"] = {
  temperature: CALM,
  top_p: CALM,
  max_tokens: CALM,
  frequency_penalty: CALM,
};
const BALANCED: ParameterRanges = {
  temperature: { min: 0.5, max: 0.9 },
  top_p: { min: 0.8, max: 0.95 },
  max_tokens: { min: 433, max: 1211 },
  frequency_penalty: { min: 0.3, max: 0.6 },
};

function detailOf(insights: ReturnType<typeof buildInsights>, parameter: string): string {
  return insights.find((insight) => insight.parameter === parameter)?.detail ?? "";
}

Deno.test("buildInsights writes one overall note and one per parameter, in order", () => {
  const insights = buildInsights(BALANCED, { mode: "quick", leanings: LEANINGS, answerCount: 5 });
  assert.deepEqual(
    insights.map((insight) => insight.parameter),
    ["overall", "temperature", "top_p", "max_tokens", "frequency_penalty"],
  );
  assert.deepEqual(insights[0], {
    parameter: "overall",
    title: "A balanced profile",
    detail: "Based on 5 answers (quick calibration), generations will spread temperature over " +
      "0.5 to 0.9 and max_tokens over 433 to 1211. A deep calibration asks 7 more questions " +
      "and narrows these ranges where your answers agree.",
  });
});

Deno.test("buildInsights quotes every range and estimates words for max_tokens", () => {
  const insights = buildInsights(BALANCED, { mode: "deep", leanings: LEANINGS, answerCount: 12 });
  assert.equal(
    detailOf(insights, "temperature"),
    "Your temperature range 0.5 to 0.9 balances reliable phrasing with some fresh word choices.",
  );
  assert.equal(
    detailOf(insights, "max_tokens"),
    "Answers get a budget of 433 to 1211 tokens (about 320 to 910 words): room for a few " +
      "paragraphs. Shorter budgets can cut an answer off mid-sentence.",
  );
  assert.match(detailOf(insights, "top_p"), /^Your top_p range 0\.8 to 0\.95 /);
  assert.match(
    detailOf(insights, "frequency_penalty"),
    /^Your frequency penalty range 0\.3 to 0\.6 /,
  );
  assert.match(insights[0].detail, /^Based on 12 answers \(deep calibration\)/);
});

Deno.test("buildInsights picks the wording from where each range is centred", () => {
  const low: ParameterRanges = {
    temperature: { min: 0, max: 0.42 },
    top_p: { min: 0.65, max: 0.75 },
    max_tokens: { min: 150, max: 400 },
    frequency_penalty: { min: 0, max: 0.32 },
  };
  const high: ParameterRanges = {
    temperature: { min: 1.08, max: 1.52 },
    top_p: { min: 0.93, max: 1 },
    max_tokens: { min: 980, max: 2294 },
    frequency_penalty: { min: 0.78, max: 1.22 },
  };
  const titles = (ranges: ParameterRanges) =>
    buildInsights(ranges, { mode: "quick", leanings: LEANINGS, answerCount: 5 })
      .slice(1)
      .map((insight) => insight.title);
  assert.deepEqual(titles(low), [
    "Predictable wording",
    "Trimmed vocabulary",
    "Short answers",
    "Consistent terms",
  ]);
  assert.deepEqual(titles(BALANCED), [
    "Balanced wording",
    "Most of the vocabulary",
    "Medium-length answers",
    "Some variety",
  ]);
  assert.deepEqual(titles(high), [
    "Surprising wording",
    "Full vocabulary",
    "Long answers",
    "Fresh wording",
  ]);
});

Deno.test("buildInsights names the profile from the temperature lean", () => {
  const title = (lean: number) =>
    buildInsights(BALANCED, {
      mode: "quick",
      leanings: { ...LEANINGS, temperature: { lean, spread: 0 } },
      answerCount: 5,
    })[0].title;
  assert.equal(title(-1), "A cautious profile");
  assert.equal(title(0.3), "A balanced profile");
  assert.equal(title(0.5), "An adventurous profile");
});

Deno.test("buildInsights adds one mixed-signals note for the most divided parameter", () => {
  const leanings = {
    ...LEANINGS,
    max_tokens: { lean: 0, spread: 0.5 },
    frequency_penalty: { lean: 0, spread: 0.75 },
  };
  const insights = buildInsights(BALANCED, { mode: "deep", leanings, answerCount: 12 });
  assert.equal(insights.length, 6);
  assert.deepEqual(insights[5], {
    parameter: "frequency_penalty",
    title: "Mixed signals",
    detail: "Your answers about repetition pointed in different directions, so the " +
      "frequency_penalty range 0.3 to 0.6 is wider than usual to let you compare both styles.",
  });
  const calm = buildInsights(BALANCED, {
    mode: "deep",
    leanings: { ...LEANINGS, top_p: { lean: 0, spread: 0.49 } },
    answerCount: 12,
  });
  assert.equal(calm.length, 5, "a spread below 0.5 is not mixed");
});

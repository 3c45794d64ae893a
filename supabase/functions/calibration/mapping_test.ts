import assert from "node:assert/strict";
import fc from "fast-check";
import { leaningsFor, mapAnswersToRanges } from "./mapping.ts";
import { questionDefinitions } from "./questionnaire.ts";
import type { Answers, CalibrationMode } from "../_shared/contracts/calibration.ts";
import { PARAMETER_NAMES, parameterRangesSchema } from "../_shared/lab/parameters.ts";

const MODES = ["quick", "deep"] as const;

/** Every complete, valid answer set of a mode, generated from the questionnaire table. */
function answersArbitrary(mode: CalibrationMode): fc.Arbitrary<Answers> {
  const questions = questionDefinitions(mode);
  return fc
    .tuple(
      ...questions.map((q) => fc.constantFrom(...q.options.map((option) => option.id))),
    )
    .map((ids) => Object.fromEntries(questions.map((q, i) => [q.id, ids[i]])));
}

const QUICK_CAUTIOUS = {
  adventurousness: "play_it_safe",
  risk_tolerance: "never",
  answer_length: "brief",
  repetition_tolerance: "helps",
  primary_domain: "coding",
};
const QUICK_ADVENTUROUS = {
  adventurousness: "wild",
  risk_tolerance: "love_it",
  answer_length: "exhaustive",
  repetition_tolerance: "avoid",
  primary_domain: "creative_writing",
};
const DEEP_CAUTIOUS = {
  ...QUICK_CAUTIOUS,
  audience: "experts",
  format_preference: "code_or_data",
  tone: "formal",
  factual_stakes: "real_harm",
  idea_breadth: "one_best",
  detail_level: "headline",
  rerun_consistency: "word_for_word",
};
const DEEP_ADVENTUROUS = {
  ...QUICK_ADVENTUROUS,
  audience: "general_public",
  format_preference: "flowing_prose",
  tone: "quirky",
  factual_stakes: "nothing",
  idea_breadth: "far_fetched",
  detail_level: "everything",
  rerun_consistency: "different_takes",
};

function width(range: { min: number; max: number }): number {
  return range.max - range.min;
}

// Expected values below are worked by hand from the formula in mapping.ts, e.g. the
// cautious quick temperature: adventure weights [-1, -1, -1] -> m = -1, s = 0, n = 3,
// t = 0, h = 0.35 / sqrt(3) = 0.2021 -> 0.2 + 1.1 * (0 -/+ 0.2021) = -0.022..0.422 -> 0..0.42.

Deno.test("a fully cautious quick calibration gives the hand-computed ranges", () => {
  assert.deepEqual(mapAnswersToRanges("quick", QUICK_CAUTIOUS).ranges, {
    temperature: { min: 0, max: 0.42 },
    // n = 5 weights of -1: h = 0.35/sqrt(5) = 0.1565 -> 0.7 + 0.3 * (0 -/+ 0.1565)
    top_p: { min: 0.65, max: 0.75 },
    // length [-1, 0]: m = -0.5, s = 0.5, h = 0.2475 + 0.1 -> exp(ln 256 + ln 8 * (0.25 -/+ 0.3475))
    max_tokens: { min: 209, max: 887 },
    // variety [-1, -1]: h = 0.2475 -> 0.1 + 0.9 * (0 -/+ 0.2475) = -0.12..0.32, floored at 0
    frequency_penalty: { min: 0, max: 0.32 },
  });
});

Deno.test("a fully adventurous quick calibration gives the hand-computed ranges", () => {
  assert.deepEqual(mapAnswersToRanges("quick", QUICK_ADVENTUROUS).ranges, {
    // 0.2 + 1.1 * (1 -/+ 0.2021)
    temperature: { min: 1.08, max: 1.52 },
    // [1, 1, 1, 1, 0.5]: m = 0.9, s = 0.16, h = 0.1565 + 0.032 -> 0.928..1.042, capped at 1
    top_p: { min: 0.93, max: 1 },
    // [1, 0.5]: m = 0.75, s = 0.25, h = 0.2975 -> 851..2932
    max_tokens: { min: 851, max: 2932 },
    // 0.1 + 0.9 * (1 -/+ 0.2475)
    frequency_penalty: { min: 0.78, max: 1.22 },
  });
});

Deno.test("fully cautious and adventurous deep calibrations give the hand-computed ranges", () => {
  assert.deepEqual(mapAnswersToRanges("deep", DEEP_CAUTIOUS).ranges, {
    // n = 6: h = 0.35/sqrt(6) = 0.1429 -> 0.2 + 1.1 * (0 -/+ 0.1429)
    temperature: { min: 0.04, max: 0.36 },
    top_p: { min: 0.67, max: 0.73 },
    max_tokens: { min: 263, max: 704 },
    frequency_penalty: { min: 0, max: 0.26 },
  });
  assert.deepEqual(mapAnswersToRanges("deep", DEEP_ADVENTUROUS).ranges, {
    temperature: { min: 1.14, max: 1.46 },
    top_p: { min: 0.93, max: 1 },
    max_tokens: { min: 980, max: 2294 },
    frequency_penalty: { min: 0.75, max: 1.14 },
  });
});

Deno.test("deep mode narrows a consistent temperature range compared with quick mode", () => {
  const quick = mapAnswersToRanges("quick", QUICK_ADVENTUROUS).ranges.temperature;
  const deep = mapAnswersToRanges("deep", DEEP_ADVENTUROUS).ranges.temperature;
  assert.ok(width(deep) < width(quick), `${width(deep)} < ${width(quick)}`);
  const quickCautious = mapAnswersToRanges("quick", QUICK_CAUTIOUS).ranges.temperature;
  const deepCautious = mapAnswersToRanges("deep", DEEP_CAUTIOUS).ranges.temperature;
  assert.ok(width(deepCautious) < width(quickCautious));
});

Deno.test("leaningsFor counts the weights that inform each parameter", () => {
  const quick = leaningsFor("quick", QUICK_ADVENTUROUS);
  assert.deepEqual(quick.temperature, { lean: 1, spread: 0, count: 3 });
  assert.equal(quick.top_p.count, 5);
  assert.deepEqual(quick.max_tokens, { lean: 0.75, spread: 0.25, count: 2 });
  const deep = leaningsFor("deep", DEEP_ADVENTUROUS);
  assert.equal(deep.temperature.count, 6);
  assert.equal(deep.top_p.count, 10);
  assert.equal(deep.max_tokens.count, 5);
  assert.equal(deep.frequency_penalty.count, 4);
});

Deno.test("mapAnswersToRanges throws on invalid answers with the first problem", () => {
  assert.throws(
    () => mapAnswersToRanges("quick", { ...QUICK_CAUTIOUS, risk_tolerance: "x" }),
    {
      message: 'Cannot map calibration answers: Unknown option "x" for question "risk_tolerance"',
    },
  );
  assert.throws(
    () => mapAnswersToRanges("deep", QUICK_CAUTIOUS),
    {
      message: 'Cannot map calibration answers: Missing answer for question "audience"',
    },
  );
});

Deno.test("ranges always lie within bounds, min <= max, rounded (property)", () => {
  for (const mode of MODES) {
    fc.assert(
      fc.property(answersArbitrary(mode), (answers) => {
        const { ranges } = mapAnswersToRanges(mode, answers);
        assert.deepEqual(parameterRangesSchema.parse(ranges), ranges);
        for (const name of PARAMETER_NAMES) {
          for (const value of [ranges[name].min, ranges[name].max]) {
            const scaled = name === "max_tokens" ? value : value * 100;
            assert.ok(
              Math.abs(scaled - Math.round(scaled)) < 1e-9,
              `${name} ${value} is rounded`,
            );
          }
        }
        assert.ok(
          ranges.frequency_penalty.min >= 0,
          "no negative frequency penalty",
        );
      }),
      { numRuns: 300 },
    );
  }
});

Deno.test("a more adventurous answer never lowers either temperature end (property)", () => {
  for (const mode of MODES) {
    const questions = questionDefinitions(mode);
    const change = fc.record({
      answers: answersArbitrary(mode),
      question: fc.integer({ min: 0, max: questions.length - 1 }),
      option: fc.nat(),
    });
    fc.assert(
      fc.property(change, ({ answers, question: index, option: pick }) => {
        const question = questions[index];
        const next = question.options[pick % question.options.length];
        const current = question.options.find((o) => o.id === answers[question.id]);
        const before = mapAnswersToRanges(mode, answers).ranges.temperature;
        const after = mapAnswersToRanges(mode, { ...answers, [question.id]: next.id })
          .ranges.temperature;
        const from = current?.weights.adventure;
        const to = next.weights.adventure;
        if (from === undefined || to === undefined) {
          assert.deepEqual(
            after,
            before,
            "questions that ignore adventure leave temperature alone",
          );
        } else if (to >= from) {
          assert.ok(
            after.min >= before.min,
            `min ${before.min} -> ${after.min}`,
          );
          assert.ok(
            after.max >= before.max,
            `max ${before.max} -> ${after.max}`,
          );
        } else {
          assert.ok(after.min <= before.min && after.max <= before.max);
        }
      }),
      { numRuns: 500 },
    );
  }
});

Deno.test("mapping is deterministic and ignores the key order of answers (property)", () => {
  for (const mode of MODES) {
    const keys = questionDefinitions(mode).map((q) => q.id);
    const shuffled = fc.shuffledSubarray(keys, {
      minLength: keys.length,
      maxLength: keys.length,
    });
    fc.assert(
      fc.property(answersArbitrary(mode), shuffled, (answers, order) => {
        const reordered = Object.fromEntries(
          order.map((key) => [key, answers[key]]),
        );
        const first = mapAnswersToRanges(mode, answers);
        assert.deepEqual(mapAnswersToRanges(mode, answers), first);
        assert.deepEqual(mapAnswersToRanges(mode, reordered), first);
      }),
    );
  }
});

Deno.test("deep consistent answers give a temperature range no wider than quick's (property)", () => {
  const deepQuestions = questionDefinitions("deep");
  const quickIds = new Set(questionDefinitions("quick").map((q) => q.id));
  const adventureQuestions = deepQuestions.filter((q) =>
    q.options[0].weights.adventure !== undefined
  );
  // Leanings every adventure question can express exactly (the table guarantees -1 and 1).
  const shared = [-1, -0.5, 0, 0.5, 1].filter((w) =>
    adventureQuestions.every((q) => q.options.some((o) => o.weights.adventure === w))
  );
  assert.ok(shared.length >= 2);
  fc.assert(
    fc.property(
      answersArbitrary("deep"),
      fc.constantFrom(...shared),
      (base, leaning) => {
        const deepAnswers: Answers = { ...base };
        for (const question of adventureQuestions) {
          const option = question.options.find((o) => o.weights.adventure === leaning);
          if (option) deepAnswers[question.id] = option.id;
        }
        const quickAnswers = Object.fromEntries(
          Object.entries(deepAnswers).filter(([id]) => quickIds.has(id)),
        );
        const quick = mapAnswersToRanges("quick", quickAnswers).ranges.temperature;
        const deep = mapAnswersToRanges("deep", deepAnswers).ranges.temperature;
        assert.ok(
          width(deep) <= width(quick),
          `${JSON.stringify(deep)} vs ${JSON.stringify(quick)}`,
        );
        assert.ok(
          width(deep) < width(quick),
          "strictly narrower at the table's leanings",
        );
      },
    ),
  );
});

Deno.test("insights: 3 to 6 notes that quote the ranges (property)", () => {
  for (const mode of MODES) {
    fc.assert(
      fc.property(answersArbitrary(mode), (answers) => {
        const { ranges, insights } = mapAnswersToRanges(mode, answers);
        assert.ok(
          insights.length >= 3 && insights.length <= 6,
          `${insights.length} insights`,
        );
        assert.equal(
          insights.filter((i) => i.parameter === "overall").length,
          1,
        );
        for (const name of PARAMETER_NAMES) {
          const note = insights.find((i) => i.parameter === name);
          assert.ok(note, `an insight about ${name}`);
          assert.ok(
            note.detail.includes(`${ranges[name].min} to ${ranges[name].max}`),
            note.detail,
          );
        }
        for (const insight of insights) {
          assert.ok(
            insight.title.length > 0 && /[.!]$/.test(insight.detail),
            insight.detail,
          );
        }
      }),
    );
  }
});

Deno.test("insights describe a cautious and an adventurous person differently", () => {
  const cautious = mapAnswersToRanges("quick", QUICK_CAUTIOUS).insights;
  const adventurous = mapAnswersToRanges("quick", QUICK_ADVENTUROUS).insights;
  const temperature = (list: typeof cautious) => list.find((i) => i.parameter === "temperature");
  assert.equal(
    temperature(adventurous)?.detail,
    "Your temperature range 1.08 to 1.52 favours surprising word choices; expect occasional tangents.",
  );
  assert.equal(temperature(cautious)?.title, "Predictable wording");
  assert.equal(cautious[0].title, "A cautious profile");
  assert.equal(adventurous[0].title, "An adventurous profile");
  assert.match(cautious[0].detail, /^Based on 5 answers \(quick calibration\)/);
});

Deno.test("mixed answers widen the range and add a mixed-signals insight", () => {
  const mixed = {
    adventurousness: "wild",
    risk_tolerance: "never",
    answer_length: "medium",
    repetition_tolerance: "do_not_mind",
    primary_domain: "coding",
  };
  const { ranges, insights } = mapAnswersToRanges("quick", mixed);
  const note = insights.find((i) => i.title === "Mixed signals");
  assert.equal(note?.parameter, "temperature");
  assert.ok(
    note.detail.includes(
      `${ranges.temperature.min} to ${ranges.temperature.max}`,
    ),
  );
  assert.equal(insights.length, 6);
  const consistent = mapAnswersToRanges("quick", QUICK_CAUTIOUS).ranges.temperature;
  assert.ok(width(ranges.temperature) > width(consistent));
});

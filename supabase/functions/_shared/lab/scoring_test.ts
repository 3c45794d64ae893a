import assert from "node:assert/strict";
import fc from "fast-check";
import { type ResponseScores, scoreResponse } from "./scoring.ts";

const AXES = ["creativity", "coherence", "structure", "completeness"] as const;

// Consonant-only words (no "s", so the suffix stripper never merges two of them)
// are never stop words: a vocabulary of distinct content words.
const wordArbitrary = fc.stringMatching(/^[b-df-hj-np-rtv-z]{4,8}$/);

function sentence(words: readonly string[]): string {
  return `${words[0][0].toUpperCase()}${words[0].slice(1)} ${words.slice(1).join(" ")}.`;
}

/** k sentences of m distinct words each, no word shared between sentences. */
const variedSentencesArbitrary = fc
  .record({
    count: fc.integer({ min: 3, max: 8 }),
    size: fc.integer({ min: 3, max: 8 }),
  })
  .chain(({ count, size }) =>
    fc
      .uniqueArray(wordArbitrary, {
        minLength: count * size,
        maxLength: count * size,
      })
      .map((words) =>
        Array.from({ length: count }, (_, i) => sentence(words.slice(i * size, (i + 1) * size)))
      )
  );

function assertInUnitRange(scores: ResponseScores): void {
  for (const axis of AXES) {
    const value = scores[axis];
    assert.ok(
      Number.isFinite(value) && value >= 0 && value <= 1,
      `${axis} = ${value}`,
    );
    assert.equal(
      Math.round(value * 10_000) / 10_000,
      value,
      `${axis} has at most 4 decimals`,
    );
  }
}

Deno.test("empty or wordless text scores zero everywhere", () => {
  assert.deepEqual(
    scoreResponse({ prompt: "", text: "1. !", finishReason: "stop" }),
    {
      creativity: 0,
      coherence: 0,
      structure: 0,
      completeness: 0,
    },
  );
  const zero = { creativity: 0, coherence: 0, structure: 0, completeness: 0 };
  assert.deepEqual(
    scoreResponse({ prompt: "Hi", text: "", finishReason: "stop" }),
    zero,
  );
  assert.deepEqual(
    scoreResponse({ prompt: "Hi", text: "  \n\n ", finishReason: "stop" }),
    zero,
  );
  assert.deepEqual(
    scoreResponse({ prompt: "Hi", text: "!!! ...", finishReason: "stop" }),
    zero,
  );
});

Deno.test("a looped sentence gets the hand-computed scores", () => {
  // N = 9 words; trigrams 7, distinct 3 -> r = 4/7; content stems {cat, sat}, prompt {cat}.
  // creativity   = 0.9 * (0.5 * 3/9 + 0.25 * 1/2 + 0.25 * 3/7)             = 0.358929
  // coherence    = 1 * (1 - 2/3)^2 * (1 - 2/7) * 1                          = 0.079365
  // structure    = 0.7 * 0 + 0.3 * (1 - cv([3, 3, 3]) = 1)                   = 0.3
  // completeness = 1 * (0.35 * 1 + 0.4 * 1 + 0.25 * 9/20)                   = 0.8625
  const scores = scoreResponse({
    prompt: "Describe a cat.",
    text: "The cat sat. The cat sat. The cat sat.",
    finishReason: "stop",
  });
  assert.deepEqual(scores, {
    creativity: 0.3589,
    coherence: 0.0794,
    structure: 0.3,
    completeness: 0.8625,
  });
});

Deno.test("a short headed list gets the hand-computed scores", () => {
  // words: plan buy milk walk dog call mom (N = 7, all distinct, r = 0); prompt stems {plan}.
  // creativity   = 0.7 * (0.5 * 1 + 0.25 * 6/7 + 0.25 * 1)                  = 0.675
  // coherence    = (0.4 + 0.6 * 0) * 1 * 1 (no overlap, no prose fragments) = 0.4
  // structure    = 0.7 * (1 - 0.5 * 0 * 0.5) + 0.3 * 1 (items 2, 2, 2)      = 1
  // completeness = 1 * (0.35 * 0.5 (ends on a list item) + 0.4 * 1 + 0.25 * 7/20) = 0.6625
  const scores = scoreResponse({
    prompt: "Make a plan.",
    text: "# Plan\n\n- Buy milk\n- Walk dog\n- Call mom",
    finishReason: "stop",
  });
  assert.deepEqual(scores, {
    creativity: 0.675,
    coherence: 0.4,
    structure: 1,
    completeness: 0.6625,
  });
});

Deno.test("continuity rewards adjacent sentences that share content words", () => {
  // Jaccard({cat, sleep, sofa}, {cat, purr, sofa}) = 2/4 -> saturates at 1 -> continuity 1.
  const linked = scoreResponse({
    prompt: "",
    text: "The cat sleeps on the sofa. The cat purrs on the sofa.",
    finishReason: "stop",
  });
  const unlinked = scoreResponse({
    prompt: "",
    text: "The cat sleeps on the sofa. Markets rallied after earnings.",
    finishReason: "stop",
  });
  // 12 words, 10 trigrams, "on the sofa" repeated once -> r = 1/10 -> 1 * 1 * (1 - 0.05)
  assert.equal(linked.coherence, 0.95);
  // r = 0, one fragment-free pair with no overlap -> 0.4
  assert.equal(unlinked.coherence, 0.4);
});

Deno.test("a single run-on block scores low structure", () => {
  const words = Array.from({ length: 45 }, (_, i) => `word${i}`).join(" ");
  // organisation 0, regularity 0.5 (one sentence), run-on share 1 -> 0.15 * 0.5
  assert.equal(
    scoreResponse({ prompt: "", text: words, finishReason: "stop" }).structure,
    0.075,
  );
});

Deno.test("finish reason sets the completeness factor", () => {
  const text = "Paris is the capital of France.";
  const prompt = "What is the capital of France?";
  // stems {capital, france} all covered; N = 6: base = 0.35 + 0.4 + 0.25 * 0.3 = 0.825
  assert.equal(
    scoreResponse({ prompt, text, finishReason: "stop" }).completeness,
    0.825,
  );
  assert.equal(
    scoreResponse({ prompt, text, finishReason: "length" }).completeness,
    0.33,
  );
  assert.equal(
    scoreResponse({ prompt, text, finishReason: "content_filter" })
      .completeness,
    0.5775,
  );
  assert.equal(scoreResponse({ prompt, text }).completeness, 0.5775);
});

Deno.test("endings count closing quotes and code fences as terminal", () => {
  const complete = (text: string) => scoreResponse({ prompt: "", text, finishReason: "stop" });
  const ended = complete('He said "go."').completeness;
  assert.equal(
    complete("```js\nlet x = 1;\n```").completeness >
      complete("let x = 1").completeness,
    true,
  );
  assert.ok(ended > complete('He said "go').completeness);
  assert.ok(
    complete("Steps:\n- one\n- two").completeness >
      complete("Steps: one, two").completeness,
  );
});

Deno.test("looped repetition scores lower creativity and coherence than varied text (property)", () => {
  fc.assert(
    fc.property(
      variedSentencesArbitrary,
      fc.constantFrom("", "Tell me something."),
      (s, prompt) => {
        const varied = scoreResponse({
          prompt,
          text: s.join(" "),
          finishReason: "stop",
        });
        const looped = scoreResponse({
          prompt,
          text: Array.from(s, () => s[0]).join(" "),
          finishReason: "stop",
        });
        assert.ok(
          looped.creativity < varied.creativity,
          `${looped.creativity} < ${varied.creativity}`,
        );
        assert.ok(
          looped.coherence < varied.coherence,
          `${looped.coherence} < ${varied.coherence}`,
        );
      },
    ),
  );
});

Deno.test("a truncated answer scores lower completeness than the finished one (property)", () => {
  fc.assert(
    fc.property(
      fc.array(wordArbitrary, { minLength: 1, maxLength: 60 }),
      fc.array(wordArbitrary, { maxLength: 5 }),
      (words, promptWords) => {
        const prompt = promptWords.join(" ");
        const cut = words.join(" ");
        const truncated = scoreResponse({
          prompt,
          text: cut,
          finishReason: "length",
        });
        const finished = scoreResponse({
          prompt,
          text: `${cut}.`,
          finishReason: "stop",
        });
        assert.ok(truncated.completeness < finished.completeness);
        const unpunctuated = scoreResponse({
          prompt,
          text: cut,
          finishReason: "stop",
        });
        assert.ok(
          truncated.completeness < unpunctuated.completeness,
          "length alone lowers it",
        );
      },
    ),
  );
});

Deno.test("headings and lists score higher structure than the same words in one paragraph (property)", () => {
  const section = fc.record({
    heading: fc.array(wordArbitrary, { minLength: 1, maxLength: 3 }),
    items: fc.array(fc.array(wordArbitrary, { minLength: 2, maxLength: 8 }), {
      minLength: 2,
      maxLength: 5,
    }),
  });
  fc.assert(
    fc.property(
      fc.array(section, { minLength: 1, maxLength: 4 }),
      (sections) => {
        const structured = sections
          .map((s) =>
            `## ${s.heading.join(" ")}\n\n${s.items.map((i) => `- ${i.join(" ")}`).join("\n")}`
          )
          .join("\n\n");
        const flat = sections.flatMap((s) => [...s.heading, ...s.items.flat()])
          .join(" ");
        const a = scoreResponse({
          prompt: "",
          text: structured,
          finishReason: "stop",
        });
        const b = scoreResponse({
          prompt: "",
          text: flat,
          finishReason: "stop",
        });
        assert.ok(a.structure > b.structure, `${a.structure} > ${b.structure}`);
        assert.ok(a.structure >= 0.6, "a headed list is well structured");
        assert.ok(b.structure <= 0.15, "a single block is not");
      },
    ),
  );
});

Deno.test("every score lies in [0, 1] for arbitrary strings (property)", () => {
  const pieces = fc.constantFrom(
    "word",
    "The",
    "cat",
    "sat",
    ".",
    "!",
    "?",
    "…",
    " ",
    "\n",
    "\n\n",
    "- ",
    "* ",
    "# ",
    "1. ",
    "```",
    "'s",
    "’",
    "\t",
    "\r\n",
    "42",
  );
  const text = fc.oneof(
    fc.string({ unit: "binary", maxLength: 400 }),
    fc.array(pieces, { maxLength: 200 }).map((parts) => parts.join("")),
  );
  const finishReason = fc.constantFrom(
    "stop",
    "length",
    "content_filter",
    null,
    undefined,
  );
  fc.assert(
    fc.property(text, text, finishReason, (prompt, body, finish) => {
      assertInUnitRange(
        scoreResponse({ prompt, text: body, finishReason: finish }),
      );
    }),
    { numRuns: 500 },
  );
});

Deno.test("scoring is deterministic (property)", () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 300 }),
      fc.string({ maxLength: 300 }),
      (prompt, text) => {
        const input = { prompt, text, finishReason: "stop" };
        assert.deepEqual(scoreResponse(input), scoreResponse({ ...input }));
      },
    ),
  );
});

Deno.test("diversity uses 50-word windows so long varied text is not penalised for length", () => {
  const vocabulary = Array.from(
    { length: 40 },
    (_, i) => `term${String.fromCharCode(97 + (i % 26))}${i}`,
  );
  // 400 words cycling through 40 distinct ones: every 50-word window holds all 40 -> 0.8
  const long = Array.from({ length: 400 }, (_, i) => vocabulary[i % 40]).join(
    " ",
  );
  const scores = scoreResponse({
    prompt: "",
    text: long,
    finishReason: "stop",
  });
  // trigrams: 398, distinct 40 -> r = 1 - 40/398; creativity = 0.5 * 0.8 + 0.25 + 0.25 * 40/398
  assert.equal(
    scores.creativity,
    Math.round((0.4 + 0.25 + 0.25 * (40 / 398)) * 10_000) / 10_000,
  );
});

import assert from "node:assert/strict";
import { judgeMessages, parseVerdict, verdictSchema } from "./verdict.ts";

const LIKERT = { name: "realism", minValue: 1, maxValue: 7, step: 1, description: "How realistic" };

Deno.test("judgeMessages carries the rubric, the scale and the material", () => {
  const { system, prompt } = judgeMessages("Be strict.", LIKERT, {
    prompt: "Describe rain.",
    response: "Rain falls.",
  });
  assert.match(system, /^Be strict\./);
  assert.match(system, /Score "realism" \(How realistic\) as one of 1 to 7 in steps of 1\./);
  assert.match(system, /"score"/);
  assert.equal(prompt, "Prompt:\nDescribe rain.\n\nResponse:\nRain falls.");
});

Deno.test("verdictSchema asks for an integer on an integer scale and a multiple otherwise", () => {
  const likert = verdictSchema(LIKERT) as { properties: { score: Record<string, unknown> } };
  assert.deepEqual(likert.properties.score, { type: "integer", minimum: 1, maximum: 7 });
  const halves = verdictSchema({ ...LIKERT, step: 0.5 }) as typeof likert;
  assert.deepEqual(halves.properties.score, {
    type: "number",
    minimum: 1,
    maximum: 7,
    multipleOf: 0.5,
  });
});

Deno.test("parseVerdict accepts a score on the scale with its reasoning", () => {
  assert.deepEqual(parseVerdict('{"score": 5, "reasoning": "Plausible."}', LIKERT), {
    status: "scored",
    value: 5,
    reasoning: "Plausible.",
  });
});

Deno.test("parseVerdict records every malformed reply as unparsable, never as a score", () => {
  const cases: [string, RegExp][] = [
    ["five", /not JSON/],
    ['{"score": "5", "reasoning": "x"}', /exactly "score"/],
    ['{"score": 5}', /exactly "score"/],
    ['{"score": 5, "reasoning": "x", "extra": 1}', /exactly "score"/],
    ['[5, "x"]', /exactly "score"/],
    ['{"score": 9, "reasoning": "x"}', /outside 1 to 7/],
    ['{"score": 0, "reasoning": "x"}', /outside 1 to 7/],
    ['{"score": 4.5, "reasoning": "x"}', /not on the scale's steps/],
  ];
  for (const [raw, error] of cases) {
    const verdict = parseVerdict(raw, LIKERT);
    assert.equal(verdict.status, "unparsable", raw);
    if (verdict.status === "unparsable") assert.match(verdict.error, error, raw);
  }
});

import assert from "node:assert/strict";
import {
  calibrationModeSchema,
  calibrationResultSchema,
  insightSchema,
  MAX_ANSWERS,
  questionnaireQuerySchema,
  questionnaireResponseSchema,
  submitCalibrationSchema,
} from "./calibration.ts";

Deno.test("calibrationModeSchema accepts only quick and deep", () => {
  assert.equal(calibrationModeSchema.parse("quick"), "quick");
  assert.equal(calibrationModeSchema.parse("deep"), "deep");
  assert.equal(calibrationModeSchema.safeParse("medium").success, false);
  assert.equal(calibrationModeSchema.safeParse(undefined).success, false);
});

Deno.test("questionnaireQuerySchema defaults to quick mode", () => {
  assert.deepEqual(questionnaireQuerySchema.parse({}), { mode: "quick" });
  assert.deepEqual(questionnaireQuerySchema.parse({ mode: "deep" }), {
    mode: "deep",
  });
  assert.equal(
    questionnaireQuerySchema.safeParse({ mode: "DEEP" }).success,
    false,
  );
});

Deno.test("submitCalibrationSchema accepts a mode with string answers", () => {
  const body = {
    mode: "quick",
    answers: { adventurousness: "bold", answer_length: "brief" },
  };
  assert.deepEqual(submitCalibrationSchema.parse(body), body);
});

Deno.test("submitCalibrationSchema rejects a missing mode, non-string answers and arrays", () => {
  const bad = [
    { answers: {} },
    { mode: "quick", answers: { adventurousness: 3 } },
    { mode: "quick", answers: ["bold"] },
    { mode: "quick", answers: { adventurousness: "" } },
    { mode: "quick" },
  ];
  for (const body of bad) {
    assert.equal(
      submitCalibrationSchema.safeParse(body).success,
      false,
      JSON.stringify(body),
    );
  }
});

Deno.test("submitCalibrationSchema caps the number of answers", () => {
  const answers = (count: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`q${i}`, "a"]));
  assert.equal(
    submitCalibrationSchema.safeParse({
      mode: "deep",
      answers: answers(MAX_ANSWERS),
    }).success,
    true,
  );
  const result = submitCalibrationSchema.safeParse({
    mode: "deep",
    answers: answers(MAX_ANSWERS + 1),
  });
  assert.equal(result.success, false);
  assert.equal(
    result.error?.issues[0]?.message,
    "Too many answers: at most 50 are accepted",
  );
});

Deno.test("insightSchema accepts parameter names and overall only", () => {
  assert.equal(
    insightSchema.safeParse({ parameter: "top_p", title: "t", detail: "d" })
      .success,
    true,
  );
  assert.equal(
    insightSchema.safeParse({ parameter: "overall", title: "t", detail: "d" })
      .success,
    true,
  );
  assert.equal(
    insightSchema.safeParse({
      parameter: "presence_penalty",
      title: "t",
      detail: "d",
    }).success,
    false,
  );
});

Deno.test("calibrationResultSchema validates a full result", () => {
  const result = {
    id: "5b0c2c1e-8f3a-4f55-9d7e-2a8f4c1f9b10",
    mode: "deep",
    questionnaireVersion: "2026-11-1",
    ranges: {
      temperature: { min: 0.4, max: 0.9 },
      top_p: { min: 0.8, max: 1 },
      max_tokens: { min: 256, max: 1024 },
      frequency_penalty: { min: 0, max: 0.5 },
    },
    insights: [{
      parameter: "overall",
      title: "Balanced",
      detail: "A balanced profile.",
    }],
    createdAt: "2026-11-22T03:09:00.000Z",
  };
  assert.deepEqual(calibrationResultSchema.parse(result), result);
  const offset = { ...result, createdAt: "2026-11-22T03:09:00.123456+00:00" };
  assert.equal(calibrationResultSchema.safeParse(offset).success, true);
  const badDate = { ...result, createdAt: "yesterday" };
  assert.equal(calibrationResultSchema.safeParse(badDate).success, false);
  const badRange = {
    ...result,
    ranges: { ...result.ranges, top_p: { min: 0.9, max: 0.8 } },
  };
  assert.equal(calibrationResultSchema.safeParse(badRange).success, false);
});

Deno.test("questionnaireResponseSchema accepts questions with optional help", () => {
  const response = {
    version: "2026-11-1",
    mode: "quick",
    questions: [
      { id: "a", prompt: "A?", options: [{ id: "x", label: "X" }] },
      {
        id: "b",
        prompt: "B?",
        help: "Why",
        options: [{ id: "y", label: "Y" }],
      },
    ],
  };
  assert.deepEqual(questionnaireResponseSchema.parse(response), response);
});

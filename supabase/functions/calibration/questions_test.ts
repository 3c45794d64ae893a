import assert from "node:assert/strict";
import { DEEP_ONLY_QUESTIONS, DIMENSIONS, QUICK_QUESTIONS } from "./questions.ts";

const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const ALL_QUESTIONS = [...QUICK_QUESTIONS, ...DEEP_ONLY_QUESTIONS];

Deno.test("the quick quiz has 5 questions and the deep quiz 7 more", () => {
  assert.equal(QUICK_QUESTIONS.length, 5);
  assert.equal(DEEP_ONLY_QUESTIONS.length, 7);
});

Deno.test("question and option ids are unique snake_case", () => {
  const questions = ALL_QUESTIONS;
  const ids = questions.map((question) => question.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const question of questions) {
    assert.match(question.id, SNAKE_CASE);
    assert.ok(question.options.length >= 2, `${question.id} offers a choice`);
    const optionIds = question.options.map((option) => option.id);
    assert.equal(
      new Set(optionIds).size,
      optionIds.length,
      `${question.id} option ids`,
    );
    for (const id of optionIds) assert.match(id, SNAKE_CASE);
  }
});

Deno.test("every option of a question weighs the same dimensions, within [-1, 1]", () => {
  for (const question of ALL_QUESTIONS) {
    const dimensions = Object.keys(question.options[0].weights).sort();
    assert.ok(dimensions.length > 0, `${question.id} informs a dimension`);
    for (const option of question.options) {
      assert.deepEqual(
        Object.keys(option.weights).sort(),
        dimensions,
        `${question.id}.${option.id}`,
      );
      for (const [dimension, weight] of Object.entries(option.weights)) {
        assert.ok(
          (DIMENSIONS as readonly string[]).includes(dimension),
          dimension,
        );
        assert.ok(
          weight !== undefined && weight >= -1 && weight <= 1,
          `${option.id} ${dimension}`,
        );
      }
    }
  }
});

Deno.test("the quick questions alone inform every dimension", () => {
  const informed = new Set(
    QUICK_QUESTIONS.flatMap((question) => Object.keys(question.options[0].weights)),
  );
  assert.deepEqual([...informed].sort(), [...DIMENSIONS].sort());
});

Deno.test("every question that informs adventure offers both extremes", () => {
  for (const question of ALL_QUESTIONS) {
    if (question.options[0].weights.adventure === undefined) continue;
    const weights = question.options.map((option) => option.weights.adventure);
    assert.ok(weights.includes(-1) && weights.includes(1), question.id);
  }
});

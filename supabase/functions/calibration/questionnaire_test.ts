import assert from "node:assert/strict";
import fc from "fast-check";
import {
  chosenOption,
  DIMENSIONS,
  getQuestionnaire,
  questionDefinitions,
  QUESTIONNAIRE_VERSION,
  validateAnswers,
} from "./questionnaire.ts";
import { questionnaireResponseSchema } from "../_shared/contracts/calibration.ts";

const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const MODES = ["quick", "deep"] as const;

function firstOptions(mode: "quick" | "deep"): Record<string, string> {
  return Object.fromEntries(
    questionDefinitions(mode).map((question) => [question.id, question.options[0].id]),
  );
}

Deno.test("quick has 5 questions and deep is those 5 plus 7 more", () => {
  const quick = questionDefinitions("quick");
  const deep = questionDefinitions("deep");
  assert.equal(quick.length, 5);
  assert.equal(deep.length, 12);
  assert.deepEqual(deep.slice(0, 5), quick);
});

Deno.test("question and option ids are unique snake_case", () => {
  const questions = questionDefinitions("deep");
  const ids = questions.map((question) => question.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const question of questions) {
    assert.match(question.id, SNAKE_CASE);
    assert.ok(question.options.length >= 2, `${question.id} offers a choice`);
    const optionIds = question.options.map((option) => option.id);
    assert.equal(new Set(optionIds).size, optionIds.length, `${question.id} option ids`);
    for (const id of optionIds) assert.match(id, SNAKE_CASE);
  }
});

Deno.test("every option of a question weighs the same dimensions, within [-1, 1]", () => {
  for (const question of questionDefinitions("deep")) {
    const dimensions = Object.keys(question.options[0].weights).sort();
    assert.ok(dimensions.length > 0, `${question.id} informs a dimension`);
    for (const option of question.options) {
      assert.deepEqual(Object.keys(option.weights).sort(), dimensions, `${question.id}.${option.id}`);
      for (const [dimension, weight] of Object.entries(option.weights)) {
        assert.ok((DIMENSIONS as readonly string[]).includes(dimension), dimension);
        assert.ok(weight !== undefined && weight >= -1 && weight <= 1, `${option.id} ${dimension}`);
      }
    }
  }
});

Deno.test("the quick questions alone inform every dimension", () => {
  const informed = new Set(
    questionDefinitions("quick").flatMap((question) => Object.keys(question.options[0].weights)),
  );
  assert.deepEqual([...informed].sort(), [...DIMENSIONS].sort());
});

Deno.test("every question that informs adventure offers both extremes", () => {
  for (const question of questionDefinitions("deep")) {
    if (question.options[0].weights.adventure === undefined) continue;
    const weights = question.options.map((option) => option.weights.adventure);
    assert.ok(weights.includes(-1) && weights.includes(1), question.id);
  }
});

Deno.test("getQuestionnaire returns the public shape without weights", () => {
  for (const mode of MODES) {
    const questionnaire = getQuestionnaire(mode);
    assert.equal(questionnaire.version, QUESTIONNAIRE_VERSION);
    assert.equal(questionnaire.mode, mode);
    assert.deepEqual(questionnaireResponseSchema.parse(questionnaire), questionnaire);
    assert.equal(JSON.stringify(questionnaire).includes("weights"), false);
    assert.deepEqual(
      questionnaire.questions.map((question) => question.id),
      questionDefinitions(mode).map((question) => question.id),
    );
  }
  const first = getQuestionnaire("quick").questions[0];
  assert.equal(first.id, "adventurousness");
  assert.equal(typeof first.help, "string");
  assert.deepEqual(first.options[0], { id: "play_it_safe", label: "Play it safe: the expected wording" });
  const noHelp = getQuestionnaire("quick").questions.find((q) => q.id === "answer_length");
  assert.equal(noHelp !== undefined && "help" in noHelp, false);
});

Deno.test("validateAnswers accepts every complete answer set of either mode", () => {
  for (const mode of MODES) {
    const questions = questionDefinitions(mode);
    const answersArbitrary = fc.tuple(
      ...questions.map((question) => fc.constantFrom(...question.options.map((o) => o.id))),
    );
    fc.assert(
      fc.property(answersArbitrary, (optionIds) => {
        const answers = Object.fromEntries(questions.map((q, i) => [q.id, optionIds[i]]));
        assert.deepEqual(validateAnswers(mode, answers), []);
      }),
    );
  }
});

Deno.test("validateAnswers reports an unknown option with the question id", () => {
  const answers = { ...firstOptions("quick"), risk_tolerance: "x" };
  assert.deepEqual(validateAnswers("quick", answers), [
    { questionId: "risk_tolerance", message: 'Unknown option "x" for question "risk_tolerance"' },
  ]);
});

Deno.test("validateAnswers reports missing answers in quiz order", () => {
  const { adventurousness: _a, primary_domain: _p, ...answers } = firstOptions("quick");
  assert.deepEqual(validateAnswers("quick", answers), [
    { questionId: "adventurousness", message: 'Missing answer for question "adventurousness"' },
    { questionId: "primary_domain", message: 'Missing answer for question "primary_domain"' },
  ]);
});

Deno.test("validateAnswers rejects deep-only and unknown questions in quick mode, sorted", () => {
  const answers = { ...firstOptions("quick"), zebra: "a", tone: "formal" };
  assert.deepEqual(validateAnswers("quick", answers), [
    { questionId: "tone", message: 'Unknown question "tone" for the quick questionnaire' },
    { questionId: "zebra", message: 'Unknown question "zebra" for the quick questionnaire' },
  ]);
});

Deno.test("validateAnswers requires every deep question in deep mode", () => {
  const problems = validateAnswers("deep", firstOptions("quick"));
  assert.equal(problems.length, 7);
  assert.deepEqual(
    problems.map((problem) => problem.questionId),
    questionDefinitions("deep").slice(5).map((question) => question.id),
  );
});

Deno.test("validateAnswers does not treat inherited object keys as answers", () => {
  const { adventurousness: _omitted, ...own } = firstOptions("quick");
  const answers = Object.assign(Object.create({ adventurousness: "wild" }), own);
  assert.deepEqual(validateAnswers("quick", answers), [
    { questionId: "adventurousness", message: 'Missing answer for question "adventurousness"' },
  ]);
});

Deno.test("chosenOption finds the chosen option or nothing", () => {
  const [question] = questionDefinitions("quick");
  assert.equal(chosenOption(question, { adventurousness: "wild" })?.weights.adventure, 1);
  assert.equal(chosenOption(question, { adventurousness: "nope" }), undefined);
  assert.equal(chosenOption(question, {}), undefined);
});

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  chosenOption,
  getQuestionnaire,
  questionDefinitions,
  QUESTIONNAIRE_VERSION,
  validateAnswers,
} from "./questionnaire.ts";
import { questionnaireResponseSchema } from "../_shared/contracts/calibration.ts";

const MODES = ["quick", "deep"] as const;

function firstOptions(mode: "quick" | "deep"): Record<string, string> {
  return Object.fromEntries(
    questionDefinitions(mode).map((
      question,
    ) => [question.id, question.options[0].id]),
  );
}
Deno.test("quick has 5 questions and deep is those 5 plus 7 more", () => {
  const quick = questionDefinitions("quick");
  const deep = questionDefinitions("deep");
  assert.equal(quick.length, 5);
  assert.equal(deep.length, 12);
  assert.deepEqual(deep.slice(0, 5), quick);
});

Deno.test("getQuestionnaire returns the public shape without weights", () => {
  for (const mode of MODES) {
    const questionnaire = getQuestionnaire(mode);
    assert.equal(questionnaire.version, QUESTIONNAIRE_VERSION);
    assert.equal(questionnaire.mode, mode);
    assert.deepEqual(
      questionnaireResponseSchema.parse(questionnaire),
      questionnaire,
    );
    assert.equal(JSON.stringify(questionnaire).includes("weights"), false);
    assert.deepEqual(
      questionnaire.questions.map((question) => question.id),
      questionDefinitions(mode).map((question) => question.id),
    );
  }
  const first = getQuestionnaire("quick").questions[0];
  assert.equal(first.id, "adventurousness");
  assert.equal(typeof first.help, "string");
  assert.deepEqual(first.options[0], {
    id: "play_it_safe",
    label: "Play it safe: the expected wording",
  });
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
        const answers = Object.fromEntries(
          questions.map((q, i) => [q.id, optionIds[i]]),
        );
        assert.deepEqual(validateAnswers(mode, answers), []);
      }),
    );
  }
});

Deno.test("validateAnswers reports an unknown option with the question id", () => {
  const answers = { ...firstOptions("quick"), risk_tolerance: "x" };
  assert.deepEqual(validateAnswers("quick", answers), [
    {
      questionId: "risk_tolerance",
      message: 'Unknown option "x" for question "risk_tolerance"',
    },
  ]);
});

Deno.test("validateAnswers reports missing answers in quiz order", () => {
  const { adventurousness: _a, primary_domain: _p, ...answers } = firstOptions(
    "quick",
  );
  assert.deepEqual(validateAnswers("quick", answers), [
    {
      questionId: "adventurousness",
      message: 'Missing answer for question "adventurousness"',
    },
    {
      questionId: "primary_domain",
      message: 'Missing answer for question "primary_domain"',
    },
  ]);
});

Deno.test("validateAnswers rejects deep-only and unknown questions in quick mode, sorted", () => {
  const answers = { ...firstOptions("quick"), zebra: "a", tone: "formal" };
  assert.deepEqual(validateAnswers("quick", answers), [
    {
      questionId: "tone",
      message: 'Unknown question "tone" for the quick questionnaire',
    },
    {
      questionId: "zebra",
      message: 'Unknown question "zebra" for the quick questionnaire',
    },
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
  const answers = Object.assign(
    Object.create({ adventurousness: "wild" }),
    own,
  );
  assert.deepEqual(validateAnswers("quick", answers), [
    {
      questionId: "adventurousness",
      message: 'Missing answer for question "adventurousness"',
    },
  ]);
});

Deno.test("chosenOption finds the chosen option or nothing", () => {
  const [question] = questionDefinitions("quick");
  assert.equal(
    chosenOption(question, { adventurousness: "wild" })?.weights.adventure,
    1,
  );
  assert.equal(chosenOption(question, { adventurousness: "nope" }), undefined);
  assert.equal(chosenOption(question, {}), undefined);
});

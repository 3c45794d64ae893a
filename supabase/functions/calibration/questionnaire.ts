/**
 * The calibration quiz per mode: the questions clients see (without weights)
 * and the check that a set of answers fits them. The data lives in
 * `questions.ts`; `mapping.ts` turns valid answers into ranges.
 *
 * @module
 */
import type {
  Answers,
  CalibrationMode,
  QuestionnaireResponse,
} from "../_shared/contracts/calibration.ts";
import {
  DEEP_ONLY_QUESTIONS,
  type OptionDefinition,
  type QuestionDefinition,
  QUESTIONNAIRE_VERSION,
  QUICK_QUESTIONS,
} from "./questions.ts";

export { QUESTIONNAIRE_VERSION } from "./questions.ts";

/** A reason a set of answers cannot be used. */
export type AnswerProblem = { questionId: string; message: string };

const QUESTIONS_BY_MODE: Readonly<
  Record<CalibrationMode, readonly QuestionDefinition[]>
> = {
  quick: QUICK_QUESTIONS,
  deep: [...QUICK_QUESTIONS, ...DEEP_ONLY_QUESTIONS],
};

/**
 * The questions of one mode, with their internal weights, in quiz order.
 *
 * @example
 * questionDefinitions("deep").length; // 12
 */
export function questionDefinitions(
  mode: CalibrationMode,
): readonly QuestionDefinition[] {
  return QUESTIONS_BY_MODE[mode];
}

/**
 * The quiz as clients see it: version, mode and questions without weights.
 *
 * @example
 * const { version, questions } = getQuestionnaire("quick");
 */
export function getQuestionnaire(mode: CalibrationMode): QuestionnaireResponse {
  return {
    version: QUESTIONNAIRE_VERSION,
    mode,
    questions: questionDefinitions(mode).map((question) => ({
      id: question.id,
      prompt: question.prompt,
      ...(question.help === undefined ? {} : { help: question.help }),
      options: question.options.map((option) => ({
        id: option.id,
        label: option.label,
      })),
    })),
  };
}

/**
 * Lists what is wrong with a set of answers for one mode: each question of
 * the mode must be answered with one of its options, and no other question
 * ids may appear. An empty list means the answers can be mapped.
 *
 * Problems come in quiz order, then unknown question ids in sorted order.
 *
 * @example
 * validateAnswers("quick", { risk_tolerance: "x" });
 * // [{ questionId: "adventurousness", message: 'Missing answer for question "adventurousness"' },
 * //  { questionId: "risk_tolerance", message: 'Unknown option "x" for question "risk_tolerance"' }, ...]
 */
export function validateAnswers(
  mode: CalibrationMode,
  answers: Answers,
): AnswerProblem[] {
  const questions = questionDefinitions(mode);
  const problems: AnswerProblem[] = [];
  for (const question of questions) {
    const optionId = Object.hasOwn(answers, question.id) ? answers[question.id] : undefined;
    if (optionId === undefined) {
      problems.push({
        questionId: question.id,
        message: `Missing answer for question "${question.id}"`,
      });
    } else if (!question.options.some((option) => option.id === optionId)) {
      problems.push({
        questionId: question.id,
        message: `Unknown option "${optionId}" for question "${question.id}"`,
      });
    }
  }
  const known = new Set(questions.map((question) => question.id));
  const unknown = Object.keys(answers).filter((id) => !known.has(id)).sort();
  for (const questionId of unknown) {
    problems.push({
      questionId,
      message: `Unknown question "${questionId}" for the ${mode} questionnaire`,
    });
  }
  return problems;
}

/**
 * The option chosen for a question, or `undefined` when the answer is missing
 * or names no option of that question.
 */
export function chosenOption(
  question: QuestionDefinition,
  answers: Answers,
): OptionDefinition | undefined {
  if (!Object.hasOwn(answers, question.id)) return undefined;
  return question.options.find((option) => option.id === answers[question.id]);
}

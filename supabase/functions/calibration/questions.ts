/**
 * The calibration quiz as data: every question, its options, and the weight
 * each option puts on the four taste dimensions.
 *
 * Dimensions (every weight lies in [-1, 1]; 0 is neutral):
 * - `adventure`  how far from the most likely wording answers may stray  -> temperature, top_p
 * - `precision`  how much factual and terminological exactness matters -> top_p (inverted)
 * - `length`     how long answers should be                            -> max_tokens
 * - `variety`    how much repeated words and phrases bother the person  -> frequency_penalty
 *
 * Rules the tests enforce: every option of one question weighs the same
 * dimensions (so how many answers inform a dimension depends only on the
 * mode, never on the choices); the quick questions inform every dimension;
 * every question that informs `adventure` offers both -1 and 1. Ids are
 * stable because stored calibrations refer to them; changing a weight,
 * prompt or option means bumping `QUESTIONNAIRE_VERSION`.
 *
 * @module
 */

/** Version of the questions and weights; stored with every calibration. */
export const QUESTIONNAIRE_VERSION = "2026-11-1";

/** The taste dimensions answers are weighed on. */
export const DIMENSIONS = ["adventure", "precision", "length", "variety"] as const;

/** A taste dimension answers are weighed on. */
export type Dimension = typeof DIMENSIONS[number];

/** The weight (in [-1, 1]) an option puts on each dimension its question informs. */
export type Weights = Readonly<Partial<Record<Dimension, number>>>;

/** One answer option, with its internal weights. */
export type OptionDefinition = {
  readonly id: string;
  readonly label: string;
  readonly weights: Weights;
};

/** One quiz question, with its internal weights. */
export type QuestionDefinition = {
  readonly id: string;
  readonly prompt: string;
  readonly help?: string;
  readonly options: readonly OptionDefinition[];
};

// deno-fmt-ignore
/** The five questions of the quick quiz; the deep quiz starts with them too. */
export const QUICK_QUESTIONS: readonly QuestionDefinition[] = [
  {
    id: "adventurousness",
    prompt: "How adventurous should the answers be?",
    help: "How far the model may stray from its most likely wording.",
    options: [
      { id: "play_it_safe", label: "Play it safe: the expected wording",     weights: { adventure: -1 } },
      { id: "mostly_safe",  label: "Mostly safe, with the odd fresh phrase", weights: { adventure: -0.5 } },
      { id: "balanced",     label: "Balanced",                               weights: { adventure: 0 } },
      { id: "bold",         label: "Bold: unexpected angles are welcome",    weights: { adventure: 0.5 } },
      { id: "wild",         label: "Wild: surprise me",                      weights: { adventure: 1 } },
    ],
  },
  {
    id: "risk_tolerance",
    prompt: "How do you feel about surprising or speculative statements?",
    help: "Claims that go beyond what is certain.",
    options: [
      { id: "never",      label: "Every statement must be verifiable",    weights: { adventure: -1,  precision: 1 } },
      { id: "if_flagged", label: "Fine if clearly marked as speculation", weights: { adventure: 0,   precision: 0.5 } },
      { id: "welcome",    label: "Welcome: speculation sparks ideas",     weights: { adventure: 0.5, precision: -0.5 } },
      { id: "love_it",    label: "Love it: ideas matter more than facts", weights: { adventure: 1,   precision: -1 } },
    ],
  },
  {
    id: "answer_length",
    prompt: "How long should a typical answer be?",
    options: [
      { id: "brief",      label: "A sentence or two",                  weights: { length: -1 } },
      { id: "short",      label: "A short paragraph",                  weights: { length: -0.5 } },
      { id: "medium",     label: "A few paragraphs",                   weights: { length: 0 } },
      { id: "long",       label: "A detailed page",                    weights: { length: 0.5 } },
      { id: "exhaustive", label: "As long as it takes to be complete", weights: { length: 1 } },
    ],
  },
  {
    id: "repetition_tolerance",
    prompt: "How do you feel when an answer repeats words or phrases?",
    options: [
      { id: "helps",       label: "It helps: keep key terms identical", weights: { variety: -1 } },
      { id: "do_not_mind", label: "I don't mind",                       weights: { variety: -0.5 } },
      { id: "rather_not",  label: "I notice it and would rather not",   weights: { variety: 0.5 } },
      { id: "avoid",       label: "Avoid it: vary the wording",         weights: { variety: 1 } },
    ],
  },
  {
    id: "primary_domain",
    prompt: "What will you mostly use the lab for?",
    options: [
      { id: "coding",           label: "Coding and technical tasks", weights: { adventure: -1,   precision: 1,    length: 0,    variety: -1 } },
      { id: "analysis",         label: "Analysis and explanations",  weights: { adventure: -0.5, precision: 0.5,  length: 0.5,  variety: 0 } },
      { id: "creative_writing", label: "Creative writing",           weights: { adventure: 1,    precision: -0.5, length: 0.5,  variety: 1 } },
      { id: "brainstorming",    label: "Brainstorming",              weights: { adventure: 1,    precision: -1,   length: -0.5, variety: 1 } },
    ],
  },
];

// deno-fmt-ignore
/** The seven questions only the deep quiz asks, after the quick ones. */
export const DEEP_ONLY_QUESTIONS: readonly QuestionDefinition[] = [
  {
    id: "audience",
    prompt: "Who usually reads the answers?",
    options: [
      { id: "experts",        label: "Specialists who want it precise and terse", weights: { length: -0.5, precision: 1 } },
      { id: "colleagues",     label: "Colleagues who know the basics",            weights: { length: 0,    precision: 0.5 } },
      { id: "general_public", label: "A general audience",                        weights: { length: 0.5,  precision: 0 } },
      { id: "just_me",        label: "Just me, casually",                         weights: { length: -0.5, precision: -0.5 } },
    ],
  },
  {
    id: "format_preference",
    prompt: "What shape do you like answers in?",
    options: [
      { id: "bullet_points", label: "Bullet points",          weights: { length: -0.5, variety: -0.5 } },
      { id: "sections",      label: "Sections with headings", weights: { length: 0.5,  variety: 0 } },
      { id: "flowing_prose", label: "Flowing prose",          weights: { length: 0.5,  variety: 0.5 } },
      { id: "code_or_data",  label: "Mostly code or data",    weights: { length: 0,    variety: -1 } },
    ],
  },
  {
    id: "tone",
    prompt: "Which tone suits you best?",
    options: [
      { id: "formal",   label: "Neutral and formal",    weights: { adventure: -1 } },
      { id: "friendly", label: "Friendly and plain",    weights: { adventure: 0 } },
      { id: "playful",  label: "Playful",               weights: { adventure: 0.5 } },
      { id: "quirky",   label: "Quirky and unexpected", weights: { adventure: 1 } },
    ],
  },
  {
    id: "factual_stakes",
    prompt: "What happens if an answer gets a detail wrong?",
    options: [
      { id: "real_harm",  label: "Real harm: it must be right",    weights: { precision: 1 } },
      { id: "costs_time", label: "It costs me time to fix",        weights: { precision: 0.5 } },
      { id: "minor",      label: "A minor annoyance",              weights: { precision: -0.5 } },
      { id: "nothing",    label: "Nothing: it is fiction or play", weights: { precision: -1 } },
    ],
  },
  {
    id: "idea_breadth",
    prompt: "When you ask for ideas, what do you want back?",
    options: [
      { id: "one_best",    label: "The one best answer",  weights: { adventure: -1,   variety: -1 } },
      { id: "few_safe",    label: "A few safe options",   weights: { adventure: -0.5, variety: 0 } },
      { id: "many_varied", label: "Many varied options",  weights: { adventure: 0.5,  variety: 0.5 } },
      { id: "far_fetched", label: "Far-fetched ones too", weights: { adventure: 1,    variety: 1 } },
    ],
  },
  {
    id: "detail_level",
    prompt: "How deep should explanations go?",
    options: [
      { id: "headline",        label: "Just the headline",               weights: { length: -1 } },
      { id: "key_points",      label: "The key points",                  weights: { length: -0.5 } },
      { id: "worked_examples", label: "Key points with worked examples", weights: { length: 0.5 } },
      { id: "everything",      label: "Every detail and edge case",      weights: { length: 1 } },
    ],
  },
  {
    id: "rerun_consistency",
    prompt: "If you ask the same thing twice, should the answers match?",
    help: "Whether a rerun should reproduce the wording or offer a new take.",
    options: [
      { id: "word_for_word",   label: "Yes, word for word",          weights: { adventure: -1 } },
      { id: "same_substance",  label: "Same substance, any wording", weights: { adventure: -0.5 } },
      { id: "different_takes", label: "A different take each time",  weights: { adventure: 1 } },
    ],
  },
];

/**
 * Scores one generated response on four axes, each in [0, 1] and rounded to
 * 4 decimals. Pure, deterministic, language-light heuristics (tuned for
 * English); no model calls.
 *
 * ## Text model
 *
 * - words: lowercased runs of letters/digits (apostrophes kept inside) of the
 *   sentences below, N of them (list numbers and `#` markers are not words).
 * - content stems: words minus a fixed stop-word list (function words and
 *   instruction verbs such as "write", "explain"), with a light suffix
 *   stripper ("-ing", "-ed", "-es", "-s", "'s").
 * - lines starting with `#` are headings, with `- `, `* `, `+ `, `1. `, `1) `
 *   list items, the rest prose. Each line, markers removed, is split into
 *   sentences after `.`, `!`, `?` or `…`; sentences without words are dropped.
 * - paragraphs: blocks separated by blank lines.
 * - repeated-trigram ratio r = 1 - distinct word trigrams / word trigrams (0 when N < 3).
 *
 * ## Formulas
 *
 * Empty text, or text without a single word, scores 0 on every axis.
 *
 * creativity   = min(1, N/10) * (0.5 * diversity + 0.25 * novelty + 0.25 * (1 - r))
 *   diversity  = moving-average type-token ratio over windows of 50 words
 *                (plain distinct/N when N <= 50)
 *   novelty    = share of the response's distinct content stems absent from the prompt
 *
 * coherence    = continuity * (1 - dup)^2 * (1 - r/2) * (1 - fragments/2)
 *   continuity = 1 for a single sentence, else 0.4 + 0.6 * mean over adjacent
 *                sentence pairs of min(1, J / 0.2), J = Jaccard of their content stems
 *   dup        = share of sentences that repeat an earlier sentence word for word
 *   fragments  = share of prose sentences with fewer than 3 words
 *
 * structure    = (0.7 * organisation + 0.3 * regularity) * (1 - runOn/2)
 *   organisation = 1 - (1 - min(1, (paragraphs - 1)/2)) * (1 - min(1, items/3))
 *                    * (1 - min(1, headings/2))
 *   regularity = 1 - min(1, cv) of the word counts of non-heading sentences
 *                (0.5 when there are fewer than 2)
 *   runOn      = share of prose sentences longer than 40 words
 *
 * completeness = finish * (0.35 * ending + 0.4 * coverage + 0.25 * min(1, N/20))
 *   finish     = 1 for "stop", 0.4 for "length" (truncated), 0.7 otherwise or unknown
 *   ending     = 1 if the text ends with terminal punctuation (optionally
 *                followed by closing quotes, brackets or emphasis) or a code
 *                fence, 0.5 if its last line is a list item, else 0
 *   coverage   = share of the prompt's distinct content stems found in the
 *                response (1 when the prompt has none)
 *
 * @module
 */

/** What is scored: the prompt, the generated text and why generation stopped. */
export type ScoreInput = {
  prompt: string;
  text: string;
  /** The provider's finish reason: "stop", "length", "content_filter", … */
  finishReason?: string | null;
};

/** Heuristic quality scores of one response, each in [0, 1], 4 decimals. */
export type ResponseScores = {
  creativity: number;
  coherence: number;
  structure: number;
  completeness: number;
};

type Sentence = { kind: "prose" | "item" | "heading"; words: string[] };

const MATTR_WINDOW = 50;
const RUN_ON_WORDS = 40;
const FRAGMENT_WORDS = 3;

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
const HEADING = /^\s{0,3}#{1,6}\s+\S/;
const LIST_ITEM = /^\s*(?:[-*+•]|\d+[.)])\s+\S/;
const LINE_MARKER = /^\s*(?:#{1,6}|[-*+•]|\d+[.)])\s+/;
const SENTENCE_BREAK = /(?<=[.!?…])\s+/u;
const TERMINAL = /(?:[.!?…]["'”’)\]*_`]*|```)$/u;

// deno-fmt-ignore
const STOP_WORDS: ReadonlySet<string> = new Set([
  "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as",
  "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
  "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from",
  "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how",
  "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "no",
  "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out",
  "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their",
  "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
  "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who",
  "whom", "why", "will", "with", "would", "you", "your", "yours",
  // instruction verbs: they ask for an answer, they are not its topic
  "describe", "explain", "give", "help", "list", "make", "please", "provide", "show",
  "summarise", "summarize", "tell", "write",
]);

/**
 * Scores a response for creativity, coherence, structure and completeness
 * (formulas in this module's header). Deterministic; never throws.
 *
 * @example
 * scoreResponse({ prompt: "Describe a cat.", text: "The cat sat. The cat sat. The cat sat.", finishReason: "stop" });
 * // { creativity: 0.3589, coherence: 0.0794, structure: 0.3, completeness: 0.8625 }
 */
export function scoreResponse(input: ScoreInput): ResponseScores {
  const sentences = sentencesOf(input.text);
  const all = sentences.flatMap((sentence) => sentence.words);
  if (all.length === 0) {
    return { creativity: 0, coherence: 0, structure: 0, completeness: 0 };
  }
  const promptStems = new Set(contentStems(wordsOf(input.prompt)));
  const responseStems = new Set(contentStems(all));
  const repeated = repeatedTrigramRatio(all);
  return {
    creativity: score(
      creativity(all, { promptStems, responseStems, repeated }),
    ),
    coherence: score(coherence(sentences, repeated)),
    structure: score(structure(input.text, sentences)),
    completeness: score(
      completeness(input, { all, promptStems, responseStems }),
    ),
  };
}

function creativity(
  all: readonly string[],
  context: {
    promptStems: Set<string>;
    responseStems: Set<string>;
    repeated: number;
  },
): number {
  const { promptStems, responseStems, repeated } = context;
  const novel = [...responseStems].filter((stem) => !promptStems.has(stem)).length;
  const novelty = responseStems.size === 0 ? 0 : novel / responseStems.size;
  const lengthFactor = Math.min(1, all.length / 10);
  return lengthFactor *
    (0.5 * movingTypeTokenRatio(all) + 0.25 * novelty + 0.25 * (1 - repeated));
}

function coherence(sentences: readonly Sentence[], repeated: number): number {
  let continuity = 1;
  if (sentences.length >= 2) {
    let linked = 0;
    for (let i = 1; i < sentences.length; i++) {
      const overlap = jaccard(
        contentStems(sentences[i - 1].words),
        contentStems(sentences[i].words),
      );
      linked += Math.min(1, overlap / 0.2);
    }
    continuity = 0.4 + 0.6 * (linked / (sentences.length - 1));
  }
  const seen = new Set<string>();
  let duplicates = 0;
  for (const sentence of sentences) {
    const key = sentence.words.join(" ");
    if (seen.has(key)) duplicates++;
    seen.add(key);
  }
  const prose = sentences.filter((sentence) => sentence.kind === "prose");
  const fragments = prose.filter((sentence) => sentence.words.length < FRAGMENT_WORDS).length;
  const fragmentShare = prose.length === 0 ? 0 : fragments / prose.length;
  const loop = (1 - duplicates / sentences.length) ** 2 * (1 - repeated / 2);
  return continuity * loop * (1 - fragmentShare / 2);
}

function structure(text: string, sentences: readonly Sentence[]): number {
  const lines = text.split(/\r?\n/);
  const paragraphs = text.split(/\n[ \t]*\r?\n/).filter((block) => block.trim() !== "").length;
  const items = lines.filter((line) => LIST_ITEM.test(line)).length;
  const headings = lines.filter((line) => HEADING.test(line)).length;
  const organisation = 1 -
    (1 - Math.min(1, (paragraphs - 1) / 2)) *
      (1 - Math.min(1, items / 3)) *
      (1 - Math.min(1, headings / 2));
  const lengths = sentences
    .filter((sentence) => sentence.kind !== "heading")
    .map((sentence) => sentence.words.length);
  const regularity = lengths.length < 2 ? 0.5 : 1 - Math.min(1, coefficientOfVariation(lengths));
  const prose = sentences.filter((sentence) => sentence.kind === "prose");
  const runOns = prose.filter((sentence) => sentence.words.length > RUN_ON_WORDS).length;
  const runOnShare = prose.length === 0 ? 0 : runOns / prose.length;
  return (0.7 * organisation + 0.3 * regularity) * (1 - runOnShare / 2);
}

function completeness(
  input: ScoreInput,
  context: {
    all: readonly string[];
    promptStems: Set<string>;
    responseStems: Set<string>;
  },
): number {
  const { all, promptStems, responseStems } = context;
  const trimmed = input.text.trim();
  const lastLine = trimmed.slice(trimmed.lastIndexOf("\n") + 1);
  const ending = TERMINAL.test(trimmed) ? 1 : LIST_ITEM.test(lastLine) ? 0.5 : 0;
  const covered = [...promptStems].filter((stem) => responseStems.has(stem)).length;
  const coverage = promptStems.size === 0 ? 1 : covered / promptStems.size;
  const finish = input.finishReason === "stop" ? 1 : input.finishReason === "length" ? 0.4 : 0.7;
  return finish *
    (0.35 * ending + 0.4 * coverage + 0.25 * Math.min(1, all.length / 20));
}

function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []).map((word) => word.replaceAll("’", "'"));
}

function sentencesOf(text: string): Sentence[] {
  const sentences: Sentence[] = [];
  for (const line of text.split(/\r?\n/)) {
    const kind = HEADING.test(line) ? "heading" : LIST_ITEM.test(line) ? "item" : "prose";
    const body = kind === "prose" ? line : line.replace(LINE_MARKER, "");
    for (const piece of body.split(SENTENCE_BREAK)) {
      const words = wordsOf(piece);
      if (words.length > 0) sentences.push({ kind, words });
    }
  }
  return sentences;
}

function stem(word: string): string {
  if (word.endsWith("'s")) return word.slice(0, -2);
  for (const suffix of ["ing", "ed", "es"]) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      return word.slice(0, -suffix.length);
    }
  }
  if (word.endsWith("s") && !/(?:ss|us|is)$/.test(word) && word.length >= 4) {
    return word.slice(0, -1);
  }
  return word;
}

function contentStems(words: readonly string[]): string[] {
  return words.filter((word) => !STOP_WORDS.has(word)).map(stem);
}

function movingTypeTokenRatio(words: readonly string[]): number {
  if (words.length <= MATTR_WINDOW) return new Set(words).size / words.length;
  const counts = new Map<string, number>();
  const add = (word: string, delta: number) => {
    const next = (counts.get(word) ?? 0) + delta;
    if (next === 0) counts.delete(word);
    else counts.set(word, next);
  };
  for (let i = 0; i < MATTR_WINDOW; i++) add(words[i], 1);
  let total = counts.size;
  for (let i = MATTR_WINDOW; i < words.length; i++) {
    add(words[i], 1);
    add(words[i - MATTR_WINDOW], -1);
    total += counts.size;
  }
  const windows = words.length - MATTR_WINDOW + 1;
  return total / (windows * MATTR_WINDOW);
}

function repeatedTrigramRatio(words: readonly string[]): number {
  if (words.length < 3) return 0;
  const trigrams = new Set<string>();
  for (let i = 2; i < words.length; i++) {
    trigrams.add(`${words[i - 2]} ${words[i - 1]} ${words[i]}`);
  }
  return 1 - trigrams.size / (words.length - 2);
}

function jaccard(left: readonly string[], right: readonly string[]): number {
  const a = new Set(left);
  const b = new Set(right);
  const union = new Set([...a, ...b]).size;
  if (union === 0) return 0;
  const shared = [...a].filter((item) => b.has(item)).length;
  return shared / union;
}

function coefficientOfVariation(values: readonly number[]): number {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) /
    values.length;
  return Math.sqrt(variance) / mean;
}

function score(value: number): number {
  const clamped = Math.min(1, Math.max(0, value));
  return Math.round(clamped * 10_000) / 10_000;
}

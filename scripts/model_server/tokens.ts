/**
 * Word-level tokens shared by the offline model and its usage counts: a token is a
 * word (letters and digits, with inner apostrophes or hyphens), one punctuation
 * character, a line break or a paragraph break. Text produced by {@link detokenize}
 * tokenizes back to the same number of tokens, so usage numbers are exact.
 *
 * @module
 */

/** The token that separates paragraphs. */
export const PARAGRAPH = "\n\n";
/** The token that separates lines inside a paragraph (list items). */
export const LINE = "\n";

const TOKEN_PATTERN = /\n\s*\n\s*|\n|[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu;
const NO_SPACE_BEFORE = new Set([".", ",", ";", ":", "!", "?", ")", "]", "%"]);
const NO_SPACE_AFTER = new Set(["(", "[", "$"]);
const SENTENCE_END = new Set([".", "!", "?"]);

/**
 * Splits text into tokens; runs of blank lines become one {@link PARAGRAPH} token.
 *
 * @example
 * ```ts
 * tokenize("Haste makes waste.\n\nWell done."); // ["Haste", "makes", "waste", ".", "\n\n", "Well", "done", "."]
 * ```
 */
export function tokenize(text: string): string[] {
  return Array.from(
    text.matchAll(TOKEN_PATTERN),
    (match) => isBreak(match[0]) ? normalizeBreak(match[0]) : match[0],
  );
}

/** Counts the tokens of a text the same way completions are counted. */
export function countTokens(text: string): number {
  return tokenize(text).length;
}

/** Tells whether a token ends a sentence (`.`, `!` or `?`). */
export function isSentenceEnd(token: string): boolean {
  return SENTENCE_END.has(token);
}

/** Tells whether a token is a line or paragraph break. */
export function isBreak(token: string): boolean {
  return token.startsWith("\n");
}

/**
 * Joins tokens into readable text: no space before closing punctuation or around
 * breaks, and a capital letter at the start of the text, of each sentence and of each line.
 *
 * @example
 * ```ts
 * detokenize(["haste", "makes", "waste", ".", "well", "done"]); // "Haste makes waste. Well done"
 * ```
 */
export function detokenize(tokens: readonly string[]): string {
  let text = "";
  let capitalize = true;
  let previous = "";
  for (const token of tokens) {
    const glued = text === "" || isBreak(token) || isBreak(previous) ||
      NO_SPACE_BEFORE.has(token) || NO_SPACE_AFTER.has(previous);
    text += (glued ? "" : " ") + (capitalize ? capitalized(token) : token);
    if (/[\p{L}\p{N}]/u.test(token)) capitalize = false;
    if (isSentenceEnd(token) || isBreak(token)) capitalize = true;
    previous = token;
  }
  return text;
}

function normalizeBreak(token: string): string {
  return (token.match(/\n/g) ?? []).length > 1 ? PARAGRAPH : LINE;
}

function capitalized(token: string): string {
  return token.charAt(0).toUpperCase() + token.slice(1);
}

/**
 * The offline model: a word-level trigram model with interpolated bigram (and
 * unigram fallback) estimates, trained over a bundled public-domain corpus, and a
 * sampler that honours temperature, top_p, frequency/presence penalties,
 * max_tokens and seed the way OpenAI documents them.
 *
 * @module
 */
import { createRandom, type Random } from "./prng.ts";
import { type Candidate, sampleToken } from "./sampler.ts";
import { detokenize, isBreak, isSentenceEnd, PARAGRAPH, tokenize } from "./tokens.ts";

/** Counts learned from a corpus; tokens are lower-cased, `surface` restores their usual spelling. */
export interface NgramModel {
  unigrams: Map<string, number>;
  bigrams: Map<string, Map<string, number>>;
  trigrams: Map<string, Map<string, number>>;
  surface: Map<string, string>;
}

/** Sampling parameters, in OpenAI's units; all optional with OpenAI's defaults. */
export interface GenerateOptions {
  temperature?: number;
  topP?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  /** Stop after this many tokens with finish reason "length". */
  maxTokens?: number;
  /** Same seed, parameters and prompt give the same text; without it every call differs. */
  seed?: number;
}

/** A completion: its text, its tokens (one per usage token) and why it ended. */
export interface Generation {
  text: string;
  tokens: string[];
  finishReason: "stop" | "length";
}

/** Upper bound on a completion when the request sets no max_tokens. */
export const DEFAULT_TOKEN_LIMIT = 1024;
const TRIGRAM_SHARE = 0.7;
const TOPIC_BOOST = 3;
const STOPWORDS = new Set(
  "about above after again also because been before being could does each from have here into just more most much only other over same should some such than that their them then there these they this those through under very were what when where which while will with would write tell give make your please"
    .split(" "),
);

/** Reads the bundled public-domain corpus that {@link trainModel} learns from. */
export function loadCorpus(): string {
  return Deno.readTextFileSync(new URL("./corpus.txt", import.meta.url));
}

/**
 * Counts the unigrams, bigrams and trigrams of a text (double quotes are dropped).
 *
 * @example
 * ```ts
 * const model = trainModel(loadCorpus());
 * ```
 */
export function trainModel(text: string): NgramModel {
  const spellings = new Map<string, Map<string, number>>();
  const tokens = [PARAGRAPH, ...tokenize(text).filter((token) => token !== '"')].map((token) => {
    const key = token.toLowerCase();
    increment(spellings, key, token);
    return key;
  });
  const model: NgramModel = {
    unigrams: new Map(),
    bigrams: new Map(),
    trigrams: new Map(),
    surface: new Map(),
  };
  tokens.forEach((token, index) => {
    model.unigrams.set(token, (model.unigrams.get(token) ?? 0) + 1);
    if (index >= 1) increment(model.bigrams, tokens[index - 1], token);
    if (index >= 2) increment(model.trigrams, pairKey(tokens[index - 2], tokens[index - 1]), token);
  });
  for (const [key, forms] of spellings) model.surface.set(key, mostFrequent(forms));
  return model;
}

/**
 * The weighted next-token candidates after a two-token context: 70% trigram and 30%
 * bigram estimates where the trigram context was seen, else the bigram alone, else unigrams.
 */
export function nextCandidates(model: NgramModel, context: readonly [string, string]): Candidate[] {
  const bigram = model.bigrams.get(context[1]);
  const trigram = model.trigrams.get(pairKey(context[0], context[1]));
  const weights = new Map<string, number>();
  addShare(weights, trigram, trigram ? TRIGRAM_SHARE : 0);
  addShare(weights, bigram, trigram ? 1 - TRIGRAM_SHARE : 1);
  if (weights.size === 0) addShare(weights, model.unigrams, 1);
  return Array.from(weights, ([token, weight]) => ({ token, weight }))
    .filter(({ token }) => !(isBreak(token) && isBreak(context[1])));
}

/**
 * Generates a completion for a prompt. It starts from a word of the prompt the model
 * knows (when there is one), favours the prompt's words, and ends at a paragraph end
 * once it has said about as much as the prompt warrants, or at `maxTokens`.
 *
 * @example
 * ```ts
 * const { text, finishReason } = generate(model, "Tell me about the fox", { seed: 1, maxTokens: 40 });
 * ```
 */
export function generate(
  model: NgramModel,
  prompt: string,
  options: GenerateOptions = {},
): Generation {
  const settings = {
    temperature: options.temperature ?? 1,
    topP: options.topP ?? 1,
    frequencyPenalty: options.frequencyPenalty ?? 0,
    presencePenalty: options.presencePenalty ?? 0,
  };
  const random = createRandom(
    options.seed === undefined ? undefined : JSON.stringify([options.seed, settings, prompt]),
  );
  const promptTokens = tokenize(prompt).map((token) => token.toLowerCase());
  const topic = new Set(promptTokens.filter((token) => isTopicWord(model, token)));
  const limit = options.maxTokens ?? DEFAULT_TOKEN_LIMIT;
  const target = Math.min(160, 40 + 2 * promptTokens.length);
  const generated = new Map<string, number>();
  const tokens: string[] = [];
  let context: [string, string] = [PARAGRAPH, PARAGRAPH];
  while (tokens.length < limit) {
    const next = tokens.length === 0 && topic.size > 0
      ? openingWord(Array.from(topic), { temperature: settings.temperature, random })
      : sampleToken(boosted(nextCandidates(model, context), topic), {
        ...settings,
        generated,
        random,
      });
    if (shouldStop(next, context[1], { length: tokens.length, target })) {
      return { text: render(model, tokens), tokens, finishReason: "stop" };
    }
    tokens.push(next);
    generated.set(next, (generated.get(next) ?? 0) + 1);
    context = [context[1], next];
  }
  return { text: render(model, tokens), tokens, finishReason: "length" };
}

function shouldStop(
  next: string,
  previous: string,
  progress: { length: number; target: number },
): boolean {
  if (!isSentenceEnd(previous) || progress.length < progress.target) return false;
  return next === PARAGRAPH || progress.length >= 2 * progress.target;
}

function openingWord(
  words: readonly string[],
  options: { temperature: number; random: Random },
): string {
  if (options.temperature === 0) return words[words.length - 1];
  return words[Math.floor(options.random() * words.length)];
}

function boosted(candidates: Candidate[], topic: ReadonlySet<string>): Candidate[] {
  return candidates.map(({ token, weight }) => ({
    token,
    weight: topic.has(token) ? weight * TOPIC_BOOST : weight,
  }));
}

function isTopicWord(model: NgramModel, token: string): boolean {
  return token.length >= 4 && !STOPWORDS.has(token) && model.unigrams.has(token) &&
    model.bigrams.has(token);
}

function render(model: NgramModel, tokens: readonly string[]): string {
  return detokenize(tokens.map((token) => model.surface.get(token) ?? token));
}

function addShare(
  weights: Map<string, number>,
  counts: Map<string, number> | undefined,
  share: number,
): void {
  if (!counts || share === 0) return;
  let total = 0;
  for (const count of counts.values()) total += count;
  for (const [token, count] of counts) {
    weights.set(token, (weights.get(token) ?? 0) + (share * count) / total);
  }
}

function increment<K>(table: Map<K, Map<string, number>>, key: K, token: string): void {
  const counts = table.get(key) ?? new Map<string, number>();
  counts.set(token, (counts.get(token) ?? 0) + 1);
  table.set(key, counts);
}

function mostFrequent(counts: Map<string, number>): string {
  return Array.from(counts).reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
}

function pairKey(first: string, second: string): string {
  return `${first}\u0000${second}`;
}

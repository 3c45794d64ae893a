import assert from "node:assert/strict";
import { generate, type GenerateOptions, loadCorpus, nextCandidates, trainModel } from "./ngram.ts";
import { countTokens, LINE, PARAGRAPH } from "./tokens.ts";

const model = trainModel(loadCorpus());
const prompt = "Tell me a fable about the fox and the grapes";
const seeds = [1, 2, 3, 4, 5, 6, 7, 8];

function distinctRatio(tokens: readonly string[]): number {
  return new Set(tokens).size / tokens.length;
}

function averageOverSeeds(measure: (tokens: string[]) => number, options: GenerateOptions): number {
  const values = seeds.map((seed) =>
    measure(generate(model, prompt, { ...options, seed, maxTokens: 80 }).tokens)
  );
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

Deno.test("trainModel counts n-grams over lower-cased tokens and keeps the usual spelling", () => {
  const small = trainModel('The Fox ran. The fox "slept".\n\nThe Fox won.');
  assert.equal(small.unigrams.get("fox"), 3);
  assert.equal(small.bigrams.get("the")?.get("fox"), 3);
  assert.equal(small.trigrams.get("the\u0000fox")?.get("ran"), 1);
  assert.equal(small.surface.get("fox"), "Fox");
  assert.equal(small.unigrams.has('"'), false);
  assert.equal(small.bigrams.get(PARAGRAPH)?.get("the"), 2);
});

Deno.test("nextCandidates interpolates trigram and bigram estimates into one distribution", () => {
  const candidates = nextCandidates(model, ["the", "fox"]);
  const total = candidates.reduce((sum, { weight }) => sum + weight, 0);
  assert.ok(Math.abs(total - 1) < 1e-9, `weights add up to ${total}`);
  const unseen = nextCandidates(model, ["zebra", "fox"]);
  assert.deepEqual(
    new Set(unseen.map(({ token }) => token)),
    new Set(model.bigrams.get("fox")!.keys()),
  );
  assert.ok(
    nextCandidates(model, [".", LINE]).every(({ token }) => token !== PARAGRAPH && token !== LINE),
  );
});

Deno.test("the same seed and parameters give the same text and different seeds differ", () => {
  const options = { temperature: 1, seed: 42, maxTokens: 60 };
  assert.equal(generate(model, prompt, options).text, generate(model, prompt, options).text);
  const texts = new Set(seeds.map((seed) => generate(model, prompt, { ...options, seed }).text));
  assert.ok(texts.size >= seeds.length - 1, `only ${texts.size} distinct texts`);
});

Deno.test("without a seed sampling differs between calls, while temperature 0 is deterministic", () => {
  const unseeded = new Set(
    Array.from({ length: 5 }, () => generate(model, prompt, { maxTokens: 40 }).text),
  );
  assert.ok(unseeded.size > 1);
  const greedy = new Set(
    Array.from(
      { length: 3 },
      () => generate(model, prompt, { temperature: 0, maxTokens: 40 }).text,
    ),
  );
  assert.equal(greedy.size, 1);
});

Deno.test("max_tokens ends with finish reason length after exactly that many tokens", () => {
  const long = generate(model, prompt, { seed: 9, maxTokens: 50 });
  const short = generate(model, prompt, { seed: 9, maxTokens: 7 });
  assert.equal(short.finishReason, "length");
  assert.equal(short.tokens.length, 7);
  assert.equal(countTokens(short.text), 7);
  assert.deepEqual(short.tokens, long.tokens.slice(0, 7));
});

Deno.test("without max_tokens a completion stops naturally at a sentence end", () => {
  for (const seed of seeds) {
    const { finishReason, tokens, text } = generate(model, prompt, { seed, temperature: 0.8 });
    assert.equal(finishReason, "stop");
    assert.match(tokens[tokens.length - 1], /^[.!?]$/);
    assert.equal(countTokens(text), tokens.length);
  }
});

Deno.test("a completion starts from a word of the prompt the model knows", () => {
  const { tokens } = generate(model, "Say something about grapes", {
    temperature: 0,
    maxTokens: 10,
  });
  assert.equal(tokens[0], "grapes");
  const { text } = generate(model, "", { seed: 1, maxTokens: 10 });
  assert.equal(countTokens(text), 10);
});

Deno.test("higher temperature gives more varied text", () => {
  const cold = averageOverSeeds(distinctRatio, { temperature: 0.2 });
  const hot = averageOverSeeds(distinctRatio, { temperature: 1.6 });
  assert.ok(hot > cold, `distinct ratio at 1.6 (${hot}) is not above 0.2 (${cold})`);
});

Deno.test("a low top_p narrows the choice of tokens", () => {
  const narrow = averageOverSeeds(distinctRatio, { temperature: 1.2, topP: 0.1 });
  const wide = averageOverSeeds(distinctRatio, { temperature: 1.2, topP: 1 });
  assert.ok(wide > narrow, `distinct ratio at top_p 1 (${wide}) is not above 0.1 (${narrow})`);
});

Deno.test("a higher frequency penalty repeats tokens less", () => {
  const repeats = (tokens: string[]) => tokens.length - new Set(tokens).size;
  const plain = averageOverSeeds(repeats, { temperature: 0.7, frequencyPenalty: 0 });
  const penalized = averageOverSeeds(repeats, { temperature: 0.7, frequencyPenalty: 1.5 });
  assert.ok(
    penalized < plain,
    `repeats with penalty (${penalized}) are not below without (${plain})`,
  );
  const greedyLoop = generate(model, prompt, { temperature: 0, maxTokens: 80 }).tokens;
  const greedyPenalized =
    generate(model, prompt, { temperature: 0, maxTokens: 80, frequencyPenalty: 2 }).tokens;
  assert.ok(distinctRatio(greedyPenalized) > distinctRatio(greedyLoop));
});

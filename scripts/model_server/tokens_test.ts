import assert from "node:assert/strict";
import fc from "fast-check";
import { countTokens, detokenize, LINE, PARAGRAPH, tokenize } from "./tokens.ts";

Deno.test("tokenize splits words, punctuation and breaks", () => {
  assert.deepEqual(tokenize("Haste makes waste.\n\n\nWell done, heart's ease!"), [
    "Haste",
    "makes",
    "waste",
    ".",
    PARAGRAPH,
    "Well",
    "done",
    ",",
    "heart's",
    "ease",
    "!",
  ]);
  assert.deepEqual(tokenize("1. Order\n2. Silence"), [
    "1",
    ".",
    "Order",
    LINE,
    "2",
    ".",
    "Silence",
  ]);
  assert.deepEqual(tokenize("   "), []);
});

Deno.test("detokenize glues punctuation and capitalizes sentence and line starts", () => {
  assert.equal(
    detokenize(["the", "fox", "(", "sly", ")", "ran", ".", "he", "won", "!", LINE, "-", "done"]),
    "The fox (sly) ran. He won!\n- Done",
  );
  assert.equal(detokenize(["a", PARAGRAPH, "b"]), "A\n\nB");
  assert.equal(detokenize([]), "");
});

Deno.test("detokenized text keeps its token count", () => {
  const token = fc.constantFrom(
    "fox",
    "grapes",
    "well-done",
    "it's",
    "1",
    ".",
    ",",
    ";",
    "(",
    ")",
    "-",
    LINE,
    PARAGRAPH,
  );
  const noAdjacentBreaks = (tokens: string[]) =>
    tokens.every((t, i) => !(t.startsWith("\n") && tokens[i + 1]?.startsWith("\n")));
  fc.assert(fc.property(fc.array(token, { maxLength: 40 }).filter(noAdjacentBreaks), (tokens) => {
    assert.equal(countTokens(detokenize(tokens)), tokens.length);
  }));
});

import assert from "node:assert/strict";
import { requestedSchema, structuredReply } from "./structured.ts";

const VERDICT = {
  type: "object",
  properties: {
    score: { type: "integer", minimum: 1, maximum: 7 },
    reasoning: { type: "string" },
  },
  required: ["score", "reasoning"],
};

Deno.test("requestedSchema reads a json_schema response_format and nothing else", () => {
  assert.deepEqual(
    requestedSchema({ type: "json_schema", json_schema: { name: "v", schema: VERDICT } }),
    VERDICT,
  );
  assert.equal(requestedSchema({ type: "text" }), undefined);
  assert.equal(requestedSchema(undefined), undefined);
  assert.equal(requestedSchema({ type: "json_schema", json_schema: { name: "v" } }), undefined);
});

Deno.test("structuredReply satisfies the schema and repeats for the same key", () => {
  const scores = new Set<number>();
  for (let seed = 0; seed < 50; seed++) {
    const reply = JSON.parse(structuredReply(VERDICT, `${seed}|prompt`, () => "Because."));
    assert.ok(
      Number.isInteger(reply.score) && reply.score >= 1 && reply.score <= 7,
      `score ${reply.score}`,
    );
    assert.equal(reply.reasoning, "Because.");
    assert.equal(
      structuredReply(VERDICT, `${seed}|prompt`, () => "Because."),
      JSON.stringify(reply),
    );
    scores.add(reply.score);
  }
  assert.ok(scores.size > 3, "different keys give different verdicts");
});

Deno.test("structuredReply honours enums, steps and booleans", () => {
  const reply = JSON.parse(structuredReply(
    {
      type: "object",
      properties: {
        verdict: { enum: ["A", "B", "tie"] },
        half: { type: "number", minimum: 0, maximum: 1, multipleOf: 0.5 },
        ok: { type: "boolean" },
      },
    },
    "k",
    () => "",
  ));
  assert.ok(["A", "B", "tie"].includes(reply.verdict));
  assert.ok([0, 0.5, 1].includes(reply.half));
  assert.equal(typeof reply.ok, "boolean");
});

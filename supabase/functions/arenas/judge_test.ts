import assert from "node:assert/strict";
import { readJudgeReply } from "./judge.ts";

Deno.test("readJudgeReply accepts exactly {winner: A | B | tie} and nothing else", () => {
  assert.equal(readJudgeReply('{"winner": "A"}'), "A");
  assert.equal(readJudgeReply('{"winner": "tie"}'), "tie");
  for (const raw of ["A", '{"winner": "C"}', '{"winner": "A", "why": "x"}', "[]", ""]) {
    assert.equal(readJudgeReply(raw), "unparsable", raw);
  }
});

import assert from "node:assert/strict";
import { parseTestSummary } from "./suite_times.ts";

Deno.test("parseTestSummary reads npm test's closing line", () => {
  assert.deepEqual(
    parseTestSummary("# summary\n#   pgtap 10 passed, 0 failed\n412 passed, 1 failed\n"),
    {
      passed: 412,
      failed: 1,
    },
  );
});

Deno.test("parseTestSummary returns null without a closing line", () => {
  assert.equal(parseTestSummary("Command failed\n"), null);
});

import assert from "node:assert/strict";
import { explainDenoExit } from "./deno_exit.ts";

Deno.test("explainDenoExit quotes an uncaught error reported outside the tests", () => {
  const output = [
    "./a_test.ts => a ... ok (1ms)",
    "Uncaught error from ./d_test.ts FAILED",
    " ERRORS ",
    "./d_test.ts (uncaught error)",
    "error: Error: late throw in timer",
    "This error was not caught from a test and caused the test runner to fail on the referenced module.",
    "ok | 3 passed | 0 failed (372ms)",
    "",
    "error: Test failed",
  ].join("\n");
  const reason = explainDenoExit(output, 1, null);
  assert.match(
    reason,
    /^deno test exited with code 1 after a summary with no failure; what it reported/,
  );
  assert.match(reason, /error: Error: late throw in timer/);
  assert.doesNotMatch(reason, /error: Test failed/);
});

Deno.test("explainDenoExit names the signal and shows the last lines when nothing else is said", () => {
  const reason = explainDenoExit(
    "Check a_test.ts\n./a_test.ts => a ... ok (1ms)\n",
    137,
    "SIGKILL",
  );
  assert.equal(
    reason,
    "deno test was killed by SIGKILL before printing its summary; its last lines:\n" +
      "    Check a_test.ts\n    ./a_test.ts => a ... ok (1ms)",
  );
});

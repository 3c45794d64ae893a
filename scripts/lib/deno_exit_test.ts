import assert from "node:assert/strict";
import { denoReport, explainDenoExit, namesFailingTest } from "./deno_exit.ts";

/** What `deno test --parallel` printed for a module whose timer threw after its test. */
const UNCAUGHT = [
  "./a_test.ts => a ... ok (1ms)",
  "./x_test.ts => explains an uncaught error ... ok (1ms)",
  "Uncaught error from ./d_test.ts FAILED",
  "",
  " ERRORS ",
  "",
  "./d_test.ts (uncaught error)",
  "error: Error: late throw in timer",
  "This error was not caught from a test and caused the test runner to fail on the referenced module.",
  "",
  " FAILURES ",
  "",
  "./d_test.ts (uncaught error)",
  "",
  "FAILED | 3 passed | 1 failed (372ms)",
].join("\n");

/** The same for a test that threw. */
const FAILED_TEST = [
  "./a_test.ts => a fails ... FAILED (2ms)",
  " ERRORS ",
  "a fails => ./a_test.ts:1:6",
  "error: Error: a boom",
  " FAILURES ",
  "",
  "a fails => ./a_test.ts:1:6",
  "",
  "FAILED | 1 passed | 1 failed (134ms)",
].join("\n");

const STDERR = "Check a_test.ts\nCheck d_test.ts\nerror: Test failed\n";

Deno.test("denoReport keeps the failure report and drops passing tests and Check lines", () => {
  const report = denoReport(UNCAUGHT, STDERR);
  assert.ok(report.startsWith("ERRORS"));
  assert.match(report, /error: Error: late throw in timer/);
  assert.match(report, /FAILED \| 3 passed \| 1 failed/);
  assert.match(report, /error: Test failed$/);
  assert.doesNotMatch(report, /Check |\.\.\. ok/);
});

Deno.test("namesFailingTest tells a failing test from an uncaught error alone", () => {
  assert.equal(namesFailingTest(FAILED_TEST), true);
  assert.equal(namesFailingTest(UNCAUGHT), false);
  assert.equal(namesFailingTest("ok | 3 passed | 0 failed (1s)"), false);
});

Deno.test("explainDenoExit quotes an uncaught error reported outside the tests", () => {
  const reason = explainDenoExit(`${UNCAUGHT}\n${STDERR}`, 1, null);
  assert.match(
    reason,
    /^deno test exited with code 1 after a summary naming no failing test; what it reported/,
  );
  assert.match(reason, /error: Error: late throw in timer/);
  assert.doesNotMatch(reason, /error: Test failed|\.\.\. ok/);
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
      "    ./a_test.ts => a ... ok (1ms)",
  );
});

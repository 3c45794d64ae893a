/**
 * LOCAL STACK: what `npm test` shows of a `deno test` run — its failure report
 * and, when the summary names no failing test (an uncaught error outside a
 * test, a leak, a crash, a signal), the reason it exited non-zero, so a run
 * never ends on a bare `error: Test failed`.
 */

// deno-lint-ignore no-control-regex
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");

/** Lines of Deno's output that tell why a run failed outside any test. */
const REASON_LINES = [
  /uncaught error/i,
  /^error: (?!Test failed$)/,
  /panicked/i,
  /^\s*(Leaking|Leaks detected|.* was not (closed|cleared|completed))/,
  /This error was not caught from a test/,
  /out of memory|heap limit|Killed/i,
];

/**
 * What to print of a run: stdout from its ERRORS section on (or its last
 * lines), then stderr without the `Check`/`Download` progress lines that
 * would otherwise push the failure report out of sight.
 *
 * @example
 * console.log(denoReport(result.stdout, result.stderr));
 */
export function denoReport(stdout: string, stderr: string, lines = 40): string {
  const out = plain(stdout).split("\n").filter((l) => !/ \.\.\. ok \(/.test(l));
  const errors = out.findIndex((l) => l.trim() === "ERRORS");
  const shown = errors >= 0 ? out.slice(errors) : out.slice(-lines);
  const err = plain(stderr).split("\n").filter((l) => !/^(Check|Download) /.test(l));
  return [...shown, ...err].join("\n").replace(/\n{3,}/g, "\n\n").trim();
}

/** Whether the FAILURES section names a test (`name => ./file.ts:1:6`), not only uncaught errors. */
export function namesFailingTest(stdout: string): boolean {
  const lines = plain(stdout).split("\n");
  const failures = lines.findIndex((l) => l.trim() === "FAILURES");
  return failures >= 0 && lines.slice(failures + 1).some((l) => / => \S+:\d+:\d+$/.test(l));
}

/**
 * One reason, first line a sentence, the lines of evidence after it.
 *
 * @example
 * explainDenoExit("ok | 3 passed | 0 failed\n\nerror: Test failed\n", 1, null);
 * // "deno test exited with code 1 after a summary naming no failing test, ..."
 */
export function explainDenoExit(output: string, code: number, signal: string | null): string {
  const lines = plain(output).split("\n");
  const summary = lines.findLastIndex((l) => /^(ok|FAILED) \| \d+ passed/.test(l));
  const evidence = lines.filter((l) =>
    !/ \.\.\. ok \(/.test(l) && REASON_LINES.some((pattern) => pattern.test(l))
  );
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const when = summary < 0
    ? "before printing its summary"
    : "after a summary naming no failing test";
  const tail = lines.filter((l) => l.trim() && !/^(Check|Download) /.test(l)).slice(-12);
  const shown = evidence.length > 0 ? evidence.slice(0, 20) : tail;
  const label = evidence.length > 0 ? "what it reported outside the tests" : "its last lines";
  return [`deno test ${how} ${when}; ${label}:`, ...shown.map((l) => `    ${l}`)].join("\n");
}

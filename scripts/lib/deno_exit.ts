/**
 * LOCAL STACK: why `deno test` exited non-zero when its summary names no
 * failing test — an uncaught error outside a test, a leak, a crash or a
 * signal — so `npm test` never ends on a bare `error: Test failed`.
 */

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
 * One reason, first line a sentence, the lines of evidence after it.
 *
 * @example
 * explainDenoExit("ok | 3 passed | 0 failed\n\nerror: Test failed\n", 1, null);
 * // "deno test exited with code 1 after a summary with no failure, ..."
 */
export function explainDenoExit(output: string, code: number, signal: string | null): string {
  // deno-lint-ignore no-control-regex
  const lines = output.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  const summary = lines.findLastIndex((l) => /^(ok|FAILED) \| \d+ passed/.test(l));
  const evidence = lines.filter((l) => REASON_LINES.some((pattern) => pattern.test(l)));
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const when = summary < 0 ? "before printing its summary" : "after a summary with no failure";
  const tail = lines.filter((l) => l.trim()).slice(-12);
  const shown = evidence.length > 0 ? evidence.slice(0, 20) : tail;
  const label = evidence.length > 0 ? "what it reported outside the tests" : "its last lines";
  return [`deno test ${how} ${when}; ${label}:`, ...shown.map((l) => `    ${l}`)].join("\n");
}

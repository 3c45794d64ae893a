/**
 * BENCH item 5: wall time of the pgTAP suite and of the whole `npm test`,
 * as figures to watch (no bar). pgTAP is timed alone against a prepared
 * throwaway database; `npm test` is timed as a user runs it, its own
 * database setup included.
 *
 * @module
 */
import { runUnchecked } from "../lib/process.ts";
import { pgtapSuite } from "../lib/suites.ts";
import { withThrowawayDatabase } from "../lib/throwaway.ts";
import type { Figure } from "./report.ts";

/** Counts from `npm test`'s closing line `N passed, N failed`. */
export function parseTestSummary(output: string): { passed: number; failed: number } | null {
  const match = [...output.matchAll(/^(\d+) passed, (\d+) failed$/gm)].at(-1);
  return match ? { passed: Number(match[1]), failed: Number(match[2]) } : null;
}

/**
 * Times pgTAP (and, unless told not to, the whole `npm test`).
 *
 * @example
 * const { figures } = await benchSuiteTimes({ wholeTestSuite: true }, console.log);
 */
export async function benchSuiteTimes(
  options: { wholeTestSuite: boolean },
  log: (line: string) => void,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const item = "5 test suites";
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};

  const pgtap = await withThrowawayDatabase("bench", async (target) => {
    const started = performance.now();
    const result = await pgtapSuite(target);
    return { seconds: (performance.now() - started) / 1000, ...result };
  });
  log(`  pgTAP: ${pgtap.seconds.toFixed(1)} s, ${pgtap.passed} passed, ${pgtap.failed} failed`);
  figures.push({
    item,
    name: "pgTAP suite wall time",
    value: pgtap.seconds,
    unit: "s",
    note: `${pgtap.passed} assertions passed, ${pgtap.failed} failed`,
  });
  details.pgtap = pgtap;

  if (options.wholeTestSuite) {
    const started = performance.now();
    const result = await runUnchecked(["npm", "test"], { quiet: true, env: { NO_COLOR: "1" } });
    const seconds = (performance.now() - started) / 1000;
    const counts = parseTestSummary(result.stdout);
    log(
      `  npm test: ${seconds.toFixed(1)} s, exit ${result.code}, ` +
        (counts ? `${counts.passed} passed, ${counts.failed} failed` : "no summary line"),
    );
    figures.push({
      item,
      name: "npm test wall time",
      value: seconds,
      unit: "s",
      note: counts
        ? `${counts.passed} passed, ${counts.failed} failed (exit ${result.code})`
        : `exit ${result.code}`,
    });
    details.npmTest = { seconds, exitCode: result.code, ...counts };
  } else {
    log("  npm test: skipped in --quick (several minutes)");
  }
  return { figures, details };
}

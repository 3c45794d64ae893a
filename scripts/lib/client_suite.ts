/** LOCAL STACK: the client SDK's vitest suite, counted for `npm test`. */
import type { DatabaseTarget } from "./database.ts";
import { repoRoot, runUnchecked } from "./process.ts";
import type { SuiteResult } from "./suites.ts";

/** Parses vitest's `Tests  12 passed | 1 failed (13)` line. */
export function countVitest(output: string): { passed: number; failed: number } | null {
  // deno-lint-ignore no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const line = plain.split("\n").find((l) => /^\s*Tests\s+\d/.test(l));
  if (!line) return null;
  const passed = Number(/(\d+) passed/.exec(line)?.[1] ?? 0);
  const failed = Number(/(\d+) failed/.exec(line)?.[1] ?? 0);
  return { passed, failed };
}

/** Runs `client/` tests when the client has any; they get the throwaway database's URLs. */
export async function clientSuite(target: DatabaseTarget): Promise<SuiteResult> {
  const hasTests = await Deno.stat(`${repoRoot}/client/vitest.config.ts`).then(
    () => true,
    () => false,
  );
  if (!hasTests) {
    console.log("# client: no vitest suite yet");
    return { name: "client", passed: 0, failed: 0 };
  }
  const result = await runUnchecked(["npx", "--no-install", "vitest", "run", "--root", "client"], {
    quiet: true,
    env: {
      LAB_TEST_DATABASE_URL: target.appUrl,
      LAB_TEST_ADMIN_DATABASE_URL: target.adminUrl,
      NO_COLOR: "1",
    },
  });
  const output = result.stdout + result.stderr;
  console.log(output.trimEnd().split("\n").slice(-40).join("\n"));
  const counts = countVitest(output);
  if (!counts) return { name: "client", passed: 0, failed: 1 };
  return {
    name: "client",
    ...counts,
    failed: counts.failed + (result.code !== 0 && counts.failed === 0 ? 1 : 0),
  };
}

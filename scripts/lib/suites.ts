/**
 * LOCAL STACK: the suites `npm test` runs against one throwaway database. Each
 * returns its own pass/fail counts and prints what it ran.
 */
import { createExtension, type DatabaseTarget } from "./database.ts";
import { denoReport, explainDenoExit, namesFailingTest } from "./deno_exit.ts";
import { repoRoot, runUnchecked } from "./process.ts";
import { supabaseCli } from "./supabase_cli.ts";
import { generateTypes, TYPES_PATH } from "./types.ts";

/** What one suite counted. */
export interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
}

const DENO = `${repoRoot}/node_modules/.bin/deno`;
/** Where the last `deno test` run's full output is kept. */
const DENO_LOG = `${repoRoot}/.lab/deno-test.log`;

function printTail(text: string, lines = 60): void {
  const all = text.trimEnd().split("\n");
  console.log(all.slice(-lines).join("\n"));
}

/** The committed database types must equal what the migrations generate. */
export async function typesSuite(target: DatabaseTarget): Promise<SuiteResult> {
  const generated = await generateTypes(target);
  const committed = await Deno.readTextFile(TYPES_PATH).catch(() => "");
  const same = generated === committed;
  console.log(
    same
      ? "ok - database.types.ts matches the migrations"
      : "not ok - database.types.ts is stale: run `npm run gen:types`",
  );
  return { name: "types", passed: same ? 1 : 0, failed: same ? 0 : 1 };
}

/** Lints that a fresh database reports for reasons that are not findings. */
const IGNORED_LINTS = new Set(["unused_index"]);

interface Lint {
  name: string;
  level: string;
  detail: string;
}

/** Supabase's advisors (splinter) through the CLI: every reported lint is a failure. */
export async function advisorsSuite(target: DatabaseTarget): Promise<SuiteResult> {
  const { stdout } = await supabaseCli([
    "db",
    "advisors",
    `--remote=${target.appUrl}`,
    "--level",
    "info",
    "--output-format",
    "json",
  ]);
  const lints = (JSON.parse(stdout) as { results: Lint[] }).results.filter((l) =>
    !IGNORED_LINTS.has(l.name)
  );
  for (const lint of lints) {
    console.log(`not ok - advisor ${lint.level} ${lint.name}: ${lint.detail}`);
  }
  if (lints.length === 0) console.log("ok - advisors report nothing on the project's objects");
  return { name: "advisors", passed: lints.length === 0 ? 1 : 0, failed: lints.length };
}

/** Counts TAP `ok` / `not ok` lines (pg_prove --verbose). */
export function countTap(output: string): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  for (const line of output.split("\n")) {
    if (/^\s*not ok \d+/.test(line)) failed++;
    else if (/^\s*ok \d+/.test(line)) passed++;
  }
  return { passed, failed };
}

/** pgTAP files in supabase/tests, run by Debian's pg_prove as the app role. */
export async function pgtapSuite(target: DatabaseTarget): Promise<SuiteResult> {
  // Only the tests need pgTAP, so the platform bootstrap leaves it out.
  await createExtension(target, "pgtap");
  const url = new URL(target.appUrl);
  const result = await runUnchecked([
    "pg_prove",
    "--verbose",
    "--ext",
    ".sql",
    "-r",
    "-h",
    url.hostname,
    "-p",
    url.port || "5432",
    "-U",
    decodeURIComponent(url.username),
    "-d",
    target.name,
    "supabase/tests",
  ], { quiet: true });
  const output = result.stdout + result.stderr;
  const counts = countTap(output);
  printTail(output.split("\n").filter((l) => !/^\s*ok \d+/.test(l)).join("\n"), 80);
  // A file that died before its plan finished counts as a failure even with no
  // `not ok` line, and so does a suite that ran no test at all.
  const ranNothing = counts.passed + counts.failed === 0;
  const failed = counts.failed + ((result.code !== 0 && counts.failed === 0) || ranNothing ? 1 : 0);
  return { name: "pgtap", passed: counts.passed, failed };
}

/** Static checks, one each: `deno check`, `deno lint`, `deno fmt --check`, and `tsc` over the client SDK. */
export async function staticSuite(): Promise<SuiteResult> {
  let passed = 0;
  let failed = 0;
  const checks = [
    ["deno check", DENO, "check", "supabase/functions", "scripts"],
    ["deno lint", DENO, "lint"],
    ["deno fmt --check", DENO, "fmt", "--check"],
    ["tsc -p client", "npx", "--no-install", "tsc", "-p", "client"],
  ];
  for (const [label, ...cmd] of checks) {
    const result = await runUnchecked(cmd, { quiet: true });
    if (result.code === 0) {
      passed++;
      console.log(`ok - ${label}`);
    } else {
      failed++;
      console.log(`not ok - ${label}`);
      printTail(result.stdout + result.stderr);
    }
  }
  return { name: "static", passed, failed };
}

/** Parses Deno's closing line `ok | 12 passed (3 steps) | 0 failed`. */
export function countDeno(output: string): { passed: number; failed: number } | null {
  // deno-lint-ignore no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const match = [...plain.matchAll(/(?:ok|FAILED) \| (\d+) passed[^|]*\| (\d+) failed/g)].at(-1);
  return match ? { passed: Number(match[1]), failed: Number(match[2]) } : null;
}

/** Deno unit and integration tests, with the throwaway database in the environment. */
export async function denoTestSuite(target: DatabaseTarget): Promise<SuiteResult> {
  const result = await runUnchecked([
    DENO,
    "test",
    "-A",
    "--parallel",
    "supabase/functions",
    "scripts",
  ], {
    quiet: true,
    env: {
      LAB_TEST_DATABASE_URL: target.appUrl,
      LAB_TEST_ADMIN_DATABASE_URL: target.adminUrl,
      NO_COLOR: "1",
    },
  });
  const output = result.stdout + result.stderr;
  const counts = countDeno(output);
  // The whole run stays on disk: the report below is only its failing part.
  await Deno.mkdir(`${repoRoot}/.lab`, { recursive: true });
  await Deno.writeTextFile(DENO_LOG, `${result.stdout}\n--- stderr ---\n${result.stderr}`);
  console.log(denoReport(result.stdout, result.stderr, 80));
  if (result.code !== 0) console.log(`# the whole deno test output is in ${DENO_LOG}`);
  // An uncaught error counts as a failure in Deno's summary without naming a test.
  if (result.code !== 0 && !namesFailingTest(result.stdout)) {
    console.log(`not ok - ${explainDenoExit(output, result.code, result.signal)}`);
  }
  const unexplained = result.code !== 0 && (counts?.failed ?? 0) === 0;
  return {
    name: "deno test",
    passed: counts?.passed ?? 0,
    failed: (counts?.failed ?? 0) + (unexplained || !counts ? 1 : 0),
  };
}

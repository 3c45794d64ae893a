/**
 * `npm test` — everything, against a fresh throwaway database that is dropped
 * afterwards: committed types vs migrations, Supabase advisors, pgTAP,
 * deno check/lint/test, then the client SDK's vitest suite. Ends with one line
 * `N passed, N failed` summing every suite; exits non-zero on any failure.
 *
 * The tests run on the machine's PostgreSQL (DATABASE_URL's server, default
 * 127.0.0.1:5432), which must have pgTAP; a missing prerequisite is said in
 * one sentence before anything else runs.
 *
 * `npm test -- --only pgtap,deno` runs a subset while developing.
 */
import { TEST_SERVER_URL } from "./lib/database.ts";
import { installPlainErrors, PlainError } from "./lib/plain_errors.ts";
import { checkTestPrerequisites } from "./lib/test_prerequisites.ts";
import { withThrowawayDatabase } from "./lib/throwaway.ts";
import {
  advisorsSuite,
  denoTestSuite,
  pgtapSuite,
  staticSuite,
  type SuiteResult,
  typesSuite,
} from "./lib/suites.ts";
import { clientSuite } from "./lib/client_suite.ts";
import type { DatabaseTarget } from "./lib/database.ts";

const SUITES: Record<string, (target: DatabaseTarget) => Promise<SuiteResult>> = {
  types: typesSuite,
  advisors: advisorsSuite,
  pgtap: pgtapSuite,
  static: () => staticSuite(),
  deno: denoTestSuite,
  client: clientSuite,
};

installPlainErrors();
const onlyArg = Deno.args.find((a) => a.startsWith("--only"));
const only = onlyArg
  ? (onlyArg.split("=")[1] ?? Deno.args[Deno.args.indexOf(onlyArg) + 1]).split(",")
  : null;
const selected = Object.keys(SUITES).filter((name) => !only || only.includes(name));

const missing = await checkTestPrerequisites(Deno.env.get("DATABASE_URL") ?? TEST_SERVER_URL, {
  pgProve: selected.includes("pgtap"),
});
if (missing) throw new PlainError(missing);

const results = await withThrowawayDatabase("test", async (target) => {
  console.log(`# test database ${target.name}`);
  const done: SuiteResult[] = [];
  for (const name of selected) {
    console.log(`\n# ${name}`);
    try {
      done.push(await SUITES[name](target));
    } catch (error) {
      console.log(
        `not ok - suite ${name} could not run: ${error instanceof Error ? error.message : error}`,
      );
      done.push({ name, passed: 0, failed: 1 });
    }
  }
  return done;
});

console.log("\n# summary");
for (const r of results) {
  console.log(`#   ${r.name.padEnd(12)} ${r.passed} passed, ${r.failed} failed`);
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
Deno.exit(failed === 0 ? 0 : 1);

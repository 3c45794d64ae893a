/**
 * `npm test` — everything, against a fresh throwaway database that is dropped
 * afterwards: committed types vs migrations, Supabase advisors, pgTAP,
 * deno check/lint/test, then the client SDK's vitest suite. Ends with one line
 * `N passed, N failed` summing every suite; exits non-zero on any failure.
 *
 * `npm test -- --only pgtap,deno` runs a subset while developing.
 */
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

const onlyArg = Deno.args.find((a) => a.startsWith("--only"));
const only = onlyArg
  ? (onlyArg.split("=")[1] ?? Deno.args[Deno.args.indexOf(onlyArg) + 1]).split(",")
  : null;
const selected = Object.keys(SUITES).filter((name) => !only || only.includes(name));

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

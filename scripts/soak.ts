/**
 * `npm run soak [-- --seconds N] [--max-requests N] [--concurrency N]` — the
 * long fault round: the lab's database backends terminated every 150 ms
 * under concurrent generate, exports, Data API and calibration traffic
 * (default 10 minutes, at most 1 000 000 requests), in a throwaway database
 * on this machine, the stack on loopback. Prints the answers, the
 * terminations and the consistency checks; exits non-zero unless every
 * answer was defined, every check is zero and the lab still answers.
 */
import { withThrowawayDatabase } from "./lib/throwaway.ts";
import { type FaultReport, runFaultRound } from "./fault/round.ts";

function option(name: string, fallback: number): number {
  const index = Deno.args.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(Deno.args[index + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`Invalid --${name}: use a positive integer`);
    Deno.exit(2);
  }
  return value;
}

const seconds = option("seconds", 600);
const maxRequests = option("max-requests", 1_000_000);
const concurrency = option("concurrency", 8);

console.log(
  `# soak: ${seconds} s, at most ${maxRequests} requests, ${concurrency} in flight, terminations every 150 ms`,
);
const report: FaultReport = await withThrowawayDatabase(
  "soak",
  (target) =>
    runFaultRound({
      databaseUrl: target.appUrl,
      adminUrl: target.adminUrl,
      seconds,
      maxRequests,
      concurrency,
      everyMs: 150,
    }),
);

console.log(`\n# answers (${report.requests} requests in ${report.seconds.toFixed(0)} s)`);
for (const [label, count] of Object.entries(report.answers).sort()) {
  console.log(`  ${label.padEnd(24)} ${count}`);
}
console.log(
  `\n# terminations: ${report.terminations.terminated} backends in ${report.terminations.rounds} rounds`,
);
console.log("\n# consistency");
for (const check of report.checks) console.log(`  ${check.name.padEnd(44)} ${check.violations}`);
console.log(`  ${"answers that were not a defined status".padEnd(44)} ${report.undefinedAnswers}`);
console.log(`  ${"lab answers afterwards".padEnd(44)} ${report.labAnswers ? "yes" : "NO"}`);
const ok = report.undefinedAnswers === 0 && report.labAnswers &&
  report.checks.every((check) => check.violations === 0);
console.log(ok ? "\nsoak passed" : "\nsoak FAILED");
Deno.exit(ok ? 0 : 1);

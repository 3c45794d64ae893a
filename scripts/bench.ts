/**
 * `npm run bench` — what the lab costs beyond the model, and how that grows.
 * Every figure is compared with a floor measured in the same run (these
 * machines are shared and noisy) and reported as a median over repeated
 * runs; the table is printed and `bench/results.json` written. Never part of
 * `npm test`. See bench/README.md for what each figure means.
 *
 * `npm run bench -- --quick` is the one-minute version; `--only=1,3` runs
 * some items; `--out=path` moves the results file.
 */
import { openLabServer, TEST_SERVER_URL } from "./lib/database.ts";
import { installPlainErrors } from "./lib/plain_errors.ts";
import { checkTestPrerequisites } from "./lib/test_prerequisites.ts";
import { withThrowawayDatabase } from "./lib/throwaway.ts";
import { repoRoot } from "./lib/process.ts";
import { benchAnalyticsScale } from "./bench/analytics_scale.ts";
import { benchArenas } from "./bench/arena_scale.ts";
import { benchBatchRun } from "./bench/batch_run_time.ts";
import { describeEnvironment } from "./bench/environment.ts";
import { benchExportJobs } from "./bench/export_jobs.ts";
import { benchExports } from "./bench/export_throughput.ts";
import { benchIngest } from "./bench/ingest_throughput.ts";
import { benchJobs } from "./bench/job_overhead.ts";
import { benchModelOverlap } from "./bench/model_overlap.ts";
import { benchRealtimeLatency } from "./bench/realtime_latency.ts";
import { planFromArgs } from "./bench/options.ts";
import { benchRequestOverhead } from "./bench/request_overhead.ts";
import { buildResults, type Figure, formatTable } from "./bench/report.ts";
import { benchSuiteTimes } from "./bench/suite_times.ts";
import { benchSystemMetrics } from "./bench/system_metrics_scale.ts";

installPlainErrors();
const plan = planFromArgs(Deno.args);
const started = performance.now();
const log = (line: string) => console.log(line);
const figures: Figure[] = [];
const details: Record<string, unknown> = {};

// Items 1-4, 6 and 8-11 measure the lab on the server it runs on (DATABASE_URL's or the
// embedded one); their throwaway databases, nested ones included, go there.
const givenDatabaseUrl = Deno.env.get("DATABASE_URL");
const server = await openLabServer();
Deno.env.set("DATABASE_URL", server.target.adminUrl);
const environment = await withThrowawayDatabase("bench", async (target) => {
  const environment = await describeEnvironment(target.adminUrl, plan.mode);
  log(
    `# bench (${plan.mode}) on ${environment.cores} cores, Deno ${environment.deno}, PostgreSQL ${environment.postgres}`,
  );
  log(`# database ${target.name}`);
  if (plan.items.includes("1")) {
    log("\n# 1 request overhead of generate");
    const result = await benchRequestOverhead(target, plan.overhead, log);
    figures.push(...result.figures);
    details.requestOverhead = result.details;
  }
  if (plan.items.includes("2")) {
    log("\n# 2 model latency overlapped");
    const result = await benchModelOverlap(target, plan.overlap, log);
    figures.push(...result.figures);
    details.modelOverlap = result.details;
  }
  if (plan.items.includes("4")) {
    log("\n# 4 export throughput and memory");
    const result = await benchExports(target, plan.exports, log);
    figures.push(...result.figures);
    details.exports = result.details;
  }
  if (plan.items.includes("12")) {
    log("\n# 12 exports through the job path");
    const result = await benchExportJobs(target, plan.exportJobs, log);
    figures.push(...result.figures);
    details.exportJobs = result.details;
  }
  if (plan.items.includes("9")) {
    log("\n# 9 dataset ingest throughput and memory");
    const result = await benchIngest(target, plan.ingest, log);
    figures.push(...result.figures);
    details.ingest = result.details;
  }
  if (plan.items.includes("10")) {
    log("\n# 10 batch run time against the model's");
    const result = await benchBatchRun(target, plan.batchRun, log);
    figures.push(...result.figures);
    details.batchRun = result.details;
  }
  if (plan.items.includes("7")) {
    log("\n# 7 system-metrics at scale");
    const result = await withThrowawayDatabase(
      "bench_metrics",
      (metrics) => benchSystemMetrics(metrics, plan.metrics, log),
    );
    figures.push(...result.figures);
    details.systemMetrics = result.details;
  }
  if (plan.items.includes("3")) {
    log("\n# 3 analytics trigger cost at scale");
    const result = await benchAnalyticsScale(plan.scale, log);
    figures.push(...result.figures);
    details.analyticsScale = result.points;
  }
  if (plan.items.includes("6")) {
    log("\n# 6 realtime commit-to-client latency");
    const result = await benchRealtimeLatency(target, plan.realtime, log);
    figures.push(...result.figures);
    details.realtimeLatency = result.details;
  }
  if (plan.items.includes("8")) {
    log("\n# 8 job queue overhead");
    const result = await benchJobs(target, plan.jobs, log);
    figures.push(...result.figures);
    details.jobs = result.details;
  }
  if (plan.items.includes("11")) {
    log("\n# 11 arenas: next pair under concurrent testers, ranking fit");
    const result = await benchArenas(target, plan.arenas, log);
    figures.push(...result.figures);
    details.arenas = result.details;
  }
  return environment;
});
await server.close();
// Item 5 times the tests, which run where `npm test` runs them.
if (givenDatabaseUrl === undefined) Deno.env.delete("DATABASE_URL");

if (plan.items.includes("5")) {
  log("\n# 5 pgTAP and npm test wall time");
  const missing = await checkTestPrerequisites(givenDatabaseUrl ?? TEST_SERVER_URL, {
    pgProve: true,
  });
  if (missing) {
    log(`  skipped: ${missing}`);
  } else {
    const result = await benchSuiteTimes({ wholeTestSuite: plan.wholeTestSuite }, log);
    figures.push(...result.figures);
    details.suites = result.details;
  }
}

const results = buildResults(environment, figures, details, (performance.now() - started) / 1000);
const outPath = plan.outPath.startsWith("/") ? plan.outPath : `${repoRoot}/${plan.outPath}`;
await Deno.mkdir(outPath.replace(/\/[^/]*$/, ""), { recursive: true });
await Deno.writeTextFile(outPath, JSON.stringify(results, null, 2) + "\n");

log(`\n# results (${plan.mode}, ${environment.cores} cores, ${environment.date})\n`);
log(formatTable(results.figures));
log(
  `\n${results.summary.passed} of ${results.summary.bars} bars met, ${results.summary.failed} missed; ` +
    `${results.elapsedSeconds} s; written to ${plan.outPath}`,
);

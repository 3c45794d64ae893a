/**
 * Issue 17's "done when", through the SDK against a stack of the test's
 * own (gateway, functions, worker, Storage stand-in, offline model): a
 * template with two versions, a CSV of 1 000 prompts with bad rows, a
 * batch run across a calibration with its live progress and costs, and
 * the stack killed with SIGKILL mid-run and started again on the same
 * database: the worker of the new stack takes the job over and the run
 * ends with every result exactly once.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { JobRow } from "../src/jobs.ts";
import { type StackProcess, startStackProcess } from "./own_stack.ts";
import { calibrate, createUser, labFor, noStack, setModel } from "./stack.ts";

/** A short job lease and a sweep, so the next stack takes a killed stack's job over in seconds. */
const CRASH_ENV = {
  LAB_JOB_LEASE_SECONDS: "2",
  LAB_WORKER_TICK_MS: "300",
  LAB_LLM_MAX_RETRIES: "0",
};

/** 1 000 prompts (lines 2-1001) and six bad rows after them (lines 1002-1007). */
function promptsCsv(): string {
  const lines = ["prompt,tone"];
  for (let i = 1; i <= 1000; i++) lines.push(`"Describe place ${i}, briefly",${i % 2 ? "warm" : "dry"}`);
  lines.push(",", "\"Describe place 1, briefly\",warm", "just one field", "a,b,c", ",", "=cmd,@x");
  return lines.join("\r\n") + "\r\n";
}

describe.skipIf(noStack)("a batch run survives its worker being killed", () => {
  let stack: StackProcess | null = null;
  afterEach(async () => {
    await stack?.stop();
    stack = null;
  });

  it("comes back right through the SDK: skips, live progress, costs, the resumed run", async () => {
    stack = await startStackProcess(CRASH_ENV);
    const user = await createUser("crash", { on: stack.info });
    let lab = labFor(user, undefined, stack.info);

    // A template with two versions; the run takes the one labelled production.
    const created = await lab.templates.create({
      name: "places",
      version: { body: "{{prompt}}", commitMessage: "as given" },
    });
    const templateId = created.data!.template.id;
    const second = await lab.templates.createVersion(templateId, {
      body: "{{prompt}} In a {{tone}} voice.",
      commitMessage: "with a tone",
    });
    expect(second.data?.version).toBe(2);
    await lab.templates.setLabel(templateId, "production", 2);

    // 1 000 prompts and bad rows: the skips come back with reasons and lines.
    const dataset = await lab.datasets.create({ name: "places" });
    const ingestProgress: JobRow["progress"][] = [];
    const ingest = await lab.datasets.upload(dataset.data!.id, promptsCsv(), {
      onProgress: (job) => ingestProgress.push(job.progress),
    });
    expect(ingest.error).toBeNull();
    const { version, job: ingestJob } = ingest.data!;
    expect(version).toMatchObject({ status: "completed", saved_count: 1001, skipped_count: 5 });
    expect(version.skipped_by_reason).toEqual({ empty: 2, duplicate: 1, missing_column: 1, malformed: 1 });
    expect(ingestJob).toMatchObject({ status: "succeeded", progress: { done: 1001, skipped: 5 } });
    const skips = await lab.datasets.skips(version.id);
    expect(skips.data!.map((s) => [s.line_number, s.reason])).toEqual([
      [1002, "empty"],
      [1003, "duplicate"],
      [1004, "missing_column"],
      [1005, "malformed"],
      [1006, "empty"],
    ]);

    // The run across the calibration, slow enough to be killed halfway.
    const calibration = await calibrate(lab);
    await setModel({ latencyMs: 40 }, stack.info);
    const started = await lab.runs.create({
      template: { name: "places", label: "production" },
      datasetVersionId: version.id,
      calibrationId: calibration.id,
      concurrency: 8,
    });
    expect(started.error).toBeNull();
    const runId = started.data!.run.id;
    const jobId = started.data!.job!.id;
    const live: number[] = [];
    for (let i = 0; i < 600; i++) {
      const job = await lab.jobs.get(jobId);
      live.push(job.data!.progress.done);
      if (job.data!.progress.done >= 300) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(live.at(-1)).toBeGreaterThanOrEqual(300);
    expect(new Set(live).size).toBeGreaterThan(2);
    await stack.kill();

    // The lab comes back on the same database; its worker's sweep takes the job over.
    stack = await startStackProcess(CRASH_ENV);
    lab = labFor(user, undefined, stack.info);
    const resumed = await lab.runs.resume(runId);
    expect(resumed.data?.job?.id).toBe(jobId); // the same job, not a second one
    const seen: number[] = [];
    const done = await lab.runs.wait(runId, jobId, {
      intervalMs: 100,
      onProgress: (job) => seen.push(job.progress.done),
    });
    expect(done.error).toBeNull();
    expect(done.data!.job.status).toBe("succeeded");
    expect(done.data!.job.attempts).toBeGreaterThanOrEqual(2); // the killed worker's claim counted
    expect(done.data!.run).toMatchObject({
      status: "completed",
      total_results: 1001,
      succeeded_count: 1001,
      failed_count: 0,
      unpriced_results: 0,
    });
    expect(seen).toEqual([...seen].sort((a, b) => a - b));

    // Every result exactly once, its cost in the run's.
    const results = [];
    for (let offset = 0; offset < 1001; offset += 500) {
      results.push(...(await lab.runs.results(runId, { offset, limit: 500 })).data!);
    }
    expect(results).toHaveLength(1001);
    expect(new Set(results.map((r) => r.line_number)).size).toBe(1001);
    expect(results.every((r) => r.status === "succeeded" && r.response?.status === "succeeded"))
      .toBe(true);
    expect(results.some((r) => r.attempts === 2)).toBe(true); // claimed by the killed worker
    const total = results.reduce((sum, r) => sum + Number(r.cost_usd), 0);
    expect(done.data!.run.cost_usd).toBeCloseTo(total, 8);
    expect(results[0].prompt).toBe("Describe place 1, briefly In a warm voice.");
    const summary = await lab.runs.summary(runId, { bins: 4 });
    expect(summary.data!.template).toMatchObject({ name: "places", version: 2 });
    expect(summary.data!.totals).toMatchObject({ results: 1001, succeeded: 1001, unpricedResults: 0 });
    expect(summary.data!.totals.costUsd).toBeCloseTo(total, 8);
  }, 180_000);
});

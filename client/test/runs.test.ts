/**
 * Templates, prices, datasets and batch runs through the SDK against the
 * real local gateway and the offline model: a template with two versions
 * and a moving label, a price of one's own, a CSV uploaded with bad rows and
 * its skips read back, a run whose failed results are resumed, its results
 * and summary; strangers see none of it.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  LabAuthError,
  LabConflictError,
  LabNotFoundError,
  LabValidationError,
} from "../src/index.ts";
import { calibrate, createUser, labFor, noStack, resetModel, setModel } from "./stack.ts";

const parameters = { temperature: 0.5, top_p: 0.9, max_tokens: 24, frequency_penalty: 0 };

describe.skipIf(noStack)("templates, datasets and runs over HTTP", () => {
  afterEach(async () => {
    await resetModel();
  });

  it("keeps template versions and moves a label between them", async () => {
    const lab = labFor(await createUser("templates"));
    const created = await lab.templates.create({
      name: "haiku",
      version: { body: "A haiku about {{topic}}.", commitMessage: "first" },
    });
    expect(created.error).toBeNull();
    const templateId = created.data!.template.id;
    expect(created.data!.version).toMatchObject({ version: 1, variables: ["topic"] });
    const second = await lab.templates.createVersion(templateId, {
      body: "A {{tone}} haiku about {{topic}}.",
      systemPrompt: "You are terse.",
      defaultParameters: parameters,
      commitMessage: "tone",
    });
    expect(second.data).toMatchObject({ version: 2, variables: ["tone", "topic"] });
    const versions = await lab.templates.versions(templateId);
    expect(versions.data!.map((v) => v.version)).toEqual([2, 1]);
    expect(versions.data![0].default_parameters).toEqual(parameters);

    expect((await lab.templates.setLabel(templateId, "production", 1)).data?.version).toBe(1);
    const again = await lab.templates.setLabel(templateId, "production", 2);
    expect(again.error).toBeInstanceOf(LabConflictError);
    expect((await lab.templates.moveLabel(templateId, "production", 2)).data?.version).toBe(2);
    const missing = await lab.templates.moveLabel(templateId, "staging", 1);
    expect(missing.error).toBeInstanceOf(LabNotFoundError);
    expect((await lab.templates.labels(templateId)).data!.map((l) => [l.label, l.version]))
      .toEqual([["production", 2]]);
    expect((await lab.templates.removeLabel(templateId, "production")).error).toBeNull();
    expect((await lab.templates.labels(templateId)).data).toEqual([]);

    const stranger = labFor(await createUser("templates-stranger"));
    expect((await stranger.templates.versions(templateId)).data).toEqual([]);
    expect((await stranger.templates.createVersion(templateId, { body: "x" })).error)
      .not.toBeNull();
  });

  it("lists the lab's prices and adds and removes one's own", async () => {
    const lab = labFor(await createUser("prices"));
    const listed = await lab.prices.list({ model: "gpt-4o" });
    expect(listed.error).toBeNull();
    expect(listed.data!.some((p) => p.user_id === null && p.input_per_million === 2.5)).toBe(true);
    const added = await lab.prices.add({
      model: "my-llama",
      inputPerMillion: 0.2,
      outputPerMillion: 0.6,
      note: "own GPU",
    });
    expect(added.error).toBeNull();
    expect(added.data).toMatchObject({ model: "my-llama", output_per_million: 0.6 });
    const stranger = labFor(await createUser("prices-stranger"));
    expect((await stranger.prices.list({ model: "my-llama" })).data).toEqual([]);
    const negative = await lab.prices.add({ model: "x", inputPerMillion: -1, outputPerMillion: 1 });
    expect(negative.error).not.toBeNull();
    expect((await lab.prices.remove(added.data!.id)).error).toBeNull();
    expect((await lab.prices.list({ model: "my-llama" })).data).toEqual([]);
  });

  it("ingests a CSV with bad rows, runs it, resumes its failures and summarises it", async () => {
    const user = await createUser("runs");
    const lab = labFor(user);
    const calibration = await calibrate(lab);
    const template = await lab.templates.create({
      name: "about",
      version: { body: "Two sentences about {{topic}}." },
    });
    const v2 = await lab.templates.createVersion(template.data!.template.id, {
      body: "Two sentences about {{topic}} for {{audience}}.",
    });
    const dataset = await lab.datasets.create({ name: "topics" });
    expect(dataset.error).toBeNull();
    const csv = "\uFEFFtopic,note\r\nrain,a\r\n,\r\nfog,\"multi\nline\"\r\nrain,a\r\ntides,b,c\r\nsnow,d\r\n";
    const uploaded = await lab.datasets.upload(dataset.data!.id, csv, { fileName: "topics.csv" });
    expect(uploaded.error).toBeNull();
    const { version, job: ingestJob } = uploaded.data!;
    expect(ingestJob).toMatchObject({
      id: version.id,
      kind: "dataset_ingest",
      status: "succeeded",
      progress: { done: 3, skipped: 3, skippedByReason: { empty: 1, duplicate: 1, malformed: 1 } },
    });
    expect(version).toMatchObject({ status: "completed", saved_count: 3, skipped_count: 3 });
    expect(version.skipped_by_reason).toEqual({ empty: 1, duplicate: 1, malformed: 1 });
    expect(version.source_path.startsWith(`${user.id}/`)).toBe(true);
    const skips = await lab.datasets.skips(version.id);
    expect(skips.data!.map((s) => [s.line_number, s.reason])).toEqual([
      [3, "empty"],
      [6, "duplicate"],
      [7, "malformed"],
    ]);
    expect((await lab.datasets.items(version.id)).data!.map((i) => i.item_values.topic))
      .toEqual(["rain", "fog", "snow"]);
    expect((await lab.datasets.version(version.id)).data?.status).toBe("completed");
    expect((await lab.datasets.versions(dataset.data!.id)).data!.map((v) => v.version)).toEqual([1]);

    const refused = await lab.runs.create({
      templateVersionId: v2.data!.id,
      datasetVersionId: version.id,
      calibrationId: calibration.id,
    });
    expect(refused.error).toBeInstanceOf(LabValidationError);
    expect(refused.error?.code).toBe("missing_variables");
    expect(refused.error?.message).toContain("audience");

    const created = await lab.runs.create({
      template: { name: "about", version: 1 },
      datasetVersionId: version.id,
      calibrationId: calibration.id,
      responsesPerItem: 2,
      concurrency: 2,
    });
    expect(created.error).toBeNull();
    const runId = created.data!.run.id;
    expect(created.data!.run).toMatchObject({ status: "pending", total_results: 6 });
    expect(created.data!.job).toMatchObject({ id: runId, kind: "batch_run" });

    const seen: number[] = [];
    const waited = await lab.runs.wait(runId, created.data!.job!.id, {
      intervalMs: 20,
      onProgress: (job) => seen.push(job.progress.done + job.progress.skipped),
    });
    expect(waited.error).toBeNull();
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(waited.data!.job.status).toBe("succeeded");
    expect(waited.data!.run).toMatchObject({ status: "completed", succeeded_count: 6 });
    const finished = { data: waited.data!.run };
    expect(finished.data.cost_usd).toBeGreaterThan(0);
    const results = await lab.runs.results(runId);
    expect(results.data!.map((r) => [r.line_number, r.repeat])).toEqual([
      [2, 0], [2, 1], [4, 0], [4, 1], [8, 0], [8, 1],
    ]);
    expect(results.data!.every((r) => r.response?.status === "succeeded")).toBe(true);
    expect((await lab.runs.resume(runId)).data?.job).toBeNull();

    const summary = await lab.runs.summary(runId, { bins: 3 });
    expect(summary.error).toBeNull();
    expect(summary.data!.template).toMatchObject({ name: "about", version: 1 });
    expect(summary.data!.totals).toMatchObject({ results: 6, succeeded: 6, failed: 0, pending: 0 });
    expect(summary.data!.totals.costUsd).toBeCloseTo(finished.data!.cost_usd, 8);
    expect(summary.data!.byBin.reduce((n, b) => n + b.results, 0)).toBe(6);
    expect((await lab.runs.get(runId)).data?.status).toBe("completed");

    // The completed run's items are experiments: the existing exports reach them by runId.
    const exported = await lab.exports.create({ format: "csv", filter: { runId } });
    expect(exported.error).toBeNull();
    expect(exported.data).toMatchObject({ experimentCount: 3, responseCount: 6 });
    const file = await lab.exports.download(exported.data!.id);
    const lines = new TextDecoder().decode(file.data!.bytes).trimEnd().split("\r\n");
    expect(lines).toHaveLength(7);
    expect(lines.slice(1).filter((l) => l.includes("Two sentences about fog."))).toHaveLength(2);
    const experiments = await lab.experiments.list({ calibrationId: calibration.id });
    expect(experiments.data!.filter((e) => e.batch_run_id === runId)).toHaveLength(3);

    const stranger = labFor(await createUser("runs-stranger"));
    expect((await stranger.runs.get(runId)).error).toBeInstanceOf(LabNotFoundError);
    expect((await stranger.runs.summary(runId)).error).toBeInstanceOf(LabNotFoundError);
    expect((await stranger.runs.resume(runId)).error).toBeInstanceOf(LabNotFoundError);
    expect((await stranger.datasets.version(version.id)).error).toBeInstanceOf(LabNotFoundError);
    const foreign = await stranger.datasets.createVersion(dataset.data!.id, {
      path: version.source_path,
    });
    expect(foreign.error).toBeInstanceOf(LabNotFoundError);
    expect((await stranger.jobs.get(runId)).error).toBeInstanceOf(LabNotFoundError);
    expect((await labFor(null).runs.create({
      templateVersionId: v2.data!.id,
      datasetVersionId: version.id,
      parameters,
    })).error).toBeInstanceOf(LabAuthError);
  });

  it("cancels a run and refuses a summary with bad options", async () => {
    const lab = labFor(await createUser("runs-cancel"));
    const template = await lab.templates.create({ name: "t", version: { body: "About {{topic}}." } });
    const dataset = await lab.datasets.create({ name: "d" });
    const version = await lab.datasets.upload(dataset.data!.id, "topic\nrain\nfog\n");
    await setModel({ mode: "hang" });
    const run = await lab.runs.create({
      templateVersionId: template.data!.version!.id,
      datasetVersionId: version.data!.version.id,
      parameters,
      concurrency: 1,
    });
    expect((await lab.jobs.cancel(run.data!.job!.id)).error).toBeNull();
    await resetModel(); // frees the hanging call, so the slice ends and sees the cancel
    const cancelled = await lab.runs.wait(run.data!.run.id, run.data!.job!.id, { intervalMs: 20 });
    expect(cancelled.data!.job.status).toBe("cancelled");
    expect(cancelled.data!.run.status).toBe("cancelled");
    const resumed = await lab.runs.resume(run.data!.run.id);
    expect(resumed.data!.job).not.toBeNull();
    const again = await lab.runs.wait(run.data!.run.id, resumed.data!.job!.id, { intervalMs: 20 });
    expect(again.data!.run).toMatchObject({ status: "completed", succeeded_count: 2 });
    const bad = await lab.runs.summary(run.data!.run.id, { bins: 99 });
    expect(bad.error).toBeInstanceOf(LabValidationError);
    expect(bad.error?.code).toBe("invalid_request");
  });
});

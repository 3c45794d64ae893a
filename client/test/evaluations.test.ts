/**
 * Evaluations against the real local gateway and the offline model: the
 * owner's experiments, a queue shared with a second user who rates through
 * the SDK, a judge run over the same responses, then agreement, per-bin
 * scores, and a ZIP export that holds all of it.
 */
import { strFromU8, unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { BUILT_IN_CONFIGS, LabNotFoundError, LabValidationError } from "../src/index.ts";
import { calibrate, createUser, labFor, noStack } from "./stack.ts";

describe.skipIf(noStack)("evaluations over HTTP", () => {
  it("a reviewer rates a shared queue, a judge scores the same responses, and the figures come back", async () => {
    const ownerUser = await createUser("eval-owner");
    const reviewerUser = await createUser("eval-reviewer");
    const owner = labFor(ownerUser);
    const reviewer = labFor(reviewerUser);
    const calibration = await calibrate(owner);
    for (const seed of [1, 2]) {
      const run = await owner.generate({
        prompt: "Describe the harbour at dawn.",
        calibration_id: calibration.id,
        numResponses: 3,
        seed,
      });
      expect(run.error).toBeNull();
    }

    const queue = await owner.evaluations.createQueue({
      name: "Realism pass",
      configIds: [BUILT_IN_CONFIGS.realism],
      reviewers: [reviewerUser.email],
      calibrationId: calibration.id,
    });
    expect(queue.error).toBeNull();
    expect(queue.data?.items).toBe(6);

    let rated = 0;
    for (;;) {
      const next = await reviewer.evaluations.nextReviewItem(queue.data!.id);
      expect(next.error).toBeNull();
      if (next.data === null) break;
      expect(next.data.parameters).toBeNull();
      const value = 1 + (next.data.responseText.length % 7);
      const submitted = await reviewer.evaluations.submitReview(next.data.itemId, {
        ratings: [{ configId: BUILT_IN_CONFIGS.realism, value }],
      });
      expect(submitted.error).toBeNull();
      rated++;
    }
    expect(rated).toBe(6);

    const judge = await owner.evaluations.createJudge({
      name: "Harbour realism",
      rubric: "Rate how realistic the description is.",
      configId: BUILT_IN_CONFIGS.realism,
    });
    expect(judge.error).toBeNull();
    const progress: number[] = [];
    const run = await owner.evaluations.runJudge(
      { judgeVersionId: judge.data!.judgeVersionId, calibrationId: calibration.id },
      { onProgress: (job) => progress.push(job.progress.done), intervalMs: 50 },
    );
    expect(run.error).toBeNull();
    expect(run.data).toMatchObject({ scored: 6, unparsable: 0, failed: 0 });
    expect(progress.every((done) => done <= 6)).toBe(true);
    const [job] = (await owner.jobs.list({ kind: "judge_run" })).data!;
    expect(job).toMatchObject({ status: "succeeded", progress: { total: 6, done: 6, skipped: 0 } });

    const agreement = await owner.evaluations.agreement({
      configId: BUILT_IN_CONFIGS.realism,
      calibrationId: calibration.id,
    });
    expect(agreement.error).toBeNull();
    expect(agreement.data?.judgeVsHuman.judgeVersionId).toBe(judge.data!.judgeVersionId);
    expect(agreement.data?.judgeVsHuman.exact.n).toBe(6);
    expect(agreement.data?.humans.raters).toBe(1);

    const bins = await owner.evaluations.bins({ calibrationId: calibration.id, bins: 3 });
    expect(bins.error).toBeNull();
    const sources = new Set(
      bins.data!.filter((b) => b.configId === BUILT_IN_CONFIGS.realism).map((b) => b.source),
    );
    expect([...sources].sort()).toEqual(["human", "judge"]);
    const people = bins.data!.filter((b) => b.configId === BUILT_IN_CONFIGS.realism && b.source === "human");
    expect(people.reduce((sum, b) => sum + b.count, 0)).toBe(6);

    const exported = await owner.exports.create({ format: "zip", filter: { calibrationId: calibration.id } });
    expect(exported.error).toBeNull();
    const zip = await owner.exports.download(exported.data!.id);
    expect(zip.error).toBeNull();
    const entries = unzipSync(zip.data!.bytes);
    const manifest = JSON.parse(strFromU8(entries["manifest.json"]));
    // Six responses: a person's and the judge's realism, four heuristic scores each.
    expect(manifest.counts).toMatchObject({ ratings: 36, scoreConfigs: 5, judgeVersions: 1, judgeVerdicts: 6 });
    const ratings = strFromU8(entries["ratings.csv"]);
    const count = (needle: string) => ratings.split(needle).length - 1;
    expect(count(`,realism,human,${reviewerUser.id},,`)).toBe(6);
    expect(count(`,realism,judge,,${judge.data!.judgeVersionId},`)).toBe(6);
    expect(count(",heuristic,,,")).toBe(24);
    const [version] = JSON.parse(strFromU8(entries["judge_versions.json"])).judgeVersions;
    expect(version).toMatchObject({ id: judge.data!.judgeVersionId, rubric: "Rate how realistic the description is." });
    const verdicts = JSON.parse(strFromU8(entries["judge_verdicts.json"])).verdicts;
    expect(verdicts.map((v: { status: string }) => v.status)).toEqual(Array(6).fill("scored"));
    const configs = JSON.parse(strFromU8(entries["score_configs.json"])).scoreConfigs;
    expect(configs.map((c: { id: string }) => c.id)).toContain(BUILT_IN_CONFIGS.realism);

    const stranger = labFor(await createUser("eval-stranger"));
    const theirs = await stranger.evaluations.nextReviewItem(queue.data!.id);
    expect(theirs.error).toBeInstanceOf(LabNotFoundError);
    const bad = await owner.evaluations.rate({
      experimentId: crypto.randomUUID(),
      responseIndex: 0,
      configId: BUILT_IN_CONFIGS.realism,
      value: 3,
    });
    expect(bad.error).toBeInstanceOf(LabNotFoundError);
    const outOfRange = await reviewer.evaluations.submitReview(crypto.randomUUID(), {
      ratings: [{ configId: "not-a-uuid", value: 3 }],
    });
    expect(outOfRange.error).toBeInstanceOf(LabValidationError);
  });
});

/** The jobs calls against the real local gateway and Data API. */
import { describe, expect, it } from "vitest";
import { LabNotFoundError } from "../src/index.ts";
import { createQueuedJob, createUser, labFor, noStack } from "./stack.ts";

describe.skipIf(noStack)("jobs over HTTP", () => {
  it("shows the owner their job, lists it, and cancels it", async () => {
    const owner = await createUser("jobs-owner");
    const lab = labFor(owner);
    const id = await createQueuedJob(owner, "sdk_probe", 4);

    const got = await lab.jobs.get(id);
    expect(got.error).toBeNull();
    expect(got.data).toMatchObject({
      id,
      kind: "sdk_probe",
      status: "queued",
      progress: { total: 4, done: 0, skipped: 0, skippedByReason: {} },
      attempts: 0,
      maxAttempts: 5,
      cancelRequested: false,
    });
    const listed = await lab.jobs.list({ kind: "sdk_probe" });
    expect(listed.data?.map((job) => job.id)).toEqual([id]);

    const cancelled = await lab.jobs.cancel(id);
    expect(cancelled.error).toBeNull();
    expect(cancelled.data?.cancelRequested).toBe(true);
  });

  it("hides a job from everyone else: 404 to read or cancel", async () => {
    const owner = await createUser("jobs-hidden-owner");
    const id = await createQueuedJob(owner, "sdk_probe");
    const stranger = labFor(await createUser("jobs-stranger"));
    expect((await stranger.jobs.get(id)).error).toBeInstanceOf(LabNotFoundError);
    const refused = await stranger.jobs.cancel(id);
    expect(refused.error).toBeInstanceOf(LabNotFoundError);
    expect(refused.error?.code).toBe("job_not_found");
    expect((await stranger.jobs.list()).data).toEqual([]);
  });

  it("waits with progress and gives up at its timeout", async () => {
    const owner = await createUser("jobs-wait");
    const id = await createQueuedJob(owner, "sdk_probe");
    const seen: string[] = [];
    const { data, error } = await labFor(owner).jobs.wait(id, {
      intervalMs: 20,
      timeoutMs: 100,
      onProgress: (job) => seen.push(job.status),
    });
    expect(data).toBeNull();
    expect(error?.code).toBe("timeout");
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set(["queued"]));
  });
});

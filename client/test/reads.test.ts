/**
 * Reads of the caller's own rows and save/discard, through supabase-js and
 * the local PostgREST stand-in: the database's RLS and grants decide.
 */
import { describe, expect, it } from "vitest";
import { LabNotFoundError } from "../src/index.ts";
import { calibrate, createUser, labFor, noStack } from "./stack.ts";

describe.skipIf(noStack)("reads and updates through PostgREST", () => {
  it("lists only the caller's experiments; another user's are invisible and untouchable", async () => {
    const alice = labFor(await createUser("alice"));
    const bob = labFor(await createUser("bob"));
    const calibration = await calibrate(alice);
    const run = await alice.generate({
      prompt: "Mine",
      calibration_id: calibration.id,
      numResponses: 1,
    });
    expect(run.error).toBeNull();
    const id = run.data!.experimentId;

    expect((await alice.experiments.list()).data?.map((e) => e.id)).toEqual([id]);
    expect((await bob.experiments.list()).data).toEqual([]);
    expect((await bob.experiments.get(id)).error).toBeInstanceOf(LabNotFoundError);
    expect((await bob.experiments.discard(id)).error).toBeInstanceOf(LabNotFoundError);
    expect((await bob.analytics.get(calibration.id)).data).toBeNull();
    expect((await bob.audit.byCorrelationId(run.correlationId!)).data).toEqual([]);
    expect((await alice.experiments.get(id)).data?.discarded).toBe(false);
  });

  it("save and discard flip the flags, and discarding moves the analytics summary", async () => {
    const lab = labFor(await createUser("flags"));
    const calibration = await calibrate(lab);
    const ids: string[] = [];
    for (const prompt of ["One", "Two"]) {
      const { data, error } = await lab.generate({
        prompt,
        calibration_id: calibration.id,
        numResponses: 1,
      });
      expect(error).toBeNull();
      ids.push(data!.experimentId);
    }
    const before = await lab.analytics.get(calibration.id);
    expect(before.data?.experiment_count).toBe(2);
    expect(before.data?.metrics_summary.count).toBe(2);

    const saved = await lab.experiments.save(ids[0]);
    expect(saved.data).toMatchObject({ id: ids[0], saved: true, discarded: false });
    const correlationId = crypto.randomUUID();
    const discarded = await lab.experiments.discard(ids[1], { correlationId });
    expect(discarded.data).toMatchObject({ id: ids[1], discarded: true });
    const trail = await lab.audit.byCorrelationId(correlationId);
    expect(trail.data?.map((e) => [e.event_type, e.event_data])).toEqual([
      ["analytics_updated", expect.objectContaining({ change: "removed", experimentId: ids[1] })],
    ]);

    const after = await lab.analytics.get(calibration.id);
    expect(after.data?.metrics_summary.count).toBe(1);
    expect((await lab.experiments.list()).data?.map((e) => e.id)).toEqual([ids[0]]);
    expect((await lab.experiments.list({ includeDiscarded: true })).data).toHaveLength(2);
    expect((await lab.experiments.list({ savedOnly: true })).data?.map((e) => e.id)).toEqual([
      ids[0],
    ]);
  });

  it("reads the audit trail of one request by its correlation id", async () => {
    const lab = labFor(await createUser("trail"));
    const calibration = await calibrate(lab);
    const run = await lab.generate({
      prompt: "Trace me",
      calibration_id: calibration.id,
      numResponses: 1,
    });
    const trail = await lab.audit.byCorrelationId(run.correlationId!);
    expect(trail.error).toBeNull();
    const types = trail.data!.map((event) => event.event_type);
    expect(types).toEqual(
      expect.arrayContaining(["llm_request_started", "experiment_generated", "analytics_updated"]),
    );
  });

  it("an export's manifest matches what the reads show", async () => {
    const lab = labFor(await createUser("consistent"));
    const calibration = await calibrate(lab);
    await lab.generate({ prompt: "Count me", calibration_id: calibration.id, numResponses: 2 });
    const experiments = await lab.experiments.list();
    const created = await lab.exports.create({
      format: "json",
      filter: { calibrationId: calibration.id },
    });
    expect(created.data?.experimentCount).toBe(experiments.data?.length);
  });
});

/**
 * The live feeds through the real stack: the SDK over the real supabase-js
 * client, the Realtime stand-in behind the gateway, the live-feed triggers
 * and policies. Also what the SDK does with messages that break the
 * contract, against a fake channel.
 */
import { describe, expect, it } from "vitest";
import { type LiveContext, onExperiment, onJob, type RowChange } from "../src/realtime.ts";
import type { AnalyticsSummaryRow, ExperimentRow, JobProgress, LabError } from "../src/index.ts";
import { calibrate, createUser, labFor, noStack } from "./stack.ts";

function waitFor<T>(values: T[], predicate: (value: T) => boolean, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const found = values.find(predicate);
      if (found !== undefined) return resolve(found);
      if (Date.now() - started > 15_000) return reject(new Error(`Timed out waiting for ${what}`));
      setTimeout(check, 25);
    };
    check();
  });
}

describe.skipIf(noStack)("live feeds over the Realtime stand-in", () => {
  it("delivers the caller's new experiment and analytics change, and nothing to another user", async () => {
    const owner = await createUser("live");
    const stranger = await createUser("live-stranger");
    const lab = labFor(owner);
    const other = labFor(stranger);
    const calibration = await calibrate(lab);

    const experiments: RowChange<ExperimentRow>[] = [];
    const analytics: RowChange<AnalyticsSummaryRow>[] = [];
    const strangers: unknown[] = [];
    const statuses: string[] = [];
    const stops = [
      lab.onExperiment((c) => experiments.push(c), { onStatus: (s) => statuses.push(`e:${s}`) }),
      lab.onAnalytics(calibration.id, (c) => analytics.push(c), {
        onStatus: (s) => statuses.push(`a:${s}`),
      }),
      other.onExperiment((c) => strangers.push(c), { onStatus: (s) => statuses.push(`s:${s}`) }),
      other.onAnalytics(calibration.id, (c) => strangers.push(c)),
    ];
    try {
      for (const name of ["e:SUBSCRIBED", "a:SUBSCRIBED", "s:SUBSCRIBED"]) {
        await waitFor(statuses, (s) => s === name, name);
      }
      const run = await lab.generate({ prompt: "Live", calibration_id: calibration.id, numResponses: 2 });
      expect(run.error).toBeNull();

      const inserted = await waitFor(experiments, (c) => c.event === "INSERT", "the experiment");
      expect(inserted.row?.id).toBe(run.data!.experimentId);
      expect(inserted.row?.responses).toHaveLength(2);
      const summary = await waitFor(analytics, (c) => (c.row?.metrics_summary.count ?? 0) >= 1, "analytics");
      expect(summary.row?.calibration_id).toBe(calibration.id);

      const saved = await lab.experiments.save(run.data!.experimentId);
      expect(saved.error).toBeNull();
      const updated = await waitFor(experiments, (c) => c.event === "UPDATE" && c.row?.saved === true, "the save");
      expect(updated.old?.saved).toBe(false);

      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(strangers).toEqual([]);
    } finally {
      await Promise.all(stops.map((stop) => stop()));
    }
  });
});

describe("live feed messages against the contracts", () => {
  function fakeContext() {
    const handlers: ((message: { payload: unknown }) => void)[] = [];
    const joined: { name: string; private: boolean; event: string }[] = [];
    const context = {
      userId: () => Promise.resolve("u1"),
      supabase: {
        realtime: { setAuth: () => Promise.resolve() },
        channel(name: string, options: { config: { private: boolean } }) {
          const channel = {
            on(_type: string, filter: { event: string }, handler: (m: { payload: unknown }) => void) {
              joined.push({ name, private: options.config.private, event: filter.event });
              handlers.push(handler);
              return channel;
            },
            subscribe: () => channel,
          };
          return channel;
        },
        removeChannel: () => Promise.resolve("ok"),
      },
    } as unknown as LiveContext;
    const deliver = async (payload: unknown) => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      for (const handler of handlers) handler({ payload });
    };
    return { context, joined, deliver };
  }

  it("joins the private topic of the signed-in user and skips rows that break the contract", async () => {
    const { context, joined, deliver } = fakeContext();
    const rows: unknown[] = [];
    const errors: LabError[] = [];
    onExperiment(context, (c) => rows.push(c), { onError: (e) => errors.push(e) });
    await deliver({
      operation: "INSERT",
      schema: "public",
      table: "experiments",
      record: { id: "e1", parameters: {}, responses: "nope", status: "completed" },
      old_record: null,
    });
    await deliver({ nonsense: true });
    expect(joined).toEqual([{ name: "experiments:u1", private: true, event: "*" }]);
    expect(rows).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(["invalid_response", "invalid_response"]);
  });

  it("onJob passes progress that matches the contract", async () => {
    const { context, joined, deliver } = fakeContext();
    const steps: JobProgress[] = [];
    onJob(context, "j1", (p) => steps.push(p));
    const step = {
      job_id: "j1",
      kind: "export",
      status: "running",
      progress: null,
      error: null,
      result: null,
      updated_at: "2026-12-02T00:00:00+00:00",
    };
    await deliver(step);
    await deliver({ ...step, status: "exploded" });
    expect(joined).toEqual([{ name: "job:j1", private: true, event: "progress" }]);
    expect(steps).toEqual([step]);
  });
});

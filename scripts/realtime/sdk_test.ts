/**
 * The lab SDK's live feeds (client/src/realtime.ts) against the stand-in:
 * a job's progress, and a feed that keeps working after the server drops
 * every connection and comes back.
 */
import assert from "node:assert/strict";
import { createLabClient } from "../../client/src/index.ts";
import type { JobProgress } from "../../supabase/functions/_shared/contracts/live.ts";
import { LOCAL_ANON_KEY } from "../lib/local_auth.ts";
import {
  createUser,
  DATABASE_URL,
  insertCalibration,
  insertExperiment,
  RealtimeHarness,
  settle,
  type User,
  waitFor,
} from "./test_harness.ts";

const ignore = !DATABASE_URL;

function labFor(harness: RealtimeHarness, user: User) {
  return createLabClient({
    url: harness.url,
    anonKey: LOCAL_ANON_KEY,
    accessToken: user.token,
    realtime: { reconnectAfterMs: () => 200 },
  });
}

Deno.test({
  name: "onJob delivers each status change of the caller's export job, and none to another user",
  ignore,
  async fn() {
    const harness = new RealtimeHarness();
    harness.start();
    const owner = await createUser();
    const stranger = await createUser();
    const [job] = await harness.sql`
      insert into public.experiment_exports (user_id, file_format) values (${owner.id}, 'csv')
      returning id`;
    const steps: JobProgress[] = [];
    const statuses: string[] = [];
    const refusals: string[] = [];
    const stop = labFor(harness, owner).onJob(job.id, (p) => steps.push(p), {
      onStatus: (s) => statuses.push(s),
    });
    const stopStranger = labFor(harness, stranger).onJob(job.id, () => refusals.push("delivered"), {
      onStatus: (s, error) => s === "CHANNEL_ERROR" && refusals.push(error?.message ?? s),
    });
    try {
      await waitFor(statuses, (s) => s === "SUBSCRIBED", "SUBSCRIBED");
      await waitFor(refusals, (r) => r.startsWith("Unauthorized: "), "the stranger's refusal");
      await harness
        .sql`update public.experiment_exports set status = 'running' where id = ${job.id}`;
      await harness.sql`
        update public.experiment_exports set status = 'failed', error = 'The export failed.'
         where id = ${job.id}`;
      await waitFor(steps, (p) => p.status === "failed", "the failure");
      assert.deepEqual(steps.map((p) => [p.job_id, p.kind, p.status, p.error]), [
        [job.id, "export", "running", null],
        [job.id, "export", "failed", "The export failed."],
      ]);
      assert.equal(refusals.includes("delivered"), false);
    } finally {
      await stop();
      await stopStranger();
      await harness.close();
    }
  },
});

Deno.test({
  name: "onExperiment keeps delivering after the stand-in drops the connection and restarts",
  ignore,
  async fn() {
    const harness = new RealtimeHarness();
    harness.start();
    const owner = await createUser();
    const seen: string[] = [];
    const statuses: string[] = [];
    const stop = labFor(harness, owner).onExperiment((c) => seen.push(`${c.event}:${c.row?.id}`), {
      onStatus: (s) => statuses.push(s),
      onError: (e) => seen.push(`error:${e.message}`),
    });
    try {
      await waitFor(statuses, (s) => s === "SUBSCRIBED", "SUBSCRIBED");
      const calibrationId = await insertCalibration(harness.sql, owner);
      const before = await insertExperiment(harness.sql, owner, calibrationId);
      await waitFor(seen, (s) => s === `INSERT:${before}`, "the first experiment");

      await harness.stop();
      await settle(300);
      harness.start();
      await waitFor(statuses, (s) => s === "CHANNEL_ERROR", "the drop");
      await waitFor(
        statuses,
        (s) =>
          s === "SUBSCRIBED" &&
          statuses.lastIndexOf("SUBSCRIBED") > statuses.indexOf("CHANNEL_ERROR"),
        "SUBSCRIBED again",
      );
      const after = await insertExperiment(harness.sql, owner, calibrationId);
      await waitFor(seen, (s) => s === `INSERT:${after}`, "the experiment after the restart");
    } finally {
      await stop();
      await harness.close();
    }
  },
});

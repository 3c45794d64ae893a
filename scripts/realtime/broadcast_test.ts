/**
 * Broadcast from Database on private channels, end to end: the real
 * supabase-js client, the stand-in behind the gateway, the live-feed
 * triggers and policies in the throwaway database.
 */
import assert from "node:assert/strict";
import type { RealtimeChannel } from "@supabase/supabase-js";
import {
  clientFor,
  createUser,
  DATABASE_URL,
  insertCalibration,
  insertExperiment,
  RealtimeHarness,
  settle,
  waitFor,
} from "./test_harness.ts";

const ignore = !DATABASE_URL;

interface Seen {
  status: string[];
  events: { event: string; payload: Record<string, unknown> }[];
  system: Record<string, unknown>[];
  errors: string[];
}

function subscribe(channel: RealtimeChannel, event = "*"): Seen {
  const seen: Seen = { status: [], events: [], system: [], errors: [] };
  channel
    .on(
      "broadcast",
      { event },
      (message) => seen.events.push(message as unknown as Seen["events"][number]),
    )
    .on("system", {}, (payload) => seen.system.push(payload))
    .subscribe((status, error) => {
      seen.status.push(status);
      if (error) seen.errors.push(error.message);
    });
  return seen;
}

for (const vsn of ["1.0.0", "2.0.0"] as const) {
  Deno.test({
    name:
      `protocol ${vsn}: a user's private feeds deliver their own experiment and analytics, nobody else's`,
    ignore,
    async fn() {
      const harness = new RealtimeHarness();
      harness.start();
      const owner = await createUser();
      const stranger = await createUser();
      const ownerClient = await clientFor(harness, owner, { vsn });
      const strangerClient = await clientFor(harness, stranger, { vsn });
      try {
        const experiments = subscribe(
          ownerClient.channel(`experiments:${owner.id}`, { config: { private: true } }),
        );
        const analytics = subscribe(
          ownerClient.channel(`analytics:${owner.id}`, { config: { private: true } }),
        );
        // The stranger listens on their own feed and on a public channel of the owner's topic name.
        const strangerOwn = subscribe(
          strangerClient.channel(`experiments:${stranger.id}`, { config: { private: true } }),
        );
        const strangerPublic = subscribe(strangerClient.channel(`experiments:${owner.id}`));
        for (const seen of [experiments, analytics, strangerOwn, strangerPublic]) {
          await waitFor(seen.status, (s) => s === "SUBSCRIBED", "SUBSCRIBED");
        }

        const calibrationId = await insertCalibration(harness.sql, owner);
        const experimentId = await insertExperiment(harness.sql, owner, calibrationId);

        const inserted = await waitFor(
          experiments.events,
          (e) => e.event === "INSERT",
          "the experiment INSERT",
        );
        const payload = inserted.payload as {
          record: { id: string; user_id: string };
          operation: string;
        };
        assert.equal(payload.record.id, experimentId);
        assert.equal(payload.operation, "INSERT");
        const summary = await waitFor(
          analytics.events,
          (e) => e.event === "INSERT",
          "the analytics change",
        );
        assert.equal(
          (summary.payload as { record: { calibration_id: string } }).record.calibration_id,
          calibrationId,
        );
        assert.equal(typeof (inserted as { meta?: { id?: string } }).meta?.id, "string");

        await settle();
        assert.deepEqual(strangerOwn.events, [], "the stranger's own feed stays silent");
        assert.deepEqual(
          strangerPublic.events,
          [],
          "a public channel of the same name gets nothing",
        );
      } finally {
        await ownerClient.removeAllChannels();
        await strangerClient.removeAllChannels();
        await harness.close();
      }
    },
  });
}

Deno.test({
  name: "a join to another user's private topic is refused with Realtime's reason",
  ignore,
  async fn() {
    const harness = new RealtimeHarness();
    harness.start();
    const owner = await createUser();
    const stranger = await createUser();
    const client = await clientFor(harness, stranger);
    try {
      const guessed = subscribe(
        client.channel(`experiments:${owner.id}`, { config: { private: true } }),
      );
      const error = await waitFor(guessed.errors, () => true, "the refusal");
      assert.equal(
        error,
        `Unauthorized: You do not have permissions to read from this Channel topic: experiments:${owner.id}`,
      );
      assert.ok(guessed.status.includes("CHANNEL_ERROR"));
      const job = subscribe(
        client.channel(`job:${crypto.randomUUID()}`, { config: { private: true } }),
      );
      await waitFor(job.errors, (e) => e.startsWith("Unauthorized: "), "the job refusal");

      const anonymous = await clientFor(harness, null);
      const anon = subscribe(
        anonymous.channel(`experiments:${owner.id}`, { config: { private: true } }),
      );
      await waitFor(anon.errors, (e) => e.startsWith("Unauthorized: "), "the anonymous refusal");
      await anonymous.removeAllChannels();

      const calibrationId = await insertCalibration(harness.sql, owner);
      await insertExperiment(harness.sql, owner, calibrationId);
      await settle();
      assert.deepEqual(guessed.events, []);
    } finally {
      await client.removeAllChannels();
      await harness.close();
    }
  },
});

Deno.test({
  name: "an expired token closes the channel with a system error",
  ignore,
  async fn() {
    const harness = new RealtimeHarness();
    harness.start();
    // Long enough to join on a loaded machine, short enough to expire within the test.
    const owner = await createUser(5);
    const client = await clientFor(harness, owner);
    try {
      const seen = subscribe(
        client.channel(`experiments:${owner.id}`, { config: { private: true } }),
      );
      await waitFor(seen.status, (s) => s === "SUBSCRIBED", "SUBSCRIBED");
      const system = await waitFor(
        seen.system,
        (p) => p.extension === "system" && p.status === "error",
        "the expiry",
        15_000,
      );
      assert.match(String(system.message), /^Token has expired \d+ seconds ago$/);
      await waitFor(seen.status, (s) => s === "CLOSED", "CLOSED");

      const late = subscribe(
        client.channel(`analytics:${owner.id}`, { config: { private: true } }),
      );
      const error = await waitFor(late.errors, () => true, "the join refusal");
      assert.match(error, /^InvalidJWTToken: Token has expired \d+ seconds ago$/);
    } finally {
      await client.removeAllChannels();
      await harness.close();
    }
  },
});

Deno.test({
  name: "after the stand-in restarts the client reconnects and later changes arrive",
  ignore,
  async fn() {
    const harness = new RealtimeHarness();
    harness.start();
    const owner = await createUser();
    const client = await clientFor(harness, owner);
    try {
      const seen = subscribe(
        client.channel(`experiments:${owner.id}`, { config: { private: true } }),
      );
      await waitFor(seen.status, (s) => s === "SUBSCRIBED", "SUBSCRIBED");
      await harness.stop();
      harness.start();
      await waitFor(seen.status, (s) => s === "CHANNEL_ERROR", "the drop");
      await waitFor(
        seen.status,
        (s) =>
          s === "SUBSCRIBED" &&
          seen.status.lastIndexOf("SUBSCRIBED") > seen.status.indexOf("CHANNEL_ERROR"),
        "SUBSCRIBED again",
      );
      const calibrationId = await insertCalibration(harness.sql, owner);
      const experimentId = await insertExperiment(harness.sql, owner, calibrationId);
      const inserted = await waitFor(seen.events, (e) => e.event === "INSERT", "the later INSERT");
      assert.equal((inserted.payload as { record: { id: string } }).record.id, experimentId);
    } finally {
      await client.removeAllChannels();
      await harness.close();
    }
  },
});

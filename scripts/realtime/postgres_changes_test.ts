/**
 * Postgres Changes through the stand-in with the real supabase-js client:
 * changes read from the WAL, each delivered only if the row passes RLS as
 * the subscriber; filters; DELETE and the 1 MiB limit as documented.
 */
import assert from "node:assert/strict";
import type { RealtimeChannel, RealtimePostgresChangesPayload } from "@supabase/supabase-js";
import { mintAccessToken } from "../lib/local_auth.ts";
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
type Change = RealtimePostgresChangesPayload<Record<string, unknown>>;

interface Seen {
  status: string[];
  changes: Change[];
  system: Record<string, unknown>[];
}

function watch(
  channel: RealtimeChannel,
  filters: (string | undefined)[],
  table = "experiments",
): Seen {
  const seen: Seen = { status: [], changes: [], system: [] };
  for (const filter of filters) {
    channel.on(
      "postgres_changes",
      { event: "*", schema: "public", table, ...(filter ? { filter } : {}) },
      (change: Change) => seen.changes.push(change),
    );
  }
  channel.on("system", {}, (payload) => seen.system.push(payload));
  channel.subscribe((status) => seen.status.push(status));
  return seen;
}

async function subscribed(seen: Seen) {
  await waitFor(seen.status, (s) => s === "SUBSCRIBED", "SUBSCRIBED");
  await waitFor(
    seen.system,
    (p) => p.extension === "postgres_changes",
    "the postgres_changes system message",
  );
}

for (const vsn of ["1.0.0", "2.0.0"] as const) {
  Deno.test({
    name:
      `protocol ${vsn}: a change reaches its owner; another user gets nothing, whatever the filter`,
    ignore,
    async fn() {
      const harness = new RealtimeHarness();
      harness.start();
      const owner = await createUser();
      const stranger = await createUser();
      const ownerClient = await clientFor(harness, owner, { vsn });
      const strangerClient = await clientFor(harness, stranger, { vsn });
      try {
        const mine = watch(ownerClient.channel("mine"), [undefined, `user_id=eq.${owner.id}`]);
        const tricks = watch(strangerClient.channel("tricks"), [
          undefined,
          `user_id=eq.${owner.id}`,
          `user_id=neq.${stranger.id}`,
          `user_id=in.(${owner.id},${stranger.id})`,
          `latency_ms=gte.0`,
        ]);
        await subscribed(mine);
        await subscribed(tricks);
        assert.deepEqual(mine.system.at(-1)?.message, "Subscribed to PostgreSQL");

        const calibrationId = await insertCalibration(harness.sql, owner);
        const experimentId = await insertExperiment(harness.sql, owner, calibrationId);
        await harness.sql`update public.experiments set saved = true where id = ${experimentId}`;

        const inserts = await waitFor(mine.changes, (c) => c.eventType === "UPDATE", "the UPDATE")
          .then(() => mine.changes.filter((c) => c.eventType === "INSERT"));
        assert.equal(inserts.length, 2, "both of the owner's bindings fire once for the INSERT");
        const insert = inserts[0];
        assert.equal(insert.new.id, experimentId);
        assert.equal(insert.new.latency_ms, 5);
        assert.equal(insert.new.saved, false);
        assert.deepEqual((insert.new.parameters as { seed: number }).seed, 7);
        assert.match(insert.commit_timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        const update = mine.changes.find((c) => c.eventType === "UPDATE")!;
        assert.equal(update.new.saved, true);
        assert.deepEqual(
          update.old,
          { id: experimentId },
          "the old record is the replica identity",
        );

        await settle();
        // DELETEs skip RLS (tested below), so only those of other tests may arrive here.
        assert.deepEqual(tricks.changes.filter((c) => c.eventType !== "DELETE"), []);
      } finally {
        await ownerClient.removeAllChannels();
        await strangerClient.removeAllChannels();
        await harness.close();
      }
    },
  });
}

Deno.test({
  name: "filters eq, neq, lt, lte, gt, gte and in select the changes a binding receives",
  ignore,
  async fn() {
    const harness = new RealtimeHarness();
    harness.start();
    const owner = await createUser();
    const client = await clientFor(harness, owner);
    try {
      const cases: [string, boolean][] = [
        ["latency_ms=eq.5", true],
        ["latency_ms=neq.5", false],
        ["latency_ms=lt.6", true],
        ["latency_ms=lt.5", false],
        ["latency_ms=lte.5", true],
        ["latency_ms=gt.4", true],
        ["latency_ms=gt.5", false],
        ["latency_ms=gte.5", true],
        ["latency_ms=gte.6", false],
        ["latency_ms=in.(1,5,9)", true],
        ["latency_ms=in.(1,9)", false],
      ];
      const seen = cases.map(([filter]) => watch(client.channel(filter), [filter]));
      for (const s of seen) await subscribed(s);
      const calibrationId = await insertCalibration(harness.sql, owner);
      await insertExperiment(harness.sql, owner, calibrationId);
      await waitFor(seen[0].changes, () => true, "the eq change");
      await settle();
      assert.deepEqual(
        cases.map(([filter], i) => [filter, seen[i].changes.length === 1]),
        cases,
      );
    } finally {
      await client.removeAllChannels();
      await harness.close();
    }
  },
});

Deno.test({
  name:
    "DELETE skips RLS as documented and sends only the primary key; over 1 MiB carries Error 413",
  ignore,
  async fn() {
    const harness = new RealtimeHarness();
    harness.start();
    const owner = await createUser();
    const stranger = await createUser();
    const ownerClient = await clientFor(harness, owner);
    const strangerClient = await clientFor(harness, stranger);
    try {
      const mine = watch(ownerClient.channel("mine"), [undefined]);
      const theirs = watch(strangerClient.channel("theirs"), [undefined]);
      await subscribed(mine);
      await subscribed(theirs);
      const calibrationId = await insertCalibration(harness.sql, owner);
      const big = await insertExperiment(harness.sql, owner, calibrationId, "x".repeat(30_000));
      await harness.sql`
        update public.experiments
           set responses = jsonb_set(responses, '{0,text}', to_jsonb(repeat('y', 1100000)))
         where id = ${big}`;
      const update = await waitFor(mine.changes, (c) => c.eventType === "UPDATE", "the big UPDATE");
      assert.deepEqual(update.errors, ["Error 413: Payload Too Large"]);
      const kept = update.new as Record<string, unknown>;
      assert.equal(kept.id, big, "values up to 64 bytes are kept");
      assert.equal(kept.responses, undefined, "larger values are dropped");

      await harness.sql`delete from public.experiments where id = ${big}`;
      // Any user's DELETE reaches every subscriber of the table: wait for this one.
      const deleted = await waitFor(
        theirs.changes,
        (c) => c.eventType === "DELETE" && (c.old as { id?: string }).id === big,
        "the DELETE",
      );
      assert.deepEqual(deleted.old, { id: big }, "only the primary key");
      assert.equal(theirs.changes.filter((c) => c.eventType !== "DELETE").length, 0);
    } finally {
      await ownerClient.removeAllChannels();
      await strangerClient.removeAllChannels();
      await harness.close();
    }
  },
});

Deno.test({
  name: "a table outside the supabase_realtime publication gets a postgres_changes system error",
  ignore,
  async fn() {
    const harness = new RealtimeHarness();
    harness.start();
    const owner = await createUser();
    const client = await clientFor(harness, owner);
    try {
      const seen = watch(client.channel("audit"), [undefined], "audit_logs");
      await waitFor(seen.status, (s) => s === "SUBSCRIBED", "SUBSCRIBED");
      const system = await waitFor(
        seen.system,
        (p) => p.extension === "postgres_changes",
        "the error",
      );
      assert.equal(system.status, "error");
      assert.match(
        String(system.message),
        /^Unable to subscribe to changes with given parameters\./,
      );
      const bad = watch(client.channel("bad"), ["latency_ms=foo.1"]);
      const reason = await waitFor(
        bad.system,
        (p) => p.extension === "postgres_changes",
        "the filter error",
      );
      assert.equal(reason.message, 'Error parsing `filter` params: ["foo", "1"]');
    } finally {
      await client.removeAllChannels();
      await harness.close();
    }
  },
});

Deno.test({
  name: "an access_token refresh keeps the channel past the first token's expiry",
  ignore,
  async fn() {
    const harness = new RealtimeHarness();
    harness.start();
    const first = await createUser(5);
    const later = await mintAccessToken(first.id, { expiresIn: 3600 });
    let current = first.token;
    const client = await clientFor(harness, first, { token: () => current });
    try {
      const seen = watch(client.channel("refresh"), [undefined]);
      await subscribed(seen);
      current = later;
      await client.realtime.setAuth();
      await settle(5_500);
      assert.equal(seen.status.includes("CLOSED"), false);
      assert.equal(seen.system.some((p) => p.status === "error"), false);
      const calibrationId = await insertCalibration(harness.sql, first);
      await insertExperiment(harness.sql, first, calibrationId);
      await waitFor(
        seen.changes,
        (c) => c.eventType === "INSERT",
        "the INSERT under the new token",
      );
    } finally {
      await client.removeAllChannels();
      await harness.close();
    }
  },
});

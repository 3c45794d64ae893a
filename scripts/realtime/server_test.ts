/**
 * The stand-in's Phoenix frames on the wire, read with a bare WebSocket:
 * the upgrade's refusals, heartbeats, join replies, leave and close, as
 * hosted Realtime sends them for protocol 1.0.0 and 2.0.0.
 */
import assert from "node:assert/strict";
import { LOCAL_ANON_KEY } from "../lib/local_auth.ts";
import { createUser, DATABASE_URL, RealtimeHarness } from "./test_harness.ts";

const ignore = !DATABASE_URL;

/** A bare socket that collects the frames it receives. */
async function open(harness: RealtimeHarness, vsn: string) {
  const ws = new WebSocket(
    `ws://127.0.0.1:${harness.port}/realtime/v1/websocket?apikey=${LOCAL_ANON_KEY}&vsn=${vsn}`,
  );
  const frames: unknown[] = [];
  ws.onmessage = (event) => frames.push(JSON.parse(event.data));
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const next = async (count: number) => {
    for (let i = 0; i < 200 && frames.length < count; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return frames.slice(0, count);
  };
  return { ws, frames, next };
}

Deno.test({
  name: "the upgrade is refused with hosted Realtime's status and message",
  ignore,
  async fn() {
    const harness = new RealtimeHarness();
    harness.start();
    try {
      const base = `${harness.url}/realtime/v1/websocket?vsn=2.0.0`;
      const missing = await fetch(base);
      assert.equal(missing.status, 401);
      assert.deepEqual(await missing.json(), { error: "API key is missing" });
      const forged = LOCAL_ANON_KEY.slice(0, -3) + "abc";
      const bad = await fetch(`${base}&apikey=${forged}`);
      assert.equal(bad.status, 401);
      assert.deepEqual(await bad.json(), { error: "Failed to validate JWT signature" });
      const garbage = await fetch(`${base}&apikey=not-a-jwt`);
      assert.deepEqual(await garbage.json(), { error: "The token provided is not a valid JWT" });
    } finally {
      await harness.close();
    }
  },
});

Deno.test({
  name: "protocol 2.0.0: heartbeat, join, unmatched topic, leave and close as arrays",
  ignore,
  async fn() {
    const harness = new RealtimeHarness();
    harness.start();
    const user = await createUser();
    const { ws, next } = await open(harness, "2.0.0");
    try {
      ws.send(JSON.stringify([null, "1", "phoenix", "heartbeat", {}]));
      ws.send(JSON.stringify(["2", "2", "realtime:", "phx_join", { config: {} }]));
      ws.send(JSON.stringify(["3", "3", "realtime:room", "phx_join", {
        config: { broadcast: { ack: false, self: false }, presence: { key: "", enabled: false } },
        access_token: user.token,
      }]));
      ws.send(JSON.stringify([null, "4", "realtime:other", "broadcast", {}]));
      ws.send(JSON.stringify(["3", "5", "realtime:room", "phx_leave", {}]));
      assert.deepEqual(await next(6), [
        [null, "1", "phoenix", "phx_reply", { status: "ok", response: {} }],
        ["2", "2", "realtime:", "phx_reply", {
          status: "error",
          response: { reason: "TopicNameRequired: You must provide a topic name" },
        }],
        ["3", "3", "realtime:room", "phx_reply", {
          status: "ok",
          response: { postgres_changes: [] },
        }],
        [null, "4", "realtime:other", "phx_reply", {
          status: "error",
          response: { reason: "unmatched topic" },
        }],
        ["3", "5", "realtime:room", "phx_reply", { status: "ok", response: {} }],
        ["3", "3", "realtime:room", "phx_close", {}],
      ]);
    } finally {
      ws.close();
      await harness.close();
    }
  },
});

Deno.test({
  name: "protocol 1.0.0: the same frames as objects, and a bad token's join reason",
  ignore,
  async fn() {
    const harness = new RealtimeHarness();
    harness.start();
    const { ws, next } = await open(harness, "1.0.0");
    try {
      ws.send(JSON.stringify({ topic: "phoenix", event: "heartbeat", payload: {}, ref: "1" }));
      ws.send(JSON.stringify({
        topic: "realtime:room",
        event: "phx_join",
        payload: { config: {}, access_token: "not-a-jwt" },
        ref: "2",
        join_ref: "2",
      }));
      assert.deepEqual(await next(2), [
        {
          topic: "phoenix",
          event: "phx_reply",
          payload: { status: "ok", response: {} },
          ref: "1",
          join_ref: null,
        },
        {
          topic: "realtime:room",
          event: "phx_reply",
          payload: {
            status: "error",
            response: { reason: "MalformedJWT: The token provided is not a valid JWT" },
          },
          ref: "2",
          join_ref: "2",
        },
      ]);
    } finally {
      ws.close();
      await harness.close();
    }
  },
});

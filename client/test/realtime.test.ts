/**
 * Realtime helpers against a fake supabase-js channel: which
 * `postgres_changes` subscription they ask for, how payloads reach the
 * callback, and that unsubscribing removes the channel. A real Realtime
 * server is needed to see changes arrive over the wire; see client/README.md.
 */
import { describe, expect, it } from "vitest";
import { onAnalytics, onExperiment, type RealtimeClient } from "../src/realtime.ts";

interface Binding {
  type: string;
  filter: Record<string, unknown>;
  callback: (payload: unknown) => void;
}

function fakeClient() {
  const channels: {
    name: string;
    bindings: Binding[];
    statusCallback?: (status: string, error?: Error) => void;
  }[] = [];
  const removed: string[] = [];
  const client = {
    channel(name: string) {
      const record: (typeof channels)[number] = { name, bindings: [] };
      channels.push(record);
      const channel = {
        name,
        on(type: string, filter: Record<string, unknown>, callback: (payload: unknown) => void) {
          record.bindings.push({ type, filter, callback });
          return channel;
        },
        subscribe(callback?: (status: string, error?: Error) => void) {
          record.statusCallback = callback;
          return channel;
        },
      };
      return channel;
    },
    async removeChannel(channel: { name: string }) {
      removed.push(channel.name);
      return "ok";
    },
  };
  return { client: client as unknown as RealtimeClient, channels, removed };
}

const experiment = {
  id: "e1",
  user_id: "u1",
  calibration_id: "c1",
  prompt: "p",
  model: "m",
  parameters: {
    model: "m",
    seed: 1,
    design: "explicit",
    numResponses: 1,
    sets: [{ temperature: 0.5, top_p: 1, max_tokens: 64, frequency_penalty: 0 }],
  },
  responses: [{
    index: 0,
    status: "failed",
    parameters: { temperature: 0.5, top_p: 1, max_tokens: 64, frequency_penalty: 0 },
    latencyMs: 3,
    error: { code: "x", message: "y" },
  }],
  status: "failed",
  saved: false,
  discarded: false,
  latency_ms: 3,
  correlation_id: null,
  created_at: "2026-11-22T00:00:00+00:00",
  updated_at: "2026-11-22T00:00:00+00:00",
};

describe("realtime helpers", () => {
  it("onExperiment subscribes to every change of public.experiments and delivers typed rows", async () => {
    const { client, channels, removed } = fakeClient();
    const changes: unknown[] = [];
    const statuses: string[] = [];
    const stop = onExperiment(client, (change) => changes.push(change), {
      onStatus: (s) => statuses.push(s),
    });

    expect(channels).toHaveLength(1);
    const [binding] = channels[0].bindings;
    expect(binding.type).toBe("postgres_changes");
    expect(binding.filter).toEqual({ event: "*", schema: "public", table: "experiments" });
    channels[0].statusCallback?.("SUBSCRIBED");
    expect(statuses).toEqual(["SUBSCRIBED"]);

    binding.callback({
      eventType: "UPDATE",
      new: { ...experiment, discarded: true },
      old: { id: "e1" },
      commit_timestamp: "t1",
      schema: "public",
      table: "experiments",
      errors: null,
    });
    binding.callback({
      eventType: "DELETE",
      new: {},
      old: { id: "e1" },
      commit_timestamp: "t2",
      schema: "public",
      table: "experiments",
      errors: null,
    });
    expect(changes).toEqual([
      {
        event: "UPDATE",
        row: { ...experiment, discarded: true },
        old: { id: "e1" },
        commitTimestamp: "t1",
      },
      { event: "DELETE", row: null, old: { id: "e1" }, commitTimestamp: "t2" },
    ]);

    await stop();
    expect(removed).toEqual([channels[0].name]);
  });

  it("onAnalytics filters by calibration and skips rows that break the contract", async () => {
    const { client, channels } = fakeClient();
    const rows: unknown[] = [];
    const errors: string[] = [];
    onAnalytics(client, "cal-1", (change) => rows.push(change.row?.metrics_summary), {
      onError: (e) => errors.push(e.code),
    });
    const [binding] = channels[0].bindings;
    expect(binding.filter).toEqual({
      event: "*",
      schema: "public",
      table: "analytics_summaries",
      filter: "calibration_id=eq.cal-1",
    });
    const summary = {
      count: 1,
      responseCount: 2,
      avgCreativity: 0.5,
      avgCoherence: 0.5,
      avgStructure: 0.5,
      avgCompleteness: 0.5,
      avgLatency: 10,
    };
    binding.callback({
      eventType: "INSERT",
      new: { id: "a", calibration_id: "cal-1", metrics_summary: summary },
      old: {},
      commit_timestamp: "t",
      schema: "public",
      table: "analytics_summaries",
      errors: null,
    });
    binding.callback({
      eventType: "UPDATE",
      new: { id: "a", calibration_id: "cal-1", metrics_summary: { count: "x" } },
      old: {},
      commit_timestamp: "t",
      schema: "public",
      table: "analytics_summaries",
      errors: null,
    });
    expect(rows).toEqual([summary]);
    expect(errors).toEqual(["invalid_response"]);
  });

  it("gives every subscription its own channel", () => {
    const { client, channels } = fakeClient();
    onExperiment(client, () => {});
    onExperiment(client, () => {});
    expect(new Set(channels.map((c) => c.name)).size).toBe(2);
  });
});

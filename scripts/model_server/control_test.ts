import assert from "node:assert/strict";
import { createControl } from "./control.ts";

Deno.test("a mode with times fails that many matching requests, then returns to normal", () => {
  const control = createControl();
  control.set({ mode: "server_error", times: 2 });
  const modes = [1, 1, 1].map((temperature) => control.admit({ temperature }));
  assert.deepEqual(modes, ["server_error", "server_error", "normal"]);
  assert.equal(control.stats().settings.mode, "normal");
  assert.equal(control.stats().counters.failuresServed, 2);
});

Deno.test("a mode without times lasts until reset", () => {
  const control = createControl();
  control.set({ mode: "malformed" });
  assert.deepEqual([0, 1, 2].map((temperature) => control.admit({ temperature })), [
    "malformed",
    "malformed",
    "malformed",
  ]);
  control.reset();
  assert.equal(control.admit({ temperature: 1 }), "normal");
  assert.deepEqual(control.stats().counters, {
    requestsReceived: 0,
    failuresServed: 0,
    completionsServed: 0,
    hanging: 0,
  });
});

Deno.test("match.temperatureAtLeast fails only the hot requests and only they use up times", () => {
  const control = createControl();
  control.set({ mode: "rate_limit", times: 2, match: { temperatureAtLeast: 1 } });
  const modes = [0.2, 1.5, 0.9, 1, 1.8].map((temperature) => control.admit({ temperature }));
  assert.deepEqual(modes, ["normal", "rate_limit", "normal", "rate_limit", "normal"]);
});

Deno.test("set merges latency and retry-after, and a new mode replaces times and match", () => {
  const control = createControl();
  control.set({ latencyMs: 200, retryAfterSeconds: 3 });
  control.set({ mode: "hang", times: 1, match: { temperatureAtLeast: 1 } });
  const settings = control.set({ mode: "server_error" });
  assert.deepEqual(settings, {
    mode: "server_error",
    times: null,
    match: {},
    latencyMs: 200,
    retryAfterSeconds: 3,
  });
  assert.deepEqual(control.set({ times: 4 }).times, 4);
});

Deno.test("set rejects unknown modes and out-of-range values", () => {
  const control = createControl();
  assert.throws(() => control.set({ mode: "explode" as "hang" }));
  assert.throws(() => control.set({ times: 0 }));
  assert.throws(() => control.set({ latencyMs: -1 }));
  assert.equal(control.stats().settings.mode, "normal");
});

Deno.test("counters track received, completed and hanging requests; reset releases the hanging ones", () => {
  const control = createControl();
  control.receive();
  control.completed();
  const unhang = control.hang();
  const released = control.released;
  assert.deepEqual(control.stats().counters, {
    requestsReceived: 1,
    failuresServed: 0,
    completionsServed: 1,
    hanging: 1,
  });
  control.reset();
  assert.equal(released.aborted, true);
  assert.equal(control.released.aborted, false);
  unhang();
  unhang();
  assert.equal(control.stats().counters.hanging, 0);
});

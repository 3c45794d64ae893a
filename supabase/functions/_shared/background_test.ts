import assert from "node:assert/strict";
import { flushBackground, runInBackground } from "./background.ts";

function captureConsoleError(): { lines: string[]; restore: () => void } {
  const original = console.error;
  const lines: string[] = [];
  console.error = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  return { lines, restore: () => void (console.error = original) };
}

Deno.test("runInBackground does not block and flushBackground awaits the task", async () => {
  let done = false;
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  runInBackground(gate.then(() => void (done = true)));
  assert.equal(done, false);
  release();
  await flushBackground();
  assert.equal(done, true);
});

Deno.test("runInBackground accepts a task function and awaits tasks added while flushing", async () => {
  const order: string[] = [];
  runInBackground(async () => {
    await Promise.resolve();
    order.push("first");
    runInBackground(() => Promise.resolve().then(() => void order.push("second")));
  });
  await flushBackground();
  assert.deepEqual(order, ["first", "second"]);
});

Deno.test("runInBackground logs a failure without its message and never rethrows", async () => {
  const log = captureConsoleError();
  try {
    runInBackground(Promise.reject(new Error("password=hunter2")), {
      label: "record metric",
    });
    runInBackground(() => {
      throw new TypeError("sync secret");
    });
    await flushBackground();
  } finally {
    log.restore();
  }
  assert.deepEqual(log.lines.toSorted(), [
    "Background task failed: background task (TypeError)",
    "Background task failed: record metric (Error)",
  ]);
});

Deno.test("runInBackground hands work to EdgeRuntime.waitUntil when present", async () => {
  const handed: Promise<unknown>[] = [];
  const runtime = {
    waitUntil: (promise: Promise<unknown>) => void handed.push(promise),
  };
  Object.defineProperty(globalThis, "EdgeRuntime", {
    value: runtime,
    configurable: true,
  });
  try {
    let ran = false;
    runInBackground(() => Promise.resolve().then(() => void (ran = true)));
    assert.equal(handed.length, 1);
    await handed[0];
    assert.equal(ran, true);
  } finally {
    Reflect.deleteProperty(globalThis, "EdgeRuntime");
  }
  await flushBackground();
});

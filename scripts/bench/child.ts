/**
 * BENCH: the servers under measurement run in processes of their own, so the
 * load generator never shares their event loop and a process's memory is its
 * own. A child program calls {@link announceReady} once it listens; the
 * parent's {@link startChild} resolves with what it announced.
 *
 * @module
 */
import { repoRoot } from "../lib/process.ts";

const READY = "BENCH_READY ";
const DENO = `${repoRoot}/node_modules/.bin/deno`;

/** A running child program. */
export interface Child<T> {
  pid: number;
  /** What the child announced (its URL and so on). */
  info: T;
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMb(): Promise<number>;
  /** Asks the child to stop (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Prints the ready line the parent waits for (call once, after listening).
 *
 * @example
 * announceReady({ url: `http://127.0.0.1:${server.addr.port}` });
 */
export function announceReady(info: unknown): void {
  console.log(`${READY}${JSON.stringify(info)}`);
}

/**
 * Waits for SIGTERM or SIGINT, then runs `stop` and exits.
 *
 * @example
 * stopOnSignal(() => server.shutdown());
 */
export function stopOnSignal(stop: () => Promise<void>): void {
  const handler = () => {
    stop().finally(() => Deno.exit(0));
  };
  Deno.addSignalListener("SIGTERM", handler);
  Deno.addSignalListener("SIGINT", handler);
}

/**
 * Reads VmHWM (peak resident set) of a process from /proc, in MB.
 *
 * @example
 * await peakRssMb(child.pid);
 */
export async function peakRssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`Cannot read peak memory: no VmHWM for process ${pid}`);
  return Number(match[1]) / 1024;
}

/**
 * Starts `deno run -A <script> <args>` from the repository root and waits
 * (at most `timeoutMs`) for its ready line. Its other output is passed through
 * to stderr so a failing child explains itself.
 *
 * @example
 * const floor = await startChild<{ url: string }>("scripts/bench/floor_server.ts", { env: { ... } });
 * await floor.stop();
 */
export async function startChild<T>(
  script: string,
  options: {
    args?: string[];
    env?: Record<string, string>;
    timeoutMs?: number;
    v8Flags?: string[];
  } = {},
): Promise<Child<T>> {
  const flags = options.v8Flags?.length ? [`--v8-flags=${options.v8Flags.join(",")}`] : [];
  const process = new Deno.Command(DENO, {
    args: ["run", "-A", ...flags, script, ...(options.args ?? [])],
    cwd: repoRoot,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = process.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(lineSplitter());
  const reader = lines.getReader();
  const timeout = options.timeoutMs ?? 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ready = (async () => {
    while (true) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`Cannot start ${script}: it exited before it was ready`);
      if (value.startsWith(READY)) return JSON.parse(value.slice(READY.length)) as T;
      console.error(`[${script}] ${value}`);
    }
  })();
  let info: T;
  try {
    info = await Promise.race([
      ready,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Cannot start ${script}: not ready after ${timeout} ms`)),
          timeout,
        );
      }),
    ]);
  } catch (error) {
    process.kill("SIGKILL");
    await process.status;
    throw error;
  } finally {
    clearTimeout(timer);
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  const drained = (async () => {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      console.error(`[${script}] ${value}`);
    }
  })();
  let stopped: Promise<void> | undefined;
  return {
    pid: process.pid,
    info,
    peakRssMb: () => peakRssMb(process.pid),
    stop() {
      stopped ??= (async () => {
        process.kill("SIGTERM");
        const killer = setTimeout(() => process.kill("SIGKILL"), 15_000);
        await process.status;
        clearTimeout(killer);
        await drained.catch(() => {});
      })();
      return stopped;
    },
  };
}

/** Splits a text stream into lines. */
function lineSplitter(): TransformStream<string, string> {
  let buffer = "";
  return new TransformStream({
    transform(chunk, controller) {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      for (const part of parts) controller.enqueue(part);
    },
    flush(controller) {
      if (buffer) controller.enqueue(buffer);
    },
  });
}

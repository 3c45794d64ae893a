/**
 * Starting scripts/test_stack.ts (under Deno) in a child process and
 * waiting for its one JSON line: the suite's shared stack (global_setup.ts)
 * and the stacks a test starts, kills and starts again on the same database.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { StackInfo } from "./stack.ts";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** A running stack process. */
export interface StackProcess {
  info: StackInfo;
  child: ChildProcess;
  /** Asks it to stop (SIGTERM) and waits until it has. */
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL): every job it was working is left as a crash leaves it. */
  kill(): Promise<void>;
}

function waitForReady(child: ChildProcess): Promise<StackInfo> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(
      () => reject(new Error(`Test stack did not start in time:\n${stderr}`)),
      90_000,
    );
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      if (!line.startsWith("{")) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as StackInfo);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Test stack exited early (${code}):\n${stderr}`));
    });
  });
}

/**
 * Starts a stack on LAB_TEST_DATABASE_URL with `env` on top of this process's.
 *
 * @example
 * const stack = await startStackProcess({ LAB_JOB_LEASE_SECONDS: "2" });
 * await stack.kill();
 */
export async function startStackProcess(env: Record<string, string>): Promise<StackProcess> {
  const child = spawn(`${repoRoot}node_modules/.bin/deno`, ["run", "-A", "scripts/test_stack.ts"], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const info = await waitForReady(child);
  child.removeAllListeners("exit");
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    info,
    child,
    async stop() {
      child.stdin?.end();
      child.kill("SIGTERM");
      await exited;
    },
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

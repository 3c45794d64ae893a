/**
 * Starts the local stack (scripts/test_stack.ts, under Deno) once for the
 * whole suite, against LAB_TEST_DATABASE_URL, and provides its addresses to
 * the tests as `inject("stack")`. Without a database the stack is null and the
 * tests that need it are skipped.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import type { StackInfo } from "./stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    stack: StackInfo | null;
  }
}

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** Settings the suite needs: a low rate limit makes the 429 reachable, no model retries keep 502s quick. */
const STACK_ENV = { LAB_GENERATE_RATE_LIMIT_PER_MINUTE: "6", LAB_LLM_MAX_RETRIES: "0" };

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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!process.env.LAB_TEST_DATABASE_URL) {
    project.provide("stack", null);
    return async () => {};
  }
  const child = spawn(`${repoRoot}node_modules/.bin/deno`, ["run", "-A", "scripts/test_stack.ts"], {
    cwd: repoRoot,
    env: { ...process.env, ...STACK_ENV },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const stack = await waitForReady(child);
  child.removeAllListeners("exit");
  project.provide("stack", stack);
  return async () => {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.stdin?.end();
    child.kill("SIGTERM");
    await exited;
  };
}

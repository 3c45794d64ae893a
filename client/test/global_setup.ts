/**
 * Starts the local stack (scripts/test_stack.ts, under Deno) once for the
 * whole suite, against LAB_TEST_DATABASE_URL, and provides its addresses to
 * the tests as `inject("stack")`. Without a database the stack is null and the
 * tests that need it are skipped.
 */
import type { TestProject } from "vitest/node";
import { startStackProcess } from "./own_stack.ts";
import type { StackInfo } from "./stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    stack: StackInfo | null;
  }
}

/**
 * Settings the suite needs: a low rate limit makes the 429 reachable, no
 * model retries keep 502s quick, and the worker is swept as Cron sweeps it
 * on hosted Supabase, so a job that a test's own stack claimed and was then
 * killed with (batch_run_crash) is taken over once its lease lapses instead
 * of waiting for a wake-up that never comes.
 */
const STACK_ENV = {
  LAB_GENERATE_RATE_LIMIT_PER_MINUTE: "6",
  LAB_LLM_MAX_RETRIES: "0",
  LAB_WORKER_TICK_MS: "500",
};

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!process.env.LAB_TEST_DATABASE_URL) {
    project.provide("stack", null);
    return async () => {};
  }
  const stack = await startStackProcess(STACK_ENV);
  project.provide("stack", stack.info);
  return () => stack.stop();
}

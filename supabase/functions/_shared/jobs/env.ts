/**
 * The settings of background jobs, shared by the worker and by the
 * functions that create jobs (and may work one inline).
 *
 * @module
 */
import { z } from "zod";
import { positiveInt } from "../env.ts";
import type { BudgetLimits } from "./budget.ts";
import type { RunnerOptions } from "./runner.ts";

/** Environment fields of jobs; extend a function's schema with it. */
export const jobEnvFields = {
  /** The worker's key; functions use it to wake the worker. */
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(1).optional(),
  LAB_JOB_LEASE_SECONDS: positiveInt(60),
  LAB_JOB_USER_CAP: positiveInt(2),
  LAB_JOB_BACKOFF_MS: positiveInt(2_000),
  LAB_WORKER_WALL_MS: positiveInt(30_000),
  LAB_WORKER_CPU_MS: positiveInt(1_000),
};

/** The parsed job settings. */
export interface JobEnv {
  SUPABASE_URL: string;
  SUPABASE_SERVICE_ROLE_KEY?: string;
  LAB_JOB_LEASE_SECONDS: number;
  LAB_JOB_USER_CAP: number;
  LAB_JOB_BACKOFF_MS: number;
  LAB_WORKER_WALL_MS: number;
  LAB_WORKER_CPU_MS: number;
}

/**
 * The runner options an environment asks for.
 *
 * @example
 * const runner = createJobRunner(db, handlers, runnerOptionsOf(env));
 */
export function runnerOptionsOf(env: JobEnv): Partial<RunnerOptions> {
  return {
    leaseSeconds: env.LAB_JOB_LEASE_SECONDS,
    userCap: env.LAB_JOB_USER_CAP,
    backoff: { baseMs: env.LAB_JOB_BACKOFF_MS, maxMs: 600_000 },
  };
}

/**
 * The budget of one worker invocation.
 *
 * @example
 * const budget = startBudget(workerBudgetOf(env));
 */
export function workerBudgetOf(env: JobEnv): BudgetLimits {
  return { wallMs: env.LAB_WORKER_WALL_MS, cpuMs: env.LAB_WORKER_CPU_MS };
}

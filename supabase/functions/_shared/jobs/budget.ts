/**
 * The budget of one worker invocation: wall time and CPU time, so a slice
 * stops well inside the hosted limits (2 s CPU per request, 150 s wall on
 * the free plan). CPU is the whole process's, read with `process.cpuUsage`:
 * on the edge runtime one worker serves one request at a time, and where it
 * serves several (the local gateway) the over-count only stops slices early.
 *
 * @module
 */
import { cpuUsage } from "node:process";
import type { SliceBudget } from "./handler.ts";

/** The limits of one invocation. */
export interface BudgetLimits {
  /** Wall-clock milliseconds. */
  wallMs: number;
  /** CPU milliseconds (user + system). */
  cpuMs: number;
}

/** Defaults well inside the hosted limits. */
export const DEFAULT_BUDGET: BudgetLimits = { wallMs: 30_000, cpuMs: 1_000 };

/** A clock, replaceable in tests. */
export interface BudgetClock {
  wallMs(): number;
  cpuMs(): number;
}

const processClock: BudgetClock = {
  wallMs: () => performance.now(),
  cpuMs: () => {
    const { user, system } = cpuUsage();
    return (user + system) / 1000;
  },
};

/**
 * Starts a budget now.
 *
 * @example
 * const budget = startBudget({ wallMs: 30_000, cpuMs: 1_000 });
 * while (!budget.exhausted()) await step();
 */
export function startBudget(limits: BudgetLimits, clock: BudgetClock = processClock): SliceBudget {
  const wall0 = clock.wallMs();
  const cpu0 = clock.cpuMs();
  return {
    exhausted: () =>
      clock.wallMs() - wall0 >= limits.wallMs || clock.cpuMs() - cpu0 >= limits.cpuMs,
    remainingMs: () => Math.max(0, limits.wallMs - (clock.wallMs() - wall0)),
  };
}

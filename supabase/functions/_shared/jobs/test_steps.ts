/**
 * A job kind for the queue's own tests and bench: `steps` counts to
 * `payload.steps`, each step one row of work (a client audit event as the
 * owner) committed with its checkpoint, so a test can count that every step
 * was done exactly once however the job was interrupted.
 *
 * @module
 */
import type { Database, Tx } from "../db/client.ts";
import type { JobContext, JobHandler, SliceOutcome } from "./handler.ts";
import { JobFatalError } from "./handler.ts";

/** What a `steps` job is created with. */
export interface StepsPayload {
  steps: number;
  /** Milliseconds each step waits (to make a slice long enough to interrupt). */
  stepMs?: number;
}

/** Faults a test injects into the handler, and its kind. */
export interface StepsFaults {
  /** The kind to handle (default `steps`): a test file of its own kind never claims another file's jobs. */
  kind?: string;
  /** Called inside each step's transaction (`tx`) after its work, before its checkpoint. */
  beforeCheckpoint?(step: number, context: JobContext, tx: Tx): void | Promise<void>;
  /** Every slice throws this (a poison job). */
  poison?: Error;
  /** What cleanUp saw. */
  cleanedUp?: { reason: string; error?: string }[];
}

/**
 * The `steps` handler.
 *
 * @example
 * const runner = createJobRunner(db, [stepsHandler(db)]);
 */
export function stepsHandler(db: Database, faults: StepsFaults = {}): JobHandler {
  return {
    kind: faults.kind ?? "steps",
    async runSlice(context: JobContext): Promise<SliceOutcome> {
      if (faults.poison) throw faults.poison;
      const payload = context.job.payload as unknown as StepsPayload;
      if (!Number.isInteger(payload.steps)) throw new JobFatalError("steps must be an integer");
      let next = (context.job.checkpoint as { next?: number } | null)?.next ?? 0;
      // At least one step per slice, so the job advances however small the budget.
      for (let first = true; next < payload.steps; first = false) {
        if (!first && context.budget.exhausted()) return { kind: "continue" };
        if (payload.stepMs) await new Promise((resolve) => setTimeout(resolve, payload.stepMs));
        const step = next;
        const answer = await db.withUser(context.caller, async (tx) => {
          await tx`insert into public.audit_logs (event_type, event_data, source)
                   values ('job_step', ${tx.json({ job_id: context.job.id, step })}, 'client')`;
          await faults.beforeCheckpoint?.(step, context, tx);
          return await context.checkpoint(tx, { next: step + 1 }, {
            done: step + 1,
            total: payload.steps,
          });
        });
        next = step + 1;
        if (answer.cancelRequested) return { kind: "cancelled" };
      }
      return { kind: "succeeded", result: { steps: next } };
    },
    cleanUp(_context, reason, error) {
      faults.cleanedUp?.push({ reason, error });
      return Promise.resolve();
    },
  };
}

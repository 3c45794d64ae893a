/**
 * Starts work at once: a fire-and-forget call of the worker function after
 * a job is created or handed on. The worker answers before it works, so
 * the call is short; `runInBackground` keeps the instance alive until it is
 * sent (EdgeRuntime.waitUntil on Supabase). If it is lost, the periodic
 * sweep (Cron + pg_net on hosted, `npm start`'s tick locally) picks the job up.
 *
 * @module
 */
import { runInBackground } from "../background.ts";

/** Where the worker is and the key it accepts. */
export interface WorkerAddress {
  SUPABASE_URL: string;
  /** Without it there is nothing to wake the worker with; the sweep still runs the job. */
  SUPABASE_SERVICE_ROLE_KEY?: string;
}

/**
 * Asks the worker to claim ready jobs now; never throws, never waits.
 *
 * @example
 * await db.withUser(caller, (tx) => enqueueJob(tx, job));
 * wakeWorker(env);
 */
export function wakeWorker(address: WorkerAddress): void {
  const key = address.SUPABASE_SERVICE_ROLE_KEY;
  if (!key) return;
  const url = `${address.SUPABASE_URL.replace(/\/+$/, "")}/functions/v1/worker`;
  runInBackground(async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, apikey: key },
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
  }, { label: "wake worker" });
}

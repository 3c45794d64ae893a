/**
 * `POST /system-metrics/rollup`: folds raw telemetry older than the retention
 * window into per-minute rollups (`private.rollup_system_metrics`), as the
 * hosted cron job does, and audits who ran it.
 *
 * @module
 */
import type { Caller } from "../_shared/caller.ts";
import type { RollupResult } from "../_shared/contracts/operations.ts";
import { recordAudit } from "../_shared/db/audit.ts";
import type { Database } from "../_shared/db/client.ts";

/** How long raw rows and rollups are kept. */
export interface Retention {
  keepDays: number;
  keepRollupDays: number;
}

/**
 * Runs the rollup as the service role (only it may delete telemetry) and
 * records `telemetry_rolled_up` for the admin who asked.
 *
 * @example
 * const result = await rollUpTelemetry(db, c.var.caller, { keepDays: 7, keepRollupDays: 90 });
 */
export function rollUpTelemetry(
  db: Database,
  caller: Caller,
  retention: Retention,
): Promise<RollupResult> {
  return db.asService({ correlationId: caller.correlationId }, async (tx) => {
    const [row] = await tx<{ result: { rolledUp: number; prunedBuckets: number } }[]>`
      select private.rollup_system_metrics(
        make_interval(days => ${retention.keepDays}), make_interval(days => ${retention.keepRollupDays})) as result`;
    const result = { ...row.result, keepDays: retention.keepDays };
    await recordAudit(tx, { type: "telemetry_rolled_up", userId: caller.userId, data: result });
    return result;
  });
}

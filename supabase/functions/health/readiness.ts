/**
 * The readiness answer: every dependency checked at once, each within the
 * time limit, each reported only as ok / failing / absent.
 *
 * @module
 */
import type { CheckStatus, Readiness } from "../_shared/contracts/operations.ts";
import type { Database } from "../_shared/db/client.ts";
import { isHttpError } from "../_shared/errors.ts";
import type { Probe } from "../_shared/integrations/probes.ts";

/**
 * The newest migration this code needs (the readiness functions' own): an
 * older database is reachable but not migrated.
 */
export const REQUIRED_SCHEMA_VERSION = "20261202010000";

/** What readiness checks. */
export interface ReadinessDeps {
  db: Database;
  /** The model endpoint; undefined when no key is configured (reported absent). */
  model?: Probe;
  storage: Probe;
  timeoutMs: number;
  now?: () => Date;
}

interface DatabaseState {
  status: CheckStatus;
  migrated: boolean;
  backlog: { queued: number; oldestQueuedAt: string | null } | null;
}

/** Resolves with `fallback` when `work` takes longer than `ms`. */
function within<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Reachable, migrated, and the job backlog; a failed statement means not migrated. */
async function databaseState(db: Database): Promise<DatabaseState> {
  try {
    const [row] = await db.asService(
      {},
      (tx) =>
        tx<{ version: string | null; backlog: DatabaseState["backlog"] }[]>`
        select private.schema_version() as version, private.job_backlog() as backlog`,
    );
    return {
      status: "ok",
      migrated: row.version !== null && row.version >= REQUIRED_SCHEMA_VERSION,
      backlog: row.backlog,
    };
  } catch (error) {
    const unreachable = isHttpError(error) && error.code === "database_unavailable";
    return { status: unreachable ? "failing" : "ok", migrated: false, backlog: null };
  }
}

function statusOf(passed: boolean | undefined): CheckStatus {
  if (passed === undefined) return "absent";
  return passed ? "ok" : "failing";
}

/**
 * Checks every dependency in parallel.
 *
 * @example
 * const answer = await checkReadiness({ db, model, storage, timeoutMs: 3000 });
 * answer.status; // "ready"
 */
export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  const now = deps.now?.() ?? new Date();
  const unreachable: DatabaseState = { status: "failing", migrated: false, backlog: null };
  const [database, model, storage] = await Promise.all([
    within(databaseState(deps.db), deps.timeoutMs, unreachable),
    deps.model ? within(deps.model(), deps.timeoutMs, false) : Promise.resolve(undefined),
    within(deps.storage(), deps.timeoutMs, false),
  ]);
  const backlog = database.backlog;
  const checks: Readiness["checks"] = {
    database: { status: database.status, migrated: database.migrated },
    model: { status: statusOf(model) },
    storage: { status: statusOf(storage) },
    jobs: {
      status: backlog ? "ok" : "absent",
      queued: backlog?.queued ?? null,
      oldestQueuedAgeSeconds: backlog?.oldestQueuedAt
        ? Math.max(0, Math.floor((now.getTime() - Date.parse(backlog.oldestQueuedAt)) / 1000))
        : null,
    },
  };
  const ready = database.status === "ok" && database.migrated &&
    checks.model.status !== "failing" && checks.storage.status === "ok";
  return { status: ready ? "ready" : "not_ready", checks, checkedAt: now.toISOString() };
}

/**
 * What the export operations need: the database, the caller's view of the
 * bucket, the limits from the environment, and the jobs that build exports.
 *
 * @module
 */
import type { Database } from "../_shared/db/client.ts";
import type { ObjectStorage } from "../_shared/integrations/storage.ts";
import type { BudgetLimits } from "../_shared/jobs/budget.ts";
import type { JobRunner } from "../_shared/jobs/runner.ts";

/** What the export operations work with. */
export interface ExportDeps {
  db: Database;
  /** The bucket as the caller sees it. */
  storage: ObjectStorage;
  limits: {
    /** LAB_EXPORT_MAX_EXPERIMENTS */
    maxExperiments: number;
    /** LAB_EXPORT_URL_TTL_SECONDS */
    urlTtlSeconds: number;
    /** LAB_EXPORT_MAX_BYTES: the largest file an export may store. */
    maxBytes: number;
  };
  /** How exports run as jobs of kind `export`. */
  jobs: {
    /** A runner that knows the export handler, to work a new export inline. */
    runner: JobRunner;
    /** How long `POST /exports` works an export before answering 202 (LAB_EXPORT_INLINE_MS). */
    inline: BudgetLimits;
    /** Starts the worker, for what is left after the inline budget. */
    wake(): void;
    /** What made job `id`'s last attempt in this process fail, if one did. */
    failureOf(id: string): unknown;
  };
}

/**
 * What the export operations need: the database, the caller's view of the
 * bucket and the limits from the environment, and who is calling.
 *
 * @module
 */
import type { Database } from "../_shared/db/client.ts";
import type { ObjectStorage } from "../_shared/integrations/storage.ts";

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
}

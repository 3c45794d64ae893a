/**
 * The ingest's database steps, each one statement as the dataset's owner
 * (migration `20261202007300_datasets.sql`): create a version, begin (or
 * resume) its ingest, store a batch with its checkpoint, finish.
 *
 * @module
 */
import type { DbCaller } from "../caller.ts";
import type { Database } from "../db/client.ts";
import type { SkipReason } from "./rows.ts";

/** A `dataset_versions` row as the steps return it. */
export interface DatasetVersion {
  id: string;
  dataset_id: string;
  user_id: string;
  version: number;
  source_path: string;
  delimiter: string;
  column_map: Record<string, string> | null;
  status: "pending" | "running" | "completed" | "failed" | "cancelled";
  columns: string[] | null;
  checkpoint_line: number;
  saved_count: number;
  skipped_count: number;
  skipped_by_reason: Partial<Record<SkipReason, number>>;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** Progress after a stored batch. */
export interface IngestProgress {
  status: DatasetVersion["status"];
  checkpointLine: number;
  savedCount: number;
  skippedCount: number;
  skippedByReason: Partial<Record<SkipReason, number>>;
}

/** One batch: rows and skips up to `checkpointLine`. */
export interface IngestBatch {
  columns: string[];
  rows: { line: number; values: Record<string, string> }[];
  skips: { line: number; reason: SkipReason; detail: string }[];
  checkpointLine: number;
}

/**
 * A new pending version of the caller's dataset.
 *
 * @throws {HttpError} 404 `dataset_not_found`, 400 `invalid_source_path`.
 *
 * @example
 * const version = await createDatasetVersion(db, caller, { datasetId, sourcePath: `${uid}/prompts.csv` });
 */
export function createDatasetVersion(
  db: Database,
  caller: DbCaller,
  input: {
    datasetId: string;
    sourcePath: string;
    delimiter?: string;
    columnMap?: Record<string, string>;
  },
): Promise<DatasetVersion> {
  return db.callAsUser(caller, "create_dataset_version", {
    dataset_id: input.datasetId,
    source_path: input.sourcePath,
    delimiter: input.delimiter,
    column_map: input.columnMap,
  });
}

/** The version, running (a completed or running one unchanged). @throws {HttpError} 404. */
export function beginIngest(db: Database, caller: DbCaller, versionId: string) {
  return db.callAsUser<DatasetVersion>(caller, "begin_dataset_ingest", { version_id: versionId });
}

/** Stores one batch; idempotent per line. @throws {HttpError} 404. */
export function storeBatch(db: Database, caller: DbCaller, versionId: string, batch: IngestBatch) {
  return db.callAsUser<IngestProgress>(caller, "store_dataset_rows", {
    version_id: versionId,
    columns: batch.columns,
    rows: batch.rows,
    skips: batch.skips,
    checkpoint_line: batch.checkpointLine,
  });
}

/** Completed, or failed with `error`. @throws {HttpError} 404. */
export function finishIngest(db: Database, caller: DbCaller, versionId: string, error?: string) {
  return db.callAsUser<DatasetVersion>(caller, "finish_dataset_ingest", {
    version_id: versionId,
    error: error ?? null,
  });
}

/**
 * Cancels the version's ingest as its owner would (a Data API update, under
 * RLS), unless it has already ended; what is stored stays.
 *
 * @example
 * await cancelIngest(db, caller, versionId);
 */
export async function cancelIngest(db: Database, caller: DbCaller, versionId: string) {
  await db.withUser(caller, (tx) =>
    tx`update public.dataset_versions set status = 'cancelled'
        where id = ${versionId} and status in ('pending', 'running')`);
}

/**
 * The version's status (and error) as its owner sees it, or null when it is not theirs.
 *
 * @example
 * if ((await ingestStatus(db, caller, versionId))?.status === "cancelled") return { kind: "cancelled" };
 */
export async function ingestStatus(
  db: Database,
  caller: DbCaller,
  versionId: string,
): Promise<Pick<DatasetVersion, "status" | "error"> | null> {
  const [row] = await db.withUser(caller, (tx) =>
    tx<Pick<DatasetVersion, "status" | "error">[]>`
      select status, error from public.dataset_versions where id = ${versionId}`);
  return row ?? null;
}

/**
 * One dataset ingest, start to end or resumed: begin (or resume) the
 * version, stream its CSV through {@link csvRecords}, turn each record into
 * an item or a skip ({@link toRow}) and store them in batches with the
 * checkpoint (`store.ts`), so a crash, a cancel or a lost worker resumes
 * after the last stored line without duplicating a row; finish as completed,
 * or failed with a message naming the line when the file itself cannot be
 * read. The same function serves a request and a job.
 *
 * @module
 */
import type { DbCaller } from "../caller.ts";
import type { Database } from "../db/client.ts";
import { CsvFileError, csvRecords, type CsvResumePoint } from "./csv_records.ts";
import { type ColumnPlan, planColumns, toRow } from "./rows.ts";
import {
  beginIngest,
  type DatasetVersion,
  finishIngest,
  type IngestBatch,
  type IngestProgress,
  storeBatch,
} from "./store.ts";

/** Rows per stored batch by default. */
export const DEFAULT_BATCH_ROWS = 500;

/** What an ingest needs. */
export interface IngestDeps {
  db: Database;
  /** Opens the version's CSV (from Storage) as a byte stream. */
  open(sourcePath: string): Promise<ReadableStream<Uint8Array>>;
  /** Rows per batch. */
  batchRows?: number;
  /**
   * Called after each stored batch with the progress and where a later
   * call may start reading again; resolving true stops the ingest there (a
   * job's budget is spent, or its owner asked to cancel), leaving the
   * version running for the next call to go on.
   */
  afterBatch?: (progress: IngestProgress, resume: IngestResumePoint) => boolean | Promise<boolean>;
  /**
   * Where an earlier call stopped (its `afterBatch` point): the file is read
   * from there, its bytes before dropped unparsed. Without it the file is
   * parsed from its start and the stored lines skipped.
   */
  resumeFrom?: IngestResumePoint | null;
}

/** A point to read a version's file again from, with the header that was read before it. */
export interface IngestResumePoint extends CsvResumePoint {
  header: string[];
  headerLine: number;
}

/**
 * Runs (or resumes) the ingest of `versionId` as `caller` and resolves with
 * the version as it ended: completed, failed (with `error`), cancelled
 * when the owner cancelled it meanwhile, or still running when
 * `afterBatch` stopped it. A completed version is returned at once.
 *
 * @throws {HttpError} 404 `dataset_version_not_found`; errors of `open` and
 *   the database other than a file that cannot be read (which fails the
 *   version instead) leave it running for a retry.
 *
 * @example
 * const version = await ingestDatasetVersion(deps, caller, versionId);
 * console.log(version.saved_count, version.skipped_by_reason);
 */
export async function ingestDatasetVersion(
  deps: IngestDeps,
  caller: DbCaller,
  versionId: string,
): Promise<DatasetVersion> {
  const { db } = deps;
  const version = await beginIngest(db, caller, versionId);
  if (version.status !== "running") return version;
  try {
    if (await ingestFile(deps, caller, version) === "stopped") {
      return await beginIngest(db, caller, versionId); // as it stands, still running
    }
    // Finishing changes only a version still running: a cancelled one comes back as it is.
    return await finishIngest(db, caller, versionId);
  } catch (error) {
    if (error instanceof CsvFileError) {
      return await finishIngest(db, caller, versionId, error.message);
    }
    throw error;
  }
}

/**
 * Streams the file into batches: "done" at its end or when the version
 * stopped running (cancelled), "stopped" when `afterBatch` asked to.
 */
async function ingestFile(
  deps: IngestDeps,
  caller: DbCaller,
  version: DatasetVersion,
): Promise<"done" | "stopped"> {
  const batchRows = deps.batchRows ?? DEFAULT_BATCH_ROWS;
  const stream = await deps.open(version.source_path);
  const from = deps.resumeFrom ?? null;
  let header = from ? { fields: from.header, line: from.headerLine } : null;
  let plan: ColumnPlan | null = header
    ? planColumns(header.fields, header.line, version.column_map)
    : null;
  let batch: IngestBatch = {
    columns: plan?.variables ?? [],
    rows: [],
    skips: [],
    checkpointLine: version.checkpoint_line,
  };
  let resume: IngestResumePoint | null = from;
  /** Stores the batch; what to do next. */
  const flush = async (): Promise<"go on" | "done" | "stopped"> => {
    const progress = await storeBatch(deps.db, caller, version.id, batch);
    batch = { columns: batch.columns, rows: [], skips: [], checkpointLine: batch.checkpointLine };
    if (progress.status !== "running") return "done";
    return await deps.afterBatch?.(progress, resume!) ? "stopped" : "go on";
  };
  const records = csvRecords(stream, {
    delimiter: version.delimiter,
    ...(from ? { from: { byte: from.byte, line: from.line } } : {}),
  });
  for await (const record of records) {
    if (record.kind === "record") {
      if (plan === null) {
        header = { fields: record.fields, line: record.line };
        plan = planColumns(record.fields, record.line, version.column_map);
        batch.columns = plan.variables;
      }
      resume = {
        byte: record.end,
        line: record.nextLine,
        header: header!.fields,
        headerLine: header!.line,
      };
      if (record.line === header!.line) continue;
    }
    if (record.line <= version.checkpoint_line) continue; // stored before a resume
    if (record.kind === "skip") {
      batch.skips.push({ line: record.line, reason: record.reason, detail: record.detail });
    } else {
      const row = toRow(plan!, record);
      if (row.kind === "item") batch.rows.push({ line: row.line, values: row.values });
      else batch.skips.push({ line: row.line, reason: row.reason, detail: row.detail });
      batch.checkpointLine = record.line;
    }
    if (batch.rows.length + batch.skips.length >= batchRows) {
      const next = await flush();
      if (next !== "go on") return next;
    }
  }
  if (plan === null) throw new CsvFileError("Line 1: the file is empty (no header line)");
  // The last batch: the file is read to its end, so nothing is left to stop before.
  await storeBatch(deps.db, caller, version.id, batch);
  return "done";
}

/**
 * Dataset ingests as jobs of kind `dataset_ingest`: each slice goes on with
 * {@link ingestDatasetVersion} from the version's last stored line until
 * the slice's budget is spent, and the job's progress is the version's
 * (saved rows as done, skipped rows with their count per reason). The
 * version's checkpoint is stored with its rows, so a worker that dies
 * mid-slice leaves nothing half done: the next attempt resumes after the
 * last stored line without duplicating one.
 *
 * @module
 */
import type { DbCaller } from "../caller.ts";
import type { Database } from "../db/client.ts";
import {
  type JobContext,
  JobFatalError,
  type JobHandler,
  type JobProgress,
  type SliceOutcome,
} from "../jobs/handler.ts";
import { openObject } from "../integrations/object_download.ts";
import { ingestDatasetVersion } from "./ingest.ts";
import {
  cancelIngest,
  type DatasetVersion,
  finishIngest,
  type IngestProgress,
  ingestStatus,
} from "./store.ts";

/** The kind of dataset ingest jobs. */
export const DATASET_INGEST_KIND = "dataset_ingest";

/** What a `dataset_ingest` job is created with. */
export interface DatasetIngestPayload {
  versionId: string;
}

/** What the handler needs. */
export interface IngestJobDeps {
  db: Database;
  /** Opens a CSV of the `datasets` bucket (the worker reads with its own key). */
  open(sourcePath: string): Promise<ReadableStream<Uint8Array>>;
  /** Rows per stored batch; smaller in tests to force many slices. */
  batchRows?: number;
}

function progressOf(counts: {
  savedCount: number;
  skippedCount: number;
  skippedByReason: Record<string, number | undefined>;
}): Partial<JobProgress> {
  const skippedByReason: Record<string, number> = {};
  for (const [reason, n] of Object.entries(counts.skippedByReason)) {
    if (n) skippedByReason[reason] = n;
  }
  return { done: counts.savedCount, skipped: counts.skippedCount, skippedByReason };
}

function countsOf(version: DatasetVersion) {
  return {
    savedCount: version.saved_count,
    skippedCount: version.skipped_count,
    skippedByReason: version.skipped_by_reason,
  };
}

/** How a slice ends, from the version's status after it. */
async function outcomeOf(
  context: JobContext,
  version: DatasetVersion,
): Promise<SliceOutcome> {
  switch (version.status) {
    case "completed": {
      const counts = countsOf(version);
      await context.saveCheckpoint({ started: true }, {
        ...progressOf(counts),
        total: version.saved_count + version.skipped_count,
      });
      return {
        kind: "succeeded",
        result: { versionId: version.id, columns: version.columns ?? [], ...counts },
      };
    }
    case "failed":
      throw new JobFatalError(version.error ?? "The ingest failed");
    case "cancelled":
      return { kind: "cancelled" };
    default:
      return { kind: "continue" };
  }
}

/**
 * The handler of `dataset_ingest` jobs.
 *
 * @example
 * const handlers = [datasetIngestJobHandler({ db, open: (path) => openObject(storage, path) })];
 */
export function datasetIngestJobHandler(deps: IngestJobDeps): JobHandler {
  const { db } = deps;
  const versionOf = (context: { job: JobContext["job"] }) =>
    (context.job.payload as unknown as DatasetIngestPayload).versionId;

  return {
    kind: DATASET_INGEST_KIND,

    async runSlice(context) {
      const versionId = versionOf(context);
      const { caller } = context;
      if (context.job.checkpoint === null) {
        // The first slice may resume a failed or cancelled version: that is what the job is for.
        await context.saveCheckpoint({ started: true });
      } else {
        // Later slices go on only with a version still running (its owner may have cancelled it).
        const found = await ingestStatus(db, caller, versionId);
        if (found === null) throw new JobFatalError(`Dataset version not found: ${versionId}`);
        if (found.status === "cancelled") return { kind: "cancelled" };
        if (found.status === "failed") throw new JobFatalError(found.error ?? "The ingest failed");
      }
      let cancelRequested = false;
      const version = await ingestDatasetVersion(
        {
          db,
          open: deps.open,
          batchRows: deps.batchRows,
          afterBatch: async (progress: IngestProgress) => {
            const answer = await context.saveCheckpoint(
              { started: true, checkpointLine: progress.checkpointLine },
              progressOf(progress),
            );
            cancelRequested = answer.cancelRequested;
            return cancelRequested || context.budget.exhausted();
          },
        },
        caller,
        versionId,
      );
      if (cancelRequested && version.status === "running") {
        await cancelIngest(db, caller, versionId);
        return { kind: "cancelled" };
      }
      return await outcomeOf(context, version);
    },

    async cleanUp(context, reason, error) {
      const versionId = versionOf(context);
      // A version must not stay running without a job to go on with it.
      if (reason === "cancelled") await cancelIngest(db, context.caller, versionId);
      else await failIngest(db, context.caller, versionId, error);
    },
  };
}

async function failIngest(db: Database, caller: DbCaller, versionId: string, error?: string) {
  if ((await ingestStatus(db, caller, versionId))?.status !== "running") return;
  await finishIngest(db, caller, versionId, error ?? "The ingest job failed");
}

/** The bucket datasets are uploaded to. */
export const DATASETS_BUCKET = "datasets";

/**
 * The handler as the worker builds it: CSVs are read from the `datasets`
 * bucket with the service role key (the object's path is in its owner's
 * folder, checked when the version was created).
 *
 * @example
 * handlers.push(datasetIngestJobs(runtime.db, runtime.env));
 */
export function datasetIngestJobs(
  db: Database,
  env: { SUPABASE_URL: string; SUPABASE_SERVICE_ROLE_KEY?: string },
): JobHandler {
  return datasetIngestJobHandler({
    db,
    open(path) {
      const key = env.SUPABASE_SERVICE_ROLE_KEY;
      if (!key) {
        throw new JobFatalError("Cannot read the CSV: the worker has no SUPABASE_SERVICE_ROLE_KEY");
      }
      return openObject(
        { supabaseUrl: env.SUPABASE_URL, apiKey: key, token: key, bucket: DATASETS_BUCKET },
        path,
      );
    },
  });
}

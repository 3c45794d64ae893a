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
  type JobJson,
  type JobProgress,
  type SliceOutcome,
} from "../jobs/handler.ts";
import { openObject } from "../integrations/object_download.ts";
import { ingestDatasetVersion, type IngestResumePoint } from "./ingest.ts";
import {
  cancelIngest,
  type DatasetVersion,
  finishIngest,
  type IngestProgress,
  ingestStatus,
} from "./store.ts";

/** How often a slice saves its progress (and so sees a cancel) while it works. */
export const PROGRESS_EVERY_MS = 250;

/** The kind of dataset ingest jobs. */
export const DATASET_INGEST_KIND = "dataset_ingest";

/** What a `dataset_ingest` job is created with. */
export interface DatasetIngestPayload {
  versionId: string;
}

/**
 * An ingest job's checkpoint: whether a slice has started (later slices do
 * not resume a version its owner cancelled), and where the next reads on.
 * Saved after the batch it follows is stored, so it is never ahead of the
 * version's own checkpoint (a point behind it only re-reads stored lines).
 */
interface IngestJobState {
  started: true;
  resume: IngestResumePoint | null;
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
      await context.saveCheckpoint({ started: true, resume: null }, {
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
  /** The state this invocation last saved, per claimed job (the claim's copy goes stale). */
  const latest = new WeakMap<JobContext["job"], IngestJobState>();
  const stateOf = (job: JobContext["job"]) =>
    latest.get(job) ?? (job.checkpoint as unknown as IngestJobState | null);
  const save = (context: JobContext, state: IngestJobState, progress?: Partial<JobProgress>) => {
    latest.set(context.job, state);
    return context.saveCheckpoint(state as unknown as JobJson, progress);
  };

  return {
    kind: DATASET_INGEST_KIND,

    async runSlice(context) {
      const versionId = versionOf(context);
      const { caller } = context;
      const state = stateOf(context.job);
      if (state === null) {
        // The first slice may resume a failed or cancelled version: that is what the job is for.
        await save(context, { started: true, resume: null });
      } else {
        // Later slices go on only with a version still running (its owner may have cancelled it).
        const found = await ingestStatus(db, caller, versionId);
        if (found === null) throw new JobFatalError(`Dataset version not found: ${versionId}`);
        if (found.status === "cancelled") return { kind: "cancelled" };
        if (found.status === "failed") throw new JobFatalError(found.error ?? "The ingest failed");
      }
      let cancelRequested = false;
      let savedAt = Number.NEGATIVE_INFINITY;
      const version = await ingestDatasetVersion(
        {
          db,
          open: deps.open,
          batchRows: deps.batchRows,
          // Each slice reads on from where the last one stopped instead of parsing the file again.
          resumeFrom: state?.resume ?? null,
          afterBatch: async (progress: IngestProgress, resume: IngestResumePoint) => {
            const stop = context.budget.exhausted();
            // Saved at most every PROGRESS_EVERY_MS (and before stopping): a round trip per
            // batch would cost a fifth of the ingest; a crash only re-reads a little more.
            if (!stop && performance.now() - savedAt < PROGRESS_EVERY_MS) return false;
            savedAt = performance.now();
            const answer = await save(context, { started: true, resume }, progressOf(progress));
            cancelRequested = answer.cancelRequested;
            return cancelRequested || stop;
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

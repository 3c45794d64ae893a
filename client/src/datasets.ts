/**
 * Datasets: a CSV uploaded to the private `datasets` bucket (under the
 * caller's folder) becomes a new version of one of the caller's datasets
 * through the datasets function; datasets, versions (with the ingest's
 * progress), items and skipped rows are read through the Data API.
 *
 * @module
 */
import {
  type CreateDatasetVersionRequest,
  type DatasetIngestStarted,
  datasetIngestStartedSchema,
  type DatasetVersionRow,
  datasetVersionSchema,
} from "../../supabase/functions/_shared/contracts/datasets.ts";
import { LabError, labErrorFor, LabNetworkError } from "./errors.ts";
import { type CallOptions, type FunctionsTransport, invokeFunction } from "./functions.ts";
import type { jobCalls, JobRow } from "./jobs.ts";
import { type LabSupabaseClient, notFound } from "./reads.ts";
import { failure, type FunctionResult, type LabResult, success } from "./result.ts";
import { checkRow, fromPostgrest } from "./rows.ts";
import type { DatasetItemRow, DatasetRow, DatasetSkipRow } from "./types.ts";

/** The bucket datasets are uploaded to. */
export const DATASETS_BUCKET = "datasets";

/** Options of {@link datasetCalls}' `upload`. */
export interface UploadDatasetOptions extends CallOptions {
  /** Kept in the object's name, for people browsing the bucket. */
  fileName?: string;
  /** Field delimiter (one character); a comma by default. */
  delimiter?: string;
  /** `{ variable: "CSV column" }`; by default every column keeps its name. */
  columnMap?: CreateDatasetVersionRequest["columnMap"];
  /** Called with the ingest job each time it is read (saved rows as done, skips per reason). */
  onProgress?: (job: JobRow) => void;
  /** Answer as soon as the job is queued instead of when the ingest ends. */
  noWait?: boolean;
}

/** An ingest as it ended (or, with `noWait`, as it started): the version and its job. */
export interface DatasetIngest {
  version: DatasetVersionRow;
  /** The job as it ended (or null when there was nothing to do). */
  job: JobRow | DatasetIngestStarted["job"];
}

/** What a CSV may be given as. */
export type CsvBody = string | Blob | Uint8Array | ArrayBuffer;

function toBlob(csv: CsvBody): Blob {
  if (csv instanceof Blob) return csv;
  return new Blob([csv as BlobPart], { type: "text/csv" });
}

/** Object names keep letters, digits, `.`, `_` and `-` of a file name. */
function safeName(fileName: string | undefined): string {
  const cleaned = (fileName ?? "data.csv").replace(/[^A-Za-z0-9._-]+/g, "_").slice(-80);
  return cleaned === "" ? "data.csv" : cleaned;
}

function storageFailure(error: { message: string; statusCode?: unknown; status?: unknown }) {
  const status = Number(error.statusCode ?? error.status) || 0;
  const message = `Cannot upload the CSV: ${error.message}`;
  return status === 0
    ? new LabNetworkError(message)
    : labErrorFor(message, { status, code: "upload_failed" });
}

/**
 * Calls of the datasets function and reads of the caller's datasets.
 *
 * @example
 * ```ts
 * const datasets = datasetCalls(transport, supabase, userId);
 * const { data: version } = await datasets.upload(datasetId, "topic\nrain\n");
 * ```
 */
export function datasetCalls(
  transport: FunctionsTransport,
  supabase: LabSupabaseClient,
  userId: () => Promise<string | null>,
  jobs: ReturnType<typeof jobCalls>,
) {
  const ingestCall = (path: string, body: unknown, options: CallOptions) =>
    invokeFunction(transport, "datasets", {
      method: "POST",
      path,
      body,
      schema: datasetIngestStartedSchema,
      ...options,
    });

  /** Waits for the started ingest's job, then reads the version as the job left it. */
  async function settle(
    started: FunctionResult<DatasetIngestStarted>,
    options: Pick<UploadDatasetOptions, "onProgress" | "noWait">,
  ): Promise<FunctionResult<DatasetIngest>> {
    if (started.error || options.noWait || started.data.job === null) return started;
    const { correlationId } = started;
    const job = await jobs.wait(started.data.job.id, { onProgress: options.onProgress });
    if (job.error) return { ...job, correlationId };
    const version = await readVersion(started.data.version.id);
    return version.error
      ? { ...version, correlationId }
      : { data: { version: version.data, job: job.data }, error: null, correlationId };
  }

  async function readVersion(versionId: string): Promise<LabResult<DatasetVersionRow>> {
    const { data, error, status } = await supabase.from("dataset_versions").select("*")
      .eq("id", versionId).maybeSingle();
    if (error) return failure(fromPostgrest(error, status));
    if (!data) return failure(notFound("Dataset version", versionId));
    const checked = checkRow("dataset_versions", datasetVersionSchema, data);
    return checked instanceof LabError ? failure(checked) : success(checked);
  }

  return {
    /**
     * Creates a dataset (names are unique per user).
     *
     * @example
     * ```ts
     * const { data: dataset } = await lab.datasets.create({ name: "topics" });
     * ```
     */
    async create(dataset: { name: string; description?: string }): Promise<LabResult<DatasetRow>> {
      const { data, error, status } = await supabase.from("datasets")
        .insert({ name: dataset.name, description: dataset.description ?? null })
        .select("*").single();
      return error ? failure(fromPostgrest(error, status)) : success(data);
    },

    /**
     * The caller's datasets by name.
     *
     * @example
     * ```ts
     * const { data } = await lab.datasets.list();
     * ```
     */
    async list(): Promise<LabResult<DatasetRow[]>> {
      const { data, error, status } = await supabase.from("datasets").select("*").order("name");
      return error ? failure(fromPostgrest(error, status)) : success(data);
    },

    /**
     * Uploads a CSV to your folder of the `datasets` bucket and makes it the
     * dataset's next version, ingested by a job of the worker; resolves once
     * the job has ended with the version (`completed` with saved and skipped
     * counts and skips by reason, or `failed` with an error naming the line)
     * and the job.
     *
     * @example
     * ```ts
     * const { data } = await lab.datasets.upload(dataset.id, csvText, { onProgress: (j) => console.log(j.progress) });
     * console.log(data?.version.saved_count, data?.version.skipped_by_reason); // 998 { duplicate: 1, empty: 1 }
     * ```
     */
    async upload(
      datasetId: string,
      csv: CsvBody,
      options: UploadDatasetOptions = {},
    ): Promise<FunctionResult<DatasetIngest>> {
      const { fileName, delimiter, columnMap, onProgress, noWait, ...callOptions } = options;
      const uid = await userId();
      if (!uid) {
        const error = new LabError("Cannot upload a dataset without a signed-in user", {
          code: "missing_token",
          status: 401,
        });
        return { ...failure(error), correlationId: null };
      }
      const path = `${uid}/${datasetId}/${crypto.randomUUID()}-${safeName(fileName)}`;
      const uploaded = await supabase.storage.from(DATASETS_BUCKET).upload(path, toBlob(csv), {
        contentType: "text/csv",
        upsert: false,
      });
      if (uploaded.error) {
        return { ...failure(storageFailure(uploaded.error)), correlationId: null };
      }
      return await this.createVersion(datasetId, { path, delimiter, columnMap }, {
        ...callOptions,
        onProgress,
        noWait,
      });
    },

    /**
     * Makes a CSV already in your folder of the bucket the dataset's next version (see `upload`).
     *
     * @example
     * ```ts
     * await lab.datasets.createVersion(datasetId, { path: `${userId}/topics.csv`, delimiter: ";" });
     * ```
     */
    async createVersion(
      datasetId: string,
      request: CreateDatasetVersionRequest,
      options: CallOptions & Pick<UploadDatasetOptions, "onProgress" | "noWait"> = {},
    ): Promise<FunctionResult<DatasetIngest>> {
      const { onProgress, noWait, ...callOptions } = options;
      const started = await ingestCall(
        `/${encodeURIComponent(datasetId)}/versions`,
        request,
        callOptions,
      );
      return await settle(started, { onProgress, noWait });
    },

    /**
     * Resumes an ingest that failed, was cancelled or lost its worker, after its
     * last stored line; a completed version answers as it is.
     *
     * @example
     * ```ts
     * const { data } = await lab.datasets.resumeIngest(versionId);
     * ```
     */
    async resumeIngest(
      versionId: string,
      options: CallOptions & Pick<UploadDatasetOptions, "onProgress" | "noWait"> = {},
    ): Promise<FunctionResult<DatasetIngest>> {
      const { onProgress, noWait, ...callOptions } = options;
      const started = await ingestCall(
        `/versions/${encodeURIComponent(versionId)}/ingest`,
        undefined,
        callOptions,
      );
      return await settle(started, { onProgress, noWait });
    },

    /**
     * One version and its ingest's progress (status, checkpoint, counts, skips by reason).
     *
     * @example
     * ```ts
     * const { data } = await lab.datasets.version(versionId);
     * console.log(data?.status, data?.saved_count, data?.skipped_by_reason);
     * ```
     */
    version(versionId: string): Promise<LabResult<DatasetVersionRow>> {
      return readVersion(versionId);
    },

    /**
     * A dataset's versions, newest first.
     *
     * @example
     * ```ts
     * const { data } = await lab.datasets.versions(datasetId);
     * ```
     */
    async versions(datasetId: string): Promise<LabResult<DatasetVersionRow[]>> {
      const { data, error, status } = await supabase.from("dataset_versions").select("*")
        .eq("dataset_id", datasetId).order("version", { ascending: false });
      if (error) return failure(fromPostgrest(error, status));
      const out: DatasetVersionRow[] = [];
      for (const row of data) {
        const checked = checkRow("dataset_versions", datasetVersionSchema, row);
        if (checked instanceof LabError) return failure(checked);
        out.push(checked);
      }
      return success(out);
    },

    /**
     * A version's saved items in file order.
     *
     * @example
     * ```ts
     * const { data } = await lab.datasets.items(versionId, { limit: 100 });
     * ```
     */
    async items(
      versionId: string,
      options: { limit?: number; offset?: number } = {},
    ): Promise<LabResult<DatasetItemRow[]>> {
      const from = options.offset ?? 0;
      const { data, error, status } = await supabase.from("dataset_items").select("*")
        .eq("dataset_version_id", versionId).order("line_number")
        .range(from, from + (options.limit ?? 1000) - 1);
      return error ? failure(fromPostgrest(error, status)) : success(data as DatasetItemRow[]);
    },

    /**
     * A version's skipped rows in file order: line, reason and what was wrong.
     *
     * @example
     * ```ts
     * const { data } = await lab.datasets.skips(versionId, { reason: "malformed" });
     * data?.map((s) => `line ${s.line_number}: ${s.detail}`);
     * ```
     */
    async skips(
      versionId: string,
      options: { reason?: string; limit?: number } = {},
    ): Promise<LabResult<DatasetSkipRow[]>> {
      let query = supabase.from("dataset_skips").select("*").eq("dataset_version_id", versionId);
      if (options.reason) query = query.eq("reason", options.reason);
      const { data, error, status } = await query.order("line_number")
        .limit(options.limit ?? 1000);
      return error ? failure(fromPostgrest(error, status)) : success(data);
    },

    /**
     * Cancels a version's ingest (what is stored stays; `resumeIngest` goes on from there).
     *
     * @example
     * ```ts
     * await lab.datasets.cancel(versionId);
     * ```
     */
    async cancel(versionId: string): Promise<LabResult<DatasetVersionRow>> {
      const { data, error, status } = await supabase.from("dataset_versions")
        .update({ status: "cancelled" }).eq("id", versionId).select("*").maybeSingle();
      if (error) return failure(fromPostgrest(error, status));
      if (!data) return failure(notFound("Dataset version", versionId));
      const checked = checkRow("dataset_versions", datasetVersionSchema, data);
      return checked instanceof LabError ? failure(checked) : success(checked);
    },
  };
}

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
  type DatasetVersionRow,
  datasetVersionSchema,
} from "../../supabase/functions/_shared/contracts/datasets.ts";
import { LabError, labErrorFor, LabNetworkError } from "./errors.ts";
import { type CallOptions, type FunctionsTransport, invokeFunction } from "./functions.ts";
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
) {
  const ingestCall = (path: string, body: unknown, options: CallOptions) =>
    invokeFunction(transport, "datasets", {
      method: "POST",
      path,
      body,
      schema: datasetVersionSchema,
      ...options,
    });

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
     * dataset's next version; resolves with the version once its ingest has
     * ended: `completed` with saved and skipped counts (skips by reason), or
     * `failed` with an error naming the line.
     *
     * @example
     * ```ts
     * const { data: version } = await lab.datasets.upload(dataset.id, csvText, { fileName: "topics.csv" });
     * console.log(version?.saved_count, version?.skipped_by_reason); // 998 { duplicate: 1, empty: 1 }
     * ```
     */
    async upload(
      datasetId: string,
      csv: CsvBody,
      options: UploadDatasetOptions = {},
    ): Promise<FunctionResult<DatasetVersionRow>> {
      const { fileName, delimiter, columnMap, ...callOptions } = options;
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
      return await this.createVersion(datasetId, { path, delimiter, columnMap }, callOptions);
    },

    /**
     * Makes a CSV already in your folder of the bucket the dataset's next version (see `upload`).
     *
     * @example
     * ```ts
     * await lab.datasets.createVersion(datasetId, { path: `${userId}/topics.csv`, delimiter: ";" });
     * ```
     */
    createVersion(
      datasetId: string,
      request: CreateDatasetVersionRequest,
      options: CallOptions = {},
    ): Promise<FunctionResult<DatasetVersionRow>> {
      return ingestCall(`/${encodeURIComponent(datasetId)}/versions`, request, options);
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
    resumeIngest(
      versionId: string,
      options: CallOptions = {},
    ): Promise<FunctionResult<DatasetVersionRow>> {
      return ingestCall(`/versions/${encodeURIComponent(versionId)}/ingest`, undefined, options);
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
    async version(versionId: string): Promise<LabResult<DatasetVersionRow>> {
      const { data, error, status } = await supabase.from("dataset_versions").select("*")
        .eq("id", versionId).maybeSingle();
      if (error) return failure(fromPostgrest(error, status));
      if (!data) return failure(notFound("Dataset version", versionId));
      const checked = checkRow("dataset_versions", datasetVersionSchema, data);
      return checked instanceof LabError ? failure(checked) : success(checked);
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

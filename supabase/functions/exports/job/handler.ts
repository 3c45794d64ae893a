/**
 * Exports as jobs of kind `export` (the job's id is the export's): each
 * slice builds the next pages of the file (assemble/build.ts) and appends
 * them to a resumable upload of deferred length
 * (_shared/integrations/resumable_upload.ts), so the file grows across as
 * many invocations as it needs and the object exists only once its last
 * bytes are in. A failed or cancelled export abandons its upload: no object
 * is left behind.
 *
 * Before each append the job's checkpoint records the build's state, the
 * upload, and the end and SHA-256 of the bytes about to be sent (write
 * ahead). A worker that dies mid-append leaves the server holding some of
 * them: the next attempt asks the upload's offset (HEAD), builds those
 * bytes again from the checkpoint (they are deterministic), checks their
 * SHA-256 and sends only the rest. If they differ (the rows changed in
 * between) the upload starts over from the first byte, so the file is
 * never a mix of two versions.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { CreateExportRequest, ExportFormat } from "../../_shared/contracts/exports.ts";
import type { Database } from "../../_shared/db/client.ts";
import { HttpError, isHttpError } from "../../_shared/errors.ts";
import {
  type ResumableUploads,
  resumableUploads,
} from "../../_shared/integrations/resumable_upload.ts";
import { type ObjectStorage, userStorageFactory } from "../../_shared/integrations/storage.ts";
import type { ExportJobEnv } from "../env.ts";
import type { DbCaller } from "../../_shared/caller.ts";
import {
  type JobContext,
  JobFatalError,
  type JobHandler,
  type JobJson,
  type SliceOutcome,
} from "../../_shared/jobs/handler.ts";
import {
  type BuildState,
  buildSteps,
  builtExport,
  type ExportSpec,
  progressOf,
  type ReadPage,
  startBuild,
} from "../assemble/build.ts";
import { CONTENT_TYPES, EXPORTS_BUCKET, findExport, markRunning, storagePathOf } from "../jobs.ts";
import { completeExport, EXPORTS_SCOPE, failExport } from "../lifecycle.ts";
import type { Json } from "../read/rows.ts";
import type { Selection } from "../read/selection.ts";
import { pagedSelectionSource, prepareSnapshot } from "../read/source.ts";

/** What an `export` job is created with. */
export interface ExportPayload {
  format: ExportFormat;
  /** ISO time of the export's creation (the files' exportedAt and mtime). */
  createdAt: string;
  /** The selection, fixed at creation (its `asOf` bound included). */
  selection: Selection;
  /** The request as stored on the export (selected ids and filter). */
  request: Pick<CreateExportRequest, "selectedIds" | "filter">;
  /** Experiments selected at creation, for progress. */
  experimentCount: number;
  /** The request's Idempotency-Key, completed or released when the job ends. */
  idempotencyKey: string | null;
}

/** An export job's checkpoint. */
interface ExportCheckpoint {
  build: BuildState;
  /** The upload's URL, once started. */
  upload: string | null;
  /** The bytes about to be appended after `build` (write ahead): where they end and their SHA-256. */
  pending: { end: number; sha256: string } | null;
}

/** What the export handler needs. */
export interface ExportJobDeps {
  db: Database;
  /** The exports bucket's resumable uploads (the worker's key). */
  uploads: ResumableUploads;
  /** The exports bucket, for the finished file's signed link. */
  storage: ObjectStorage;
  limits: { maxBytes: number; urlTtlSeconds: number };
  /** Rows per page and bytes per append; smaller in tests to force many of each. */
  pageSize?: number;
  appendBytes?: number;
}

/** Bytes gathered before an append: Storage prefers few large appends (it documents 6 MB chunks). */
const APPEND_BYTES = 6 * 1024 * 1024;

function specOf(job: JobContext["job"]): ExportSpec {
  const payload = job.payload as unknown as ExportPayload;
  return {
    exportId: job.id,
    userId: job.userId,
    format: payload.format,
    createdAt: new Date(payload.createdAt),
    request: payload.request as Json,
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The export handler, and what made a job's last attempt in this process fail. */
export interface ExportJobHandler extends JobHandler {
  /** The error of job `id`'s last failed attempt here (a `POST /exports` working it inline answers it). */
  failureOf(id: string): unknown;
}

/**
 * The handler of `export` jobs. A client error (4xx: the file is too large)
 * fails the job at once; anything else is an attempt retried from its
 * checkpoint.
 *
 * @example
 * const handlers = [exportJobHandler({ db, uploads, storage, limits })];
 */
export function exportJobHandler(deps: ExportJobDeps): ExportJobHandler {
  const appendBytes = deps.appendBytes ?? APPEND_BYTES;
  /** The checkpoint this invocation last saved, per claimed job (the claim's copy goes stale). */
  const latest = new WeakMap<JobContext["job"], ExportCheckpoint>();
  /** Claims whose upload offset was already reconciled with the checkpoint. */
  const reconciled = new WeakSet<JobContext["job"]>();

  function reader(caller: DbCaller, selection: Selection): ReadPage {
    return (read) =>
      deps.db.withUser({ ...caller, readOnly: true }, async (tx) => {
        await prepareSnapshot(tx);
        return await read(pagedSelectionSource(tx, selection));
      });
  }

  /** Steps from `build` until `end` bytes are written (or the budget, or the chunk, is used up). */
  async function gather(
    spec: ExportSpec,
    build: BuildState,
    read: ReadPage,
    until: { end?: number; context?: JobContext },
  ): Promise<{ bytes: Uint8Array; build: BuildState }> {
    const parts: Uint8Array[] = [];
    let size = 0;
    let state = build;
    const full = () =>
      until.end !== undefined
        ? state.offset >= until.end
        : size >= appendBytes || (size > 0 && until.context?.budget.exhausted());
    if (state.done || full()) return { bytes: concat(parts), build: state };
    for await (const step of buildSteps(spec, state, read, { pageSize: deps.pageSize })) {
      for (const bytes of step.bytes) {
        parts.push(bytes);
        size += bytes.byteLength;
      }
      state = step.state;
      if (state.offset > deps.limits.maxBytes) {
        throw new HttpError(
          413,
          `Export too large: the file would pass the limit of ${deps.limits.maxBytes} bytes; narrow the filter or select fewer`,
          { code: "export_too_large", details: { byteLimit: deps.limits.maxBytes } },
        );
      }
      if (full()) break;
    }
    return { bytes: concat(parts), build: state };
  }

  async function save(context: JobContext, checkpoint: ExportCheckpoint, count: number) {
    latest.set(context.job, checkpoint);
    const { build } = checkpoint;
    return await context.saveCheckpoint(checkpoint as unknown as JobJson, {
      total: count,
      done: progressOf((context.job.payload as unknown as ExportPayload).format, build, count),
    });
  }

  async function startOver(spec: ExportSpec, stale: string | null): Promise<ExportCheckpoint> {
    if (stale) await deps.uploads.abandon(stale);
    const path = storagePathOf(spec.userId, spec.exportId, spec.format);
    // A file an earlier attempt stored (its last append went through, its rows have changed since)
    // would make the new upload's completion a duplicate.
    await deps.storage.remove(path);
    const upload = await deps.uploads.start(path, CONTENT_TYPES[spec.format]);
    return { build: startBuild(spec.format, deps.pageSize), upload, pending: null };
  }

  /** Brings the checkpoint in line with what the upload holds after a crash (see the module doc). */
  async function reconcile(
    spec: ExportSpec,
    read: ReadPage,
    checkpoint: ExportCheckpoint,
  ): Promise<ExportCheckpoint> {
    const { build, upload, pending } = checkpoint;
    const held = await deps.uploads.offset(upload!);
    if (held === build.offset) return { ...checkpoint, pending: null };
    const lastWasFinal = pending !== null && held === null;
    if (
      pending && (lastWasFinal || (held !== null && held > build.offset && held <= pending.end))
    ) {
      const again = await gather(spec, build, read, { end: pending.end });
      if (again.build.offset === pending.end && sha256Hex(again.bytes) === pending.sha256) {
        if (held !== null && held < pending.end) {
          await deps.uploads.append(upload!, held, again.bytes.subarray(held - build.offset), {
            final: again.build.done,
          });
        }
        return { build: again.build, upload, pending: null };
      }
    }
    return await startOver(spec, held === null ? null : upload);
  }

  async function finish(
    context: JobContext,
    spec: ExportSpec,
    checkpoint: ExportCheckpoint,
  ): Promise<SliceOutcome> {
    const payload = context.job.payload as unknown as ExportPayload;
    const { build } = checkpoint;
    // The job's progress reads whole before the export completes (a ZIP's counts passes over its files).
    await save(context, checkpoint, payload.experimentCount);
    const path = storagePathOf(spec.userId, spec.exportId, spec.format);
    const { measure, tally } = builtExport(build);
    const result = await completeExport(deps, context.caller, {
      id: spec.exportId,
      format: spec.format,
      path,
      measure,
      tally,
      ref: payload.idempotencyKey
        ? { scope: EXPORTS_SCOPE, key: payload.idempotencyKey }
        : undefined,
    });
    return { kind: "succeeded", result: result as unknown as JobJson };
  }

  async function cancelled(context: JobContext): Promise<SliceOutcome> {
    await cleanUp(context, "cancelled");
    return { kind: "cancelled" };
  }

  async function cleanUp(
    context: Omit<JobContext, "budget">,
    reason: "failed" | "cancelled",
    error?: string,
  ): Promise<void> {
    const payload = context.job.payload as unknown as ExportPayload;
    const saved = latest.get(context.job) ??
      (context.job.checkpoint as unknown as ExportCheckpoint | null);
    if (saved?.upload) await deps.uploads.abandon(saved.upload);
    const row = await deps.db.withUser(context.caller, (tx) => findExport(tx, context.job.id));
    if (row?.status === "completed") return; // finished before the job could settle: keep it
    // The last append may have stored the file before finishing failed: no failed export keeps one.
    await deps.storage.remove(storagePathOf(context.job.userId, context.job.id, payload.format));
    await failExport(deps.db, context.caller, { id: context.job.id, format: payload.format }, {
      reason: reason === "cancelled" ? "Cancelled by its owner" : error ?? "The export failed",
      code: reason === "cancelled" ? "export_cancelled" : "export_failed",
      status: reason === "cancelled" ? 409 : 500,
      ref: payload.idempotencyKey
        ? { scope: EXPORTS_SCOPE, key: payload.idempotencyKey }
        : undefined,
    });
  }

  /** The last failure of each job this handler saw fail (bounded: a job fails at most a few times). */
  const failures = new Map<string, unknown>();

  return {
    kind: "export",
    failureOf: (id) => failures.get(id),
    async runSlice(context) {
      try {
        return await runSlice(context);
      } catch (error) {
        failures.delete(context.job.id);
        failures.set(context.job.id, error);
        if (failures.size > 100) failures.delete(failures.keys().next().value!);
        if (isHttpError(error) && error.status < 500) throw new JobFatalError(error.message);
        throw error;
      }
    },
    cleanUp,
  };

  async function runSlice(context: JobContext): Promise<SliceOutcome> {
    const payload = context.job.payload as unknown as ExportPayload;
    const spec = specOf(context.job);
    const read = reader(context.caller, payload.selection);
    let checkpoint: ExportCheckpoint | null = latest.get(context.job) ??
      (context.job.checkpoint as unknown as ExportCheckpoint | null);
    if (checkpoint === null) {
      await deps.db.withUser(context.caller, (tx) => markRunning(tx, spec.exportId));
      checkpoint = await startOver(spec, null);
      if ((await save(context, checkpoint, payload.experimentCount)).cancelRequested) {
        return await cancelled(context);
      }
      reconciled.add(context.job);
    } else if (!reconciled.has(context.job)) {
      checkpoint = await reconcile(spec, read, checkpoint);
      reconciled.add(context.job);
      if (checkpoint.build.done) return await finish(context, spec, checkpoint);
    }
    // At least one append per slice, so a job advances however little budget is left.
    do {
      const { build, upload }: ExportCheckpoint = checkpoint;
      const next = await gather(spec, build, read, { context });
      const answer = await save(context, {
        build,
        upload,
        pending: { end: next.build.offset, sha256: sha256Hex(next.bytes) },
      }, payload.experimentCount);
      if (answer.cancelRequested) return await cancelled(context);
      await deps.uploads.append(upload!, build.offset, next.bytes, { final: next.build.done });
      checkpoint = { build: next.build, upload, pending: null };
      latest.set(context.job, checkpoint);
      if (next.build.done) return await finish(context, spec, checkpoint);
    } while (!context.budget.exhausted());
    const answer = await save(context, checkpoint, payload.experimentCount);
    if (answer.cancelRequested) return await cancelled(context);
    return { kind: "continue" };
  }
}

/**
 * The export handler's dependencies from an environment: the exports
 * bucket through the service-role key (a job outlives its caller's token;
 * the file's path is always `<owner>/<export id>.<format>`).
 *
 * @example
 * const handler = exportJobHandler(exportJobDepsOf(runtime.db, runtime.env));
 */
export function exportJobDepsOf(db: Database, env: ExportJobEnv): ExportJobDeps {
  const key = env.SUPABASE_SERVICE_ROLE_KEY;
  if (!key) {
    const missing = () =>
      Promise.reject(
        new JobFatalError("Cannot store exports: SUPABASE_SERVICE_ROLE_KEY is not set"),
      );
    const storage = { upload: missing, createSignedUrl: missing, remove: () => Promise.resolve() };
    const uploads = {
      start: missing,
      offset: missing,
      append: missing,
      abandon: () => Promise.resolve(),
    };
    return { db, uploads, storage, limits: limitsOf(env) };
  }
  return {
    db,
    uploads: resumableUploads({ supabaseUrl: env.SUPABASE_URL, bucket: EXPORTS_BUCKET, key }),
    storage: userStorageFactory({
      supabaseUrl: env.SUPABASE_URL,
      anonKey: key,
      bucket: EXPORTS_BUCKET,
    })(key),
    limits: limitsOf(env),
  };
}

function limitsOf(env: ExportJobEnv): ExportJobDeps["limits"] {
  return { maxBytes: env.LAB_EXPORT_MAX_BYTES, urlTtlSeconds: env.LAB_EXPORT_URL_TTL_SECONDS };
}

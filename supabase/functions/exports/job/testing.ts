/**
 * Runs an `export` job without the worker, against the handler contract
 * (_shared/jobs/handler.ts): every claim is a fresh context holding the last
 * saved checkpoint, as a new worker invocation would have; the budget lets
 * each claim run a given number of steps, so tests can force many slices.
 * Also what those tests share: an export row and its job, the one-pass
 * bytes to compare with, the stored object.
 *
 * @module
 */
import type {
  ClaimedJob,
  JobContext,
  JobHandler,
  JobJson,
  SliceOutcome,
} from "../../_shared/jobs/handler.ts";
import type { Database } from "../../_shared/db/client.ts";
import {
  type ResumableUploads,
  resumableUploads,
} from "../../_shared/integrations/resumable_upload.ts";
import { type ObjectStorage, userStorageFactory } from "../../_shared/integrations/storage.ts";
import { HttpError } from "../../_shared/errors.ts";
import type { ExportFormat } from "../../_shared/contracts/exports.ts";
import { type TestUser, withAdmin } from "../../tests/harness.ts";
import type { RunningStack } from "../../../../scripts/lib/stack.ts";
import { streamExport } from "../assemble/build.ts";
import { insertExport } from "../jobs.ts";
import { selectionOf } from "../read/selection.ts";
import { pagedSelectionSource } from "../read/source.ts";
import { memorySink } from "../testing/fixtures.ts";
import type { ExportJobDeps, ExportPayload } from "./handler.ts";

/** A job held by {@link claimLoop}: what its checkpoint is after every save. */
export interface FakeJob {
  id: string;
  userId: string;
  payload: ExportPayload;
  checkpoint: JobJson | null;
  saves: number;
  claims: number;
  /** Answers a checkpoint's cancel question (the saves so far). */
  cancelAt?: (saves: number) => boolean;
}

/** A context for one claim of `job`, whose budget allows `checks` passes. */
export function claimOf(job: FakeJob, checks: number): JobContext {
  job.claims += 1;
  const claimed: ClaimedJob = {
    id: job.id,
    userId: job.userId,
    kind: "export",
    payload: job.payload as unknown as JobJson,
    checkpoint: job.checkpoint === null ? null : structuredClone(job.checkpoint),
    progress: { total: null, done: 0, skipped: 0, skippedByReason: {} },
    attempt: job.claims,
    maxAttempts: 100,
    correlationId: crypto.randomUUID(),
    leaseToken: crypto.randomUUID(),
  };
  let left = checks;
  const save = (state: JobJson) => {
    job.checkpoint = JSON.parse(JSON.stringify(state));
    job.saves += 1;
    return Promise.resolve({ cancelRequested: job.cancelAt?.(job.saves) ?? false });
  };
  return {
    job: claimed,
    caller: {
      claims: { sub: job.userId, role: "authenticated", aud: "authenticated" },
      correlationId: claimed.correlationId,
    },
    budget: { exhausted: () => left-- <= 0, remainingMs: () => (left > 0 ? 1000 : 0) },
    checkpoint: (_tx, state) => save(state),
    saveCheckpoint: (state) => save(state),
  };
}

/**
 * Claims `job` again and again until it ends, running slices while each
 * claim's budget lasts; a slice that throws is a failed attempt, retried by
 * the next claim (after `onError` has seen it).
 */
export async function claimLoop(
  handler: JobHandler,
  job: FakeJob,
  options: { checks: number; maxClaims?: number; onError?: (error: unknown) => void },
): Promise<SliceOutcome> {
  for (let claim = 0; claim < (options.maxClaims ?? 10_000); claim++) {
    const context = claimOf(job, options.checks);
    try {
      for (;;) {
        const outcome = await handler.runSlice(context);
        if (outcome.kind !== "continue") return outcome;
        if (context.budget.exhausted()) break;
      }
    } catch (error) {
      if (!options.onError) throw error;
      options.onError(error);
    }
  }
  throw new Error(`The job did not end within ${options.maxClaims} claims`);
}

/** Rows per page in these tests: few, so every export spans many pages. */
export const PAGE = 4;

/** The handler's dependencies on a running stack, with tiny pages and appends. */
export function depsFor(
  stack: RunningStack,
  db: Database,
  extra: { appendBytes?: number } = {},
): ExportJobDeps {
  const key = stack.serviceRoleKey;
  return {
    db,
    uploads: resumableUploads({ supabaseUrl: stack.url, bucket: "exports", key }),
    storage: userStorageFactory({ supabaseUrl: stack.url, anonKey: key, bucket: "exports" })(key),
    limits: { maxBytes: 50_000_000, urlTtlSeconds: 600 },
    pageSize: PAGE,
    appendBytes: extra.appendBytes ?? 2_000,
  };
}

function contextOf(user: TestUser) {
  return {
    claims: { sub: user.id, role: "authenticated", aud: "authenticated" },
    correlationId: crypto.randomUUID(),
  };
}

/** A new export row and the job that builds it. */
export async function newJob(db: Database, user: TestUser, format: ExportFormat): Promise<FakeJob> {
  const selection = selectionOf({ format });
  const row = await db.withUser(contextOf(user), (tx) => insertExport(tx, { format, request: {} }));
  const payload: ExportPayload = {
    format,
    createdAt: row.createdAt.toISOString(),
    selection: { ...selection, asOf: row.asOf },
    request: {},
    experimentCount: 0,
    idempotencyKey: null,
  };
  return { id: row.id, userId: user.id, payload, checkpoint: null, saves: 0, claims: 0 };
}

/** The one-pass bytes of `job`'s export. */
export async function onePass(db: Database, user: TestUser, job: FakeJob): Promise<Uint8Array> {
  const sink = memorySink();
  await streamExport(
    (read) =>
      db.withUser(contextOf(user), (tx) => read(pagedSelectionSource(tx, job.payload.selection))),
    {
      exportId: job.id,
      userId: user.id,
      format: job.payload.format,
      createdAt: new Date(job.payload.createdAt),
      request: {},
    },
    sink,
    { pageSize: PAGE },
  );
  return sink.bytes();
}

/** The stored object at `path`, or null. */
export async function stored(stack: RunningStack, path: string): Promise<Uint8Array | null> {
  const response = await fetch(`${stack.url}/storage/v1/object/exports/${path}`, {
    headers: { authorization: `Bearer ${stack.serviceRoleKey}`, apikey: stack.serviceRoleKey },
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    return null;
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** The export's row as the superuser reads it. */
export async function exportRow(id: string) {
  const [row] = await withAdmin((sql) =>
    sql`select status, error, experiment_count, byte_size::float8 as byte_size from public.experiment_exports where id = ${id}`
  );
  return row;
}

/** A bucket in memory: what it holds, and which steps fail. */
export interface MemoryBucket {
  /** Stored objects by path. */
  objects: Map<string, Uint8Array>;
  /** Uploads started and not yet finished or abandoned, by URL. */
  open: Map<string, { path: string; bytes: number[] }>;
  storage: ObjectStorage;
  uploads: ResumableUploads;
}

/**
 * A bucket in memory with the exports' storage and resumable uploads; `fail`
 * makes appends or signing throw what Storage's clients would.
 */
export function memoryBucket(fail: { append?: boolean; sign?: boolean } = {}): MemoryBucket {
  const objects = new Map<string, Uint8Array>();
  const open = new Map<string, { path: string; bytes: number[] }>();
  const unavailable = (what: string) =>
    new HttpError(502, `Storage unavailable: cannot ${what}`, { code: "storage_unavailable" });
  const storage: ObjectStorage = {
    async upload(path, body) {
      objects.set(path, body instanceof Uint8Array ? body : await new Response(body).bytes());
    },
    createSignedUrl(path, expiresInSeconds) {
      if (fail.sign) return Promise.reject(unavailable("create a download link"));
      return Promise.resolve({
        url: `https://storage.test/${path}?ttl=${expiresInSeconds}`,
        expiresAt: new Date(Date.now() + expiresInSeconds * 1000),
      });
    },
    remove(path) {
      objects.delete(path);
      return Promise.resolve();
    },
  };
  const uploads: ResumableUploads = {
    start(path) {
      const url = `memory://${crypto.randomUUID()}`;
      open.set(url, { path, bytes: [] });
      return Promise.resolve(url);
    },
    offset: (url) => Promise.resolve(open.get(url)?.bytes.length ?? null),
    append(url, offset, bytes, options = {}) {
      const upload = open.get(url);
      if (fail.append || !upload || upload.bytes.length !== offset) {
        return Promise.reject(unavailable("append to the upload"));
      }
      upload.bytes.push(...bytes);
      if (options.final) {
        open.delete(url);
        objects.set(upload.path, Uint8Array.from(upload.bytes));
      }
      return Promise.resolve(upload.bytes.length);
    },
    abandon(url) {
      open.delete(url);
      return Promise.resolve();
    },
  };
  return { objects, open, storage, uploads };
}

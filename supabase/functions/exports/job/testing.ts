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
import { resumableUploads } from "../../_shared/integrations/resumable_upload.ts";
import { userStorageFactory } from "../../_shared/integrations/storage.ts";
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

/**
 * LOCAL STACK: a stand-in for the Supabase Storage REST API as storage-js
 * uses it (supabase-facts.md §7–8), served by the local gateway under
 * `/storage/v1`, because Storage itself cannot run on this machine:
 *
 * - uploads: `POST|PUT /object/{bucket}/{path}` (upload.ts), signed uploads
 *   `POST|PUT /object/upload/sign/...` (signed_upload.ts), resumable tus
 *   uploads `/upload/resumable` (resumable.ts);
 * - reads: `GET|HEAD /object/[authenticated|public/]{bucket}/{path}`, signed
 *   URLs `POST /object/sign/...` and `GET /object/sign/...?token=`,
 *   `GET /object/info/...` (download.ts, serve.ts);
 * - `POST /object/list/{bucket}`, `GET /bucket` (list.ts), `DELETE /object/...` (remove.ts).
 *
 * Object rows are written and read as the caller (role and JWT claims set per
 * transaction) so the bucket's RLS policies decide; bytes live on disk under
 * `rootDir`. Errors have Storage's body and statuses
 * (storage-real-vs-standin.md). Everything else under `/storage/v1` is a 404.
 *
 * @module
 */
import postgres from "postgres";
import type { StorageContext } from "./context.ts";
import {
  handleAuthenticatedDownload,
  handleInfo,
  handlePublicDownload,
  handlePublicInfo,
  handleSign,
  handleSignedDownload,
  handleSignMany,
} from "./download.ts";
import { routeNotFoundResponse, storageErrorResponse } from "./errors.ts";
import { handleList, handleListBuckets } from "./list.ts";
import { matchStorageRoute, STORAGE_PREFIX, type StorageRoute } from "./paths.ts";
import { handleRemove, handleRemoveMany } from "./remove.ts";
import { createResumableUploads, type ResumableUploads } from "./resumable.ts";
import { handleSignedUpload, handleSignUpload } from "./signed_upload.ts";
import { handleUpload } from "./upload.ts";

/** Options for {@link createStorageApi}. */
export interface StorageApiOptions {
  /** Postgres URL of the lab database as the app role (it must be able to take the callers' roles). */
  databaseUrl: string;
  /** The project's JWT secret: callers' tokens are HS256 over it. */
  jwtSecret: string;
  /** Directory holding the objects' bytes (`<rootDir>/<bucket>/<path>`). */
  rootDir: string;
  /** Key for signed-URL tokens; defaults to `jwtSecret`, as on a self-hosted Storage. */
  signingSecret?: string;
  /** Global upload limit in bytes; defaults to 500 MiB (config.toml `[storage] file_size_limit`). */
  fileSizeLimit?: number;
  /** Longest wait for the next chunk of a request body; defaults to 30 s. */
  bodyIdleTimeoutMs?: number;
}

/** The Storage API stand-in. */
export interface StorageApi {
  /** Answers a request whose path starts with `/storage/v1`. */
  handler(request: Request): Promise<Response>;
  /** Ends the database pool. */
  close(): Promise<void>;
}

const DEFAULT_FILE_SIZE_LIMIT = 500 * 1024 * 1024;

function dispatch(
  ctx: StorageContext,
  resumable: ResumableUploads,
  request: Request,
  route: StorageRoute,
): Promise<Response> {
  switch (route.kind) {
    case "upload":
      return handleUpload(ctx, request, route);
    case "sign":
      return handleSign(ctx, request, route);
    case "signMany":
      return handleSignMany(ctx, request, route.bucket);
    case "signedDownload":
      return handleSignedDownload(ctx, request, route);
    case "authenticatedDownload":
      return handleAuthenticatedDownload(ctx, request, route);
    case "publicDownload":
      return handlePublicDownload(ctx, request, route);
    case "info":
      return handleInfo(ctx, request, route);
    case "publicInfo":
      return handlePublicInfo(ctx, request, route);
    case "list":
      return handleList(ctx, request, route.bucket);
    case "listBuckets":
      return handleListBuckets(ctx, request);
    case "remove":
      return handleRemove(ctx, request, route);
    case "removeMany":
      return handleRemoveMany(ctx, request, route.bucket);
    case "signUpload":
      return handleSignUpload(ctx, request, route);
    case "signedUpload":
      return handleSignedUpload(ctx, request, route);
    case "resumable":
      return resumable.handle(request, route.id);
  }
}

/**
 * Creates the Storage API stand-in: one small pool (max 4) for all requests.
 *
 * @example
 * const storage = createStorageApi({ databaseUrl, jwtSecret: LOCAL_JWT_SECRET, rootDir: ".lab/storage" });
 * Deno.serve({ port: 54321 }, storage.handler);
 * // ...
 * await storage.close();
 */
export function createStorageApi(options: StorageApiOptions): StorageApi {
  const sql = postgres(options.databaseUrl, {
    max: 4,
    idle_timeout: 20,
    connect_timeout: 5,
    onnotice: () => {},
    connection: { application_name: "lab-storage" },
  });
  const ctx: StorageContext = {
    sql,
    jwtSecret: options.jwtSecret,
    signingSecret: options.signingSecret ?? options.jwtSecret,
    rootDir: options.rootDir.replace(/\/+$/, ""),
    fileSizeLimit: options.fileSizeLimit ?? DEFAULT_FILE_SIZE_LIMIT,
    bodyIdleTimeoutMs: options.bodyIdleTimeoutMs ?? 30_000,
  };
  const resumable = createResumableUploads(ctx);

  async function handler(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    try {
      const route = matchStorageRoute(request.method, pathname, request.headers);
      if (!route) {
        await request.body?.cancel().catch(() => {});
        return routeNotFoundResponse(request.method, pathname.slice(STORAGE_PREFIX.length) || "/");
      }
      return await dispatch(ctx, resumable, request, route);
    } catch (error) {
      const response = storageErrorResponse(error);
      if (response.status === 500) {
        console.error(`storage: ${request.method} ${pathname} failed:`, error);
      }
      return response;
    }
  }

  return {
    handler,
    close: () => sql.end({ timeout: 5 }),
  };
}

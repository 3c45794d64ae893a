/**
 * LOCAL STACK: a stand-in for the part of the Supabase Storage REST API the
 * lab uses (supabase-facts.md §7–8), served by the local gateway under
 * `/storage/v1`, because Storage itself cannot run on this machine:
 *
 * - `POST|PUT /object/{bucket}/{path}` upload (`x-upsert: true` overwrites),
 * - `POST /object/sign/{bucket}/{path}` and `POST /object/sign/{bucket}` sign,
 * - `GET /object/sign/{bucket}/{path}?token=` signed download,
 * - `GET /object/authenticated/{bucket}/{path}`, `GET /object/{bucket}/{path}`
 *   and `GET /object/public/{bucket}/{path}` download.
 *
 * Object rows are written and read as the caller (role and JWT claims set per
 * transaction) so the bucket's RLS policies decide; bytes live on disk under
 * `rootDir`. Errors have Storage's body and statuses. Everything else under
 * `/storage/v1` is a 404.
 *
 * @module
 */
import postgres from "postgres";
import type { StorageContext } from "./context.ts";
import {
  handleAuthenticatedDownload,
  handlePublicDownload,
  handleSign,
  handleSignedDownload,
  handleSignMany,
} from "./download.ts";
import { STORAGE_ERRORS, storageErrorResponse } from "./errors.ts";
import { matchStorageRoute, STORAGE_PREFIX, type StorageRoute } from "./paths.ts";
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
}

/** The Storage API stand-in. */
export interface StorageApi {
  /** Answers a request whose path starts with `/storage/v1`. */
  handler(request: Request): Promise<Response>;
  /** Ends the database pool. */
  close(): Promise<void>;
}

const DEFAULT_FILE_SIZE_LIMIT = 500 * 1024 * 1024;

function dispatch(ctx: StorageContext, request: Request, route: StorageRoute): Promise<Response> {
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
  };

  async function handler(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    try {
      const route = matchStorageRoute(request.method, pathname, request.headers);
      if (!route) {
        throw STORAGE_ERRORS.routeNotFound(
          request.method,
          pathname.slice(STORAGE_PREFIX.length) || "/",
        );
      }
      return await dispatch(ctx, request, route);
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

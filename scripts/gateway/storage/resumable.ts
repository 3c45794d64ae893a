/**
 * LOCAL STACK: resumable uploads in the Storage API stand-in, the tus 1.0.0
 * protocol as Supabase documents it (supabase.com/docs/guides/storage/uploads/resumable-uploads):
 * `POST /upload/resumable` with `Upload-Length` and `Upload-Metadata`
 * (`bucketName`, `objectName`, `contentType`, `cacheControl`, base64) creates
 * an upload (201 + `Location`); `HEAD` tells its `Upload-Offset`; `PATCH`
 * (`application/offset+octet-stream`, matching `Upload-Offset`) appends; the
 * last byte commits the object exactly as a plain upload does (`x-upsert`,
 * RLS, MIME type and size checked at creation and again at the end);
 * `DELETE` abandons it. Extensions: creation, creation-with-upload,
 * creation-defer-length (Supabase's S3 and file stores both list it): an
 * upload created with `Upload-Defer-Length: 1` instead of `Upload-Length`
 * answers `HEAD` with `Upload-Defer-Length: 1` until a `PATCH` declares its
 * `Upload-Length` (once; another value is a 400), and meanwhile may grow up
 * to the bucket's size limit; termination.
 *
 * Uploads in progress live in this process (their bytes under the data
 * directory's temp folder), so they do not survive a restart of the stack.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import { limitBody } from "../body.ts";
import { authenticate, type StorageContext, uploadLimits } from "./context.ts";
import { STORAGE_ERRORS, StorageApiError } from "./errors.ts";
import { removeQuietly, tempDir } from "./files.ts";
import type { Caller } from "./store.ts";
import { acceptUpload, type UploadTarget } from "./upload.ts";

const TUS_VERSION = "1.0.0";
const EXTENSIONS = "creation,creation-with-upload,creation-defer-length,termination";
const OFFSET_TYPE = "application/offset+octet-stream";

/** One upload in progress. */
interface PendingUpload {
  target: UploadTarget;
  /** The `sub` of the caller who created it; only they may continue it. */
  sub: string;
  /** Null while deferred (`Upload-Defer-Length: 1`), until a PATCH declares it. */
  length: number | null;
  /** The most the upload may hold: the bucket's size limit at creation. */
  limit: number;
  offset: number;
  path: string;
  hash: Hash;
  mimeType: string;
  cacheControl: string;
  busy: boolean;
}

/** The resumable-upload endpoint of one Storage stand-in. */
export interface ResumableUploads {
  handle(request: Request, id: string | null): Promise<Response>;
}

function tusHeaders(extra: Record<string, string> = {}): Headers {
  return new Headers({ "tus-resumable": TUS_VERSION, ...extra });
}

/** A tus answer carries Storage's error body with the error's own status. */
function tusError(error: StorageApiError): StorageApiError {
  return new StorageApiError(error.httpStatusCode, error.code, error.message, {
    error: error.error,
    status: error.httpStatusCode,
    cause: error,
  });
}

/** `Upload-Metadata`: comma-separated `key base64value` pairs (tus 1.0.0 creation extension). */
export function parseUploadMetadata(header: string | null): Map<string, string> {
  const metadata = new Map<string, string>();
  for (const pair of (header ?? "").split(",")) {
    const [key, value] = pair.trim().split(/\s+/, 2);
    if (!key) continue;
    try {
      metadata.set(key, value ? new TextDecoder().decode(decodeBase64(value)) : "");
    } catch {
      throw tusError(STORAGE_ERRORS.validation("Upload-Metadata is invalid"));
    }
  }
  return metadata;
}

function decodeBase64(value: string): Uint8Array {
  return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
}

/**
 * Creates the endpoint.
 *
 * @example
 * const resumable = createResumableUploads(ctx);
 * return await resumable.handle(request, route.id);
 */
export function createResumableUploads(ctx: StorageContext): ResumableUploads {
  const uploads = new Map<string, PendingUpload>();

  async function create(request: Request): Promise<Response> {
    const caller = await authenticate(ctx, request);
    const lengthHeader = request.headers.get("upload-length");
    const deferHeader = request.headers.get("upload-defer-length");
    const deferred = lengthHeader === null && deferHeader === "1";
    if (!deferred && (deferHeader !== null || lengthHeader === null || !isLength(lengthHeader))) {
      throw tusError(
        STORAGE_ERRORS.validation("Upload-Length or Upload-Defer-Length: 1 is required"),
      );
    }
    const metadata = parseUploadMetadata(request.headers.get("upload-metadata"));
    const bucket = metadata.get("bucketName") ?? "";
    const name = metadata.get("objectName") ?? "";
    const target = { bucket, name, upsert: request.headers.get("x-upsert") === "true" };
    const accepted = await acceptUpload(ctx, caller, target);
    const length = deferred ? null : Number(lengthHeader);
    if (length !== null && length > accepted.limit) throw STORAGE_ERRORS.entityTooLarge();
    const mimeType = metadata.get("contentType") || "application/octet-stream";
    accepted.checkMimeType(mimeType);
    const cacheTime = metadata.get("cacheControl");

    const id = crypto.randomUUID();
    await Deno.mkdir(tempDir(ctx.rootDir), { recursive: true });
    const path = `${tempDir(ctx.rootDir)}/tus-${id}`;
    await Deno.writeFile(path, new Uint8Array(0), { createNew: true });
    const upload: PendingUpload = {
      target,
      sub: caller.sub,
      length,
      limit: accepted.limit,
      offset: 0,
      path,
      hash: createHash("md5"),
      mimeType,
      cacheControl: cacheTime ? `max-age=${cacheTime}` : "no-cache",
      busy: false,
    };
    uploads.set(id, upload);
    const location = new URL(
      `${new URL(request.url).pathname.replace(/\/$/, "")}/${id}`,
      request.url,
    );
    const headers = tusHeaders({ location: location.href });
    if (request.body && request.headers.get("content-type") === OFFSET_TYPE) {
      await append(request, id, upload, caller);
      headers.set("upload-offset", String(upload.offset));
    } else {
      await request.body?.cancel();
    }
    return new Response(null, { status: 201, headers });
  }

  /** The caller's upload `id`; another caller's is as absent as a finished one. */
  function find(caller: Caller, id: string): PendingUpload {
    const upload = uploads.get(id);
    if (!upload || upload.sub !== caller.sub) {
      throw new StorageApiError(404, "NoSuchUpload", "Upload not found", {
        error: "not_found",
        status: 404,
      });
    }
    return upload;
  }

  /** Appends the request body; commits the object when the last byte arrived. */
  async function append(
    request: Request,
    id: string,
    upload: PendingUpload,
    caller: Caller,
  ): Promise<void> {
    if (upload.busy) {
      throw new StorageApiError(409, "InvalidRequest", "The upload is being written", {
        error: "Conflict",
        status: 409,
      });
    }
    upload.busy = true;
    try {
      const room = (upload.length ?? upload.limit) - upload.offset;
      const body = request.body ? limitBody(request.body, uploadLimits(ctx, room)) : null;
      const file = await Deno.open(upload.path, { append: true });
      try {
        if (body) {
          for await (const chunk of body) {
            await writeAll(file, chunk);
            upload.hash.update(chunk);
            upload.offset += chunk.byteLength;
          }
        }
      } finally {
        file.close();
      }
      if (upload.length === null || upload.offset < upload.length) return;
      uploads.delete(id);
      try {
        // Checked again at the end: the key may have been taken, or the policy changed, meanwhile.
        const accepted = await acceptUpload(ctx, caller, upload.target);
        accepted.checkMimeType(upload.mimeType);
        await accepted.commit(
          { path: upload.path, size: upload.offset, eTag: `"${upload.hash.digest("hex")}"` },
          upload,
        );
      } finally {
        await removeQuietly(upload.path);
      }
    } finally {
      upload.busy = false;
    }
  }

  async function patch(request: Request, id: string): Promise<Response> {
    const caller = await authenticate(ctx, request);
    const upload = find(caller, id);
    if (request.headers.get("content-type") !== OFFSET_TYPE) {
      throw new StorageApiError(415, "InvalidRequest", `Content-Type must be ${OFFSET_TYPE}`, {
        error: "Unsupported Media Type",
        status: 415,
      });
    }
    if (request.headers.get("upload-offset") !== String(upload.offset)) {
      throw new StorageApiError(409, "InvalidRequest", "Upload-Offset does not match", {
        error: "Conflict",
        status: 409,
      });
    }
    declareLength(upload, request.headers.get("upload-length"));
    await append(request, id, upload, caller);
    return new Response(null, {
      status: 204,
      headers: tusHeaders({ "upload-offset": String(upload.offset) }),
    });
  }

  async function handle(request: Request, id: string | null): Promise<Response> {
    try {
      return await route(request, id);
    } catch (error) {
      throw error instanceof StorageApiError && error.status === 400 ? tusError(error) : error;
    }
  }

  async function route(request: Request, id: string | null): Promise<Response> {
    if (request.method === "OPTIONS") {
      return new Response(null, {
        status: 204,
        headers: tusHeaders({
          "tus-version": TUS_VERSION,
          "tus-extension": EXTENSIONS,
          "tus-max-size": String(ctx.fileSizeLimit),
        }),
      });
    }
    if (request.headers.get("tus-resumable") !== TUS_VERSION) {
      return new Response("Unsupported version", {
        status: 412,
        headers: tusHeaders({ "tus-version": TUS_VERSION }),
      });
    }
    if (id === null) return await create(request);
    switch (request.method) {
      case "HEAD": {
        const upload = find(await authenticate(ctx, request), id);
        return new Response(null, {
          status: 200,
          headers: tusHeaders({
            "upload-offset": String(upload.offset),
            ...(upload.length === null
              ? { "upload-defer-length": "1" }
              : { "upload-length": String(upload.length) }),
            "cache-control": "no-store",
          }),
        });
      }
      case "PATCH":
        return await patch(request, id);
      case "DELETE": {
        const upload = find(await authenticate(ctx, request), id);
        uploads.delete(id);
        await removeQuietly(upload.path);
        return new Response(null, { status: 204, headers: tusHeaders() });
      }
    }
    return new Response(null, { status: 405, headers: tusHeaders() });
  }

  return { handle };
}

function isLength(header: string): boolean {
  return /^\d+$/.test(header);
}

/**
 * A PATCH's `Upload-Length`: declares a deferred length once (not below what
 * was received, not past the limit); must repeat a known one exactly.
 */
function declareLength(upload: PendingUpload, header: string | null): void {
  if (header === null) return;
  if (!isLength(header)) throw tusError(STORAGE_ERRORS.validation("Upload-Length is invalid"));
  const length = Number(header);
  if (upload.length !== null) {
    if (length !== upload.length) {
      throw tusError(STORAGE_ERRORS.validation("Upload-Length cannot be changed"));
    }
    return;
  }
  if (length < upload.offset) {
    throw tusError(STORAGE_ERRORS.validation("Upload-Length is below the upload's offset"));
  }
  if (length > upload.limit) throw STORAGE_ERRORS.entityTooLarge();
  upload.length = length;
}

async function writeAll(file: Deno.FsFile, chunk: Uint8Array): Promise<void> {
  let written = 0;
  while (written < chunk.byteLength) written += await file.write(chunk.subarray(written));
}

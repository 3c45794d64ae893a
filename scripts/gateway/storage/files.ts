/**
 * LOCAL STACK: object bytes on disk for the Storage API stand-in. An object
 * lives at `<rootDir>/<bucket>/<name>`; uploads stream into a temporary file
 * under `<rootDir>/.tmp~` (never a valid bucket name, same filesystem) with a
 * byte cap, and become visible only through an atomic rename.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { STORAGE_ERRORS } from "./errors.ts";

/** A fully received upload, not yet at its final place. */
export interface StagedFile {
  /** Path of the temporary file. */
  path: string;
  /** Bytes received. */
  size: number;
  /** Quoted MD5 hex, as Storage reports an object's eTag. */
  eTag: string;
}

const TEMP_DIR = ".tmp~";

/** Where an object's bytes live. Callers validate bucket and name first. */
export function objectFilePath(rootDir: string, bucket: string, name: string): string {
  return `${rootDir}/${bucket}/${name}`;
}

/**
 * Streams `body` into a new temporary file, failing with EntityTooLarge (and
 * leaving nothing behind) as soon as more than `limit` bytes arrive.
 *
 * @example
 * const staged = await stageUpload(rootDir, request.body, 1024);
 */
export async function stageUpload(
  rootDir: string,
  body: ReadableStream<Uint8Array>,
  limit: number,
): Promise<StagedFile> {
  await Deno.mkdir(`${rootDir}/${TEMP_DIR}`, { recursive: true });
  const path = `${rootDir}/${TEMP_DIR}/${crypto.randomUUID()}`;
  const hash = createHash("md5");
  let size = 0;
  const meter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      size += chunk.byteLength;
      if (size > limit) {
        controller.error(STORAGE_ERRORS.entityTooLarge());
        return;
      }
      hash.update(chunk);
      controller.enqueue(chunk);
    },
  });
  const file = await Deno.open(path, { write: true, createNew: true });
  try {
    await body.pipeThrough(meter).pipeTo(file.writable);
  } catch (error) {
    await removeQuietly(path);
    throw error;
  }
  return { path, size, eTag: `"${hash.digest("hex")}"` };
}

/** Moves a staged file to its final path atomically (replacing any previous bytes). */
export async function publishStaged(staged: StagedFile, finalPath: string): Promise<void> {
  await Deno.mkdir(finalPath.slice(0, finalPath.lastIndexOf("/")), { recursive: true });
  await Deno.rename(staged.path, finalPath);
}

/** Deletes a file, ignoring one that is already gone. */
export async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** An open object file: its stream and size. */
export interface ObjectFile {
  stream: ReadableStream<Uint8Array>;
  size: number;
  mtime: Date | null;
}

/**
 * Opens an object's bytes for streaming; a missing file is NoSuchKey.
 *
 * @example
 * const { stream, size } = await openObjectFile(objectFilePath(rootDir, "exports", "u/a.csv"));
 */
export async function openObjectFile(path: string): Promise<ObjectFile> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw STORAGE_ERRORS.noSuchKey();
    throw error;
  }
  try {
    const info = await file.stat();
    return { stream: file.readable, size: info.size, mtime: info.mtime };
  } catch (error) {
    file.close();
    throw error;
  }
}

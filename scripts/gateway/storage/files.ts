/**
 * LOCAL STACK: object bytes on disk for the Storage API stand-in. An object
 * lives at `<rootDir>/<bucket>/<name>/<version>`, as in Storage's file
 * backend, so `a.csv` and `a.csv/b.csv` can both exist and an upsert's new
 * bytes never overwrite the old ones in place; uploads stream into a temporary file
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

/** Where an object version's bytes live. Callers validate bucket and name first. */
export function objectFilePath(
  rootDir: string,
  bucket: string,
  name: string,
  version: string,
): string {
  return `${rootDir}/${bucket}/${name}/${version}`;
}

/** The folder for staged uploads (also where resumable uploads keep their parts). */
export function tempDir(rootDir: string): string {
  return `${rootDir}/${TEMP_DIR}`;
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

/** Deletes one version's bytes and then its key folder if that is now empty. */
export async function removeVersion(path: string): Promise<void> {
  await removeQuietly(path);
  try {
    await Deno.remove(path.slice(0, path.lastIndexOf("/")));
  } catch {
    // Not empty (other versions or child keys), or already gone.
  }
}

/** An open object file: its size, and a stream of all or part of it. */
export interface ObjectFile {
  size: number;
  mtime: Date | null;
  /** Streams bytes `start..end` inclusive (the whole file by default); closes the file when done. */
  stream(range?: { start: number; end: number }): ReadableStream<Uint8Array>;
  close(): void;
}

/**
 * Opens an object's bytes; a missing file is NoSuchKey.
 *
 * @example
 * const file = await openObjectFile(objectFilePath(rootDir, "exports", "u/a.csv", version));
 */
export async function openObjectFile(path: string): Promise<ObjectFile> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      throw STORAGE_ERRORS.noSuchKey();
    }
    throw error;
  }
  let info: Deno.FileInfo;
  try {
    info = await file.stat();
  } catch (error) {
    file.close();
    throw error;
  }
  return {
    size: info.size,
    mtime: info.mtime,
    close: () => file.close(),
    stream(range) {
      if (!range) return file.readable;
      let left = range.end - range.start + 1;
      let seeked = false;
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (!seeked) {
            await file.seek(range.start, Deno.SeekMode.Start);
            seeked = true;
          }
          const buffer = new Uint8Array(Math.min(left, 64 * 1024));
          const read = left > 0 ? await file.read(buffer) : null;
          if (read === null) {
            file.close();
            controller.close();
            return;
          }
          left -= read;
          controller.enqueue(buffer.subarray(0, read));
        },
        cancel: () => file.close(),
      }, { highWaterMark: 0 });
    },
  };
}

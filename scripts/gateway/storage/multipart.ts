/**
 * LOCAL STACK: a streaming reader for the multipart/form-data bodies
 * storage-js sends for Blob and FormData uploads: text fields first
 * (`cacheControl`, `metadata`, ...), then the file — under the empty field
 * name `""`, which Deno's own `Request.formData()` silently drops. Fields are
 * buffered (with a cap); the file part is handed out as a stream so its bytes
 * go to disk without being held in memory.
 *
 * @module
 */
import { STORAGE_ERRORS, type StorageApiError } from "./errors.ts";

/** The first file part of a multipart body and the text fields before it. */
export interface MultipartFile {
  fields: Map<string, string>;
  /** The part's own Content-Type, if it had one. */
  contentType: string | null;
  /** The part's bytes; reading it to the end consumes the request up to the next boundary. */
  body: ReadableStream<Uint8Array>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CRLF = encoder.encode("\r\n");
const HEADER_END = encoder.encode("\r\n\r\n");
const MAX_HEADER_BYTES = 16 * 1024;

/** The boundary of a multipart content-type, or null. */
export function multipartBoundary(contentType: string): string | null {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : null;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  for (
    let i = haystack.indexOf(first, from);
    i !== -1 && i <= haystack.length - needle.length;
    i = haystack.indexOf(first, i + 1)
  ) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
  }
  return headers;
}

function dispositionParam(disposition: string, param: string): string | null {
  const match = new RegExp(`;\\s*${param}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${param}=([^;]*)`, "i").exec(
    disposition,
  );
  if (!match) return null;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : match[2].trim();
}

/**
 * Reads text fields until the first file part (one with a `filename`) and
 * returns them with that part's stream; null when the form has no file.
 * Malformed bodies are Storage's "No content provided"; a text field larger
 * than `maxFieldBytes` is EntityTooLarge.
 *
 * @example
 * const upload = await readMultipartFile(request.body!, request.headers.get("content-type")!);
 */
export async function readMultipartFile(
  body: ReadableStream<Uint8Array>,
  contentType: string,
  maxFieldBytes = 1024 * 1024,
): Promise<MultipartFile | null> {
  const boundary = multipartBoundary(contentType);
  if (!boundary) throw STORAGE_ERRORS.noContent();
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  const reader = body.getReader();
  // A leading CRLF lets the first boundary match the same delimiter as the rest.
  let buffer: Uint8Array = CRLF;
  let ended = false;
  const fields = new Map<string, string>();

  async function fill(): Promise<boolean> {
    if (ended) return false;
    const chunk = await reader.read();
    if (chunk.done) {
      ended = true;
      return false;
    }
    buffer = concat(buffer, chunk.value);
    return true;
  }

  /** Bytes before `pattern` (which is consumed), read with at most `max` bytes buffered. */
  async function readUntil(
    pattern: Uint8Array,
    max: number,
    tooLarge: () => StorageApiError,
  ): Promise<Uint8Array> {
    let searchFrom = 0;
    for (;;) {
      const at = indexOf(buffer, pattern, searchFrom);
      if (at !== -1) {
        const before = buffer.slice(0, at);
        buffer = buffer.slice(at + pattern.length);
        return before;
      }
      if (buffer.length > max + pattern.length) throw tooLarge();
      searchFrom = Math.max(0, buffer.length - pattern.length + 1);
      if (!(await fill())) throw STORAGE_ERRORS.noContent();
    }
  }

  async function ensure(bytes: number): Promise<void> {
    while (buffer.length < bytes) if (!(await fill())) throw STORAGE_ERRORS.noContent();
  }

  try {
    await readUntil(delimiter, MAX_HEADER_BYTES, STORAGE_ERRORS.noContent); // preamble
    for (;;) {
      await ensure(2);
      if (buffer[0] === 0x2d && buffer[1] === 0x2d) {
        await reader.cancel();
        return null; // closing boundary: no file in the form
      }
      await readUntil(CRLF, 1024, STORAGE_ERRORS.noContent); // rest of the boundary line
      await ensure(2);
      let headerBlock = "";
      if (buffer[0] === 0x0d && buffer[1] === 0x0a) buffer = buffer.slice(2);
      else {headerBlock = decoder.decode(
          await readUntil(HEADER_END, MAX_HEADER_BYTES, STORAGE_ERRORS.noContent),
        );}
      const headers = parseHeaders(headerBlock);
      const disposition = headers.get("content-disposition") ?? "";
      const name = dispositionParam(disposition, "name") ?? "";
      if (dispositionParam(disposition, "filename") !== null) {
        return { fields, contentType: headers.get("content-type") ?? null, body: partStream() };
      }
      const value = await readUntil(
        delimiter,
        maxFieldBytes,
        () => STORAGE_ERRORS.entityTooLarge(),
      );
      fields.set(name, decoder.decode(value));
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }

  function partStream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        for (;;) {
          const at = indexOf(buffer, delimiter);
          if (at !== -1) {
            if (at > 0) controller.enqueue(buffer.slice(0, at));
            buffer = new Uint8Array(0);
            controller.close();
            await reader.cancel();
            return;
          }
          const safe = buffer.length - (delimiter.length - 1);
          if (safe > 0) {
            controller.enqueue(buffer.slice(0, safe));
            buffer = buffer.slice(safe);
            return;
          }
          if (!(await fill())) {
            controller.error(STORAGE_ERRORS.noContent());
            return;
          }
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
  }
}

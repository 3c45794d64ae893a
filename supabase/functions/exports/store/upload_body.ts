/**
 * A {@link ByteSink} read as a byte stream: what the export writes goes
 * straight into an upload's body while it is being built, so the upload no
 * longer waits for the whole file. Each write resolves once the reader has
 * taken the chunk (copied into its own buffer when it reads with BYOB, as
 * streaming_fetch.ts does; copied otherwise), so the writer may reuse it and
 * at most one chunk is ever in flight: the build runs at the upload's pace.
 *
 * The body ends only by {@link UploadBody.close} (after the last write, once
 * the build has succeeded) or errors by {@link UploadBody.abort}: a failed
 * build never ends an upload normally, so Storage never keeps a partial file.
 *
 * @module
 */
import type { ByteSink } from "../../_shared/byte_writer.ts";

/** A sink whose bytes are read from {@link UploadBody.readable}. */
export interface UploadBody extends ByteSink {
  /** The bytes written, as a byte stream (hand it to the upload). */
  readable: ReadableStream<Uint8Array>;
  /** Ends the stream after the last write. */
  close(): void;
  /** Errors the stream (the upload fails) and rejects any write, now or later. */
  abort(reason: unknown): void;
}

interface Pending {
  chunk: Uint8Array;
  offset: number;
  taken(): void;
  failed(reason: unknown): void;
}

/**
 * Makes a sink for a streamed upload.
 *
 * @example
 * const body = uploadBody();
 * const uploading = storage.upload(path, body.readable, "text/csv");
 * await writeText(body, "a,b\r\n");
 * body.close();
 * await uploading;
 */
export function uploadBody(): UploadBody {
  let controller!: ReadableByteStreamController;
  let pending: Pending | undefined;
  let demand: (() => void) | undefined;
  let failure: { reason: unknown } | undefined;
  let closed = false;

  function serve(): void {
    const item = pending!;
    const request = controller.byobRequest;
    const rest = item.chunk.subarray(item.offset);
    let n: number;
    if (request?.view) {
      const view = new Uint8Array(
        request.view.buffer,
        request.view.byteOffset,
        request.view.byteLength,
      );
      n = Math.min(view.byteLength, rest.byteLength);
      view.set(rest.subarray(0, n));
      request.respond(n);
    } else {
      n = rest.byteLength;
      controller.enqueue(rest.slice());
    }
    item.offset += n;
    if (item.offset === item.chunk.byteLength) {
      pending = undefined;
      item.taken();
    }
  }

  function fail(reason: unknown): void {
    if (failure) return;
    failure = { reason };
    pending?.failed(reason);
    pending = undefined;
    demand?.();
    demand = undefined;
  }

  const readable = new ReadableStream({
    type: "bytes",
    start(c: ReadableByteStreamController) {
      controller = c;
    },
    pull() {
      if (pending) return serve();
      return new Promise<void>((resolve) => {
        demand = () => {
          if (pending) serve();
          resolve();
        };
      });
    },
    cancel(reason) {
      fail(reason ?? new Error("Cannot upload the export: the upload stopped reading"));
    },
  });

  return {
    readable: readable as ReadableStream<Uint8Array>,
    write(chunk) {
      if (failure) return Promise.reject(failure.reason);
      if (closed) return Promise.reject(new Error("Cannot write to a closed stream sink"));
      if (chunk.byteLength === 0) return Promise.resolve();
      return new Promise<void>((taken, failed) => {
        pending = { chunk, offset: 0, taken, failed };
        const wake = demand;
        demand = undefined;
        wake?.();
      });
    },
    close() {
      if (failure || closed) return;
      closed = true;
      controller.close();
      // A reader waiting with its own buffer is answered "done".
      controller.byobRequest?.respond(0);
      demand?.();
      demand = undefined;
    },
    abort(reason) {
      if (closed) return;
      const first = !failure;
      fail(reason);
      if (first) controller.error(reason);
    },
  };
}

/**
 * A `fetch` for uploads with a streamed body: Deno's `fetch`, like
 * `node:http` handed a stream's own small chunks, pays a fixed cost per
 * write, so a large upload is sent in 1 MiB pieces from one reused buffer
 * (`byte_writer.ts`) instead. Requests without a stream body go to the
 * global `fetch` unchanged.
 *
 * @module
 */
import { type ClientRequest, type IncomingMessage, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { bufferedWriter } from "../byte_writer.ts";

/** Bytes per write to the request (see the module doc). */
const WRITE_SIZE = 1024 * 1024;

/**
 * Wraps `base`: a request whose body is a ReadableStream is sent with
 * node:http(s) (chunked, in 1 MiB writes, each awaited before the next is
 * read), any other with `base`.
 *
 * @example
 * const client = createClient(url, anonKey, { global: { fetch: streamingFetch() } });
 */
export function streamingFetch(base: typeof fetch = fetch): typeof fetch {
  return function streamingFetch(input, init) {
    const body = init?.body;
    if (!(body instanceof ReadableStream) || input instanceof Request) return base(input, init);
    return sendStream(new URL(String(input)), init ?? {}, body);
  };
}

function sendStream(
  url: URL,
  init: RequestInit,
  body: ReadableStream<Uint8Array>,
): Promise<Response> {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const headers = Object.fromEntries(new Headers(init.headers));
  return new Promise<Response>((resolve, reject) => {
    const signal = init.signal;
    if (signal?.aborted) return reject(signal.reason);
    const req = send(url, { method: init.method ?? "POST", headers }, (res) => {
      readResponse(res).then(resolve, reject);
    });
    // Ends the request and settles with `error` at once: Deno's node:http emits
    // neither `error` nor `close` for a request destroyed on a kept-alive socket
    // (the second request to a host), so waiting for them would wait forever.
    const fail = (error: unknown) => {
      req.destroy(error instanceof Error ? error : undefined);
      reject(error);
    };
    const abort = () => fail(signal?.reason);
    signal?.addEventListener("abort", abort, { once: true });
    req.on("error", reject);
    req.on("close", () => signal?.removeEventListener("abort", abort));
    sendBody(body, req).catch(fail);
  });
}

/**
 * Writes `body` to `req` in {@link WRITE_SIZE} pieces through one reused
 * buffer and ends it. A byte stream (a file's) is read straight into the
 * buffer (BYOB); any other is copied into it. Stops reading when the request
 * fails.
 */
async function sendBody(body: ReadableStream<Uint8Array>, req: ClientRequest): Promise<void> {
  const bytes = byteReader(body);
  const reader = bytes ?? body.getReader();
  const out = bufferedWriter({ write: (chunk) => write(req, chunk) }, { size: WRITE_SIZE });
  try {
    if (bytes) {
      while (!(await out.readFrom(bytes)));
    } else {
      const chunks = reader as ReadableStreamDefaultReader<Uint8Array>;
      for (let next = await chunks.read(); !next.done; next = await chunks.read()) {
        await out.write(next.value);
      }
    }
    await out.flush();
    req.end();
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  }
}

/** A BYOB reader of `body` when it is a byte stream, else undefined. */
function byteReader(body: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | undefined {
  try {
    return body.getReader({ mode: "byob" });
  } catch {
    return undefined;
  }
}

/** Writes `chunk`; resolves once the request is done with it, so its buffer can be reused. */
function write(req: ClientRequest, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    req.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

async function readResponse(res: IncomingMessage): Promise<Response> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of res) chunks.push(chunk as Uint8Array);
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const status = res.statusCode ?? 502;
  const nullBody = status === 204 || status === 304;
  return new Response(nullBody ? null : new Blob(chunks as BlobPart[]), {
    status,
    statusText: res.statusMessage,
    headers,
  });
}

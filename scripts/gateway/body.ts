/**
 * LOCAL STACK: reading request bodies in the stand-ins with the two limits
 * every real service has in front of it — a size cap (answered 413) and an
 * idle timeout for a body that stops arriving (answered 408) — so neither a
 * huge nor a never-ending body can hold a stand-in's memory or connection.
 * The service decides what its errors look like; this module only detects.
 *
 * @module
 */

/** What to throw when a limit is hit. */
export interface BodyLimits {
  /** Most bytes accepted. */
  maxBytes: number;
  /** Longest wait for the next chunk, in milliseconds. */
  idleTimeoutMs: number;
  tooLarge: () => Error;
  timedOut: () => Error;
}

/**
 * `body` passed through unchanged, failing with `timedOut()` when no chunk
 * arrives for `idleTimeoutMs` and with `tooLarge()` past `maxBytes`.
 *
 * @example
 * const body = limitBody(request.body!, { maxBytes, idleTimeoutMs: 30_000, tooLarge, timedOut });
 */
export function limitBody(
  body: ReadableStream<Uint8Array>,
  limits: BodyLimits,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let received = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(limits.timedOut()), limits.idleTimeoutMs);
      });
      try {
        const chunk = await Promise.race([reader.read(), idle]);
        if (chunk.done) {
          controller.close();
          return;
        }
        received += chunk.value.byteLength;
        if (received > limits.maxBytes) throw limits.tooLarge();
        controller.enqueue(chunk.value);
      } catch (error) {
        controller.error(error);
        await reader.cancel().catch(() => {});
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * The whole body as text within the limits; a declared `content-length` over
 * the cap fails before anything is read.
 *
 * @example
 * const text = await readBodyText(request, limits);
 */
export async function readBodyText(request: Request, limits: BodyLimits): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limits.maxBytes) {
    await request.body?.cancel().catch(() => {});
    throw limits.tooLarge();
  }
  if (!request.body) return "";
  return await new Response(limitBody(request.body, limits)).text();
}

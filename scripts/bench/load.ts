/**
 * BENCH: a closed-loop load generator. `concurrency` workers each send one
 * request at a time until `requests` have been sent or `maxMs` has passed;
 * every request's latency is recorded. Only the bench's own local servers
 * are targeted.
 *
 * @module
 */

/** Options for {@link runLoad}. */
export interface LoadOptions {
  /** Requests in flight at once. */
  concurrency: number;
  /** Requests to send in all. */
  requests: number;
  /** Stop starting new requests after this long. */
  maxMs?: number;
  /** Sends request `i`; throws when the answer is not the expected one. */
  send: (i: number) => Promise<void>;
}

/** What {@link runLoad} measured. */
export interface LoadResult {
  /** Milliseconds per completed request, in completion order. */
  latencies: number[];
  /** Wall time from the first send to the last answer. */
  elapsedMs: number;
  /** Requests that threw, with the first error message. */
  errors: number;
  firstError: string | null;
}

/**
 * Runs the load and returns per-request latencies.
 *
 * @example
 * const result = await runLoad({ concurrency: 8, requests: 200, send: () => post(body) });
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { concurrency, requests, maxMs = 120_000, send } = options;
  if (!(concurrency >= 1 && requests >= 1)) {
    throw new Error("Cannot run load: concurrency and requests must be at least 1");
  }
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | null = null;
  const started = performance.now();
  const deadline = started + maxMs;

  async function worker() {
    while (next < requests && performance.now() < deadline) {
      const i = next++;
      const sent = performance.now();
      try {
        await send(i);
        latencies.push(performance.now() - sent);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  return { latencies, elapsedMs: performance.now() - started, errors, firstError };
}

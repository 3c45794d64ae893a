/**
 * Opt-in "where the time goes" for a request: with `LAB_SERVER_TIMING=true`
 * (read once at start), the time spent in named spans — JWT verification,
 * validation, each transaction and its statements, model calls, scoring —
 * is collected per request and sent back in a `Server-Timing` header. Off by
 * default: timings are a side channel no production client needs. When off,
 * {@link timed} costs one AsyncLocalStorage lookup.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { MiddlewareHandler } from "hono";
import type { LabEnv } from "./context.ts";

/** One named span of a request: how often it ran and for how long in all. */
export interface SpanTotal {
  count: number;
  /** Sum of the durations, in milliseconds (concurrent spans add up). */
  totalMs: number;
  /** The longest single run, in milliseconds. */
  maxMs: number;
}

/** The spans of one request, in first-seen order. */
export class RequestTimings {
  readonly spans = new Map<string, SpanTotal>();

  /** Adds one run of `name` that took `ms`. */
  add(name: string, ms: number): void {
    const span = this.spans.get(name) ?? { count: 0, totalMs: 0, maxMs: 0 };
    span.count++;
    span.totalMs += ms;
    span.maxMs = Math.max(span.maxMs, ms);
    this.spans.set(name, span);
  }

  /** Counts an event without a duration (e.g. one SQL statement). */
  count(name: string): void {
    this.add(name, 0);
  }
}

const current = new AsyncLocalStorage<RequestTimings>();

/**
 * The `Server-Timing` header value: `name;dur=ms;desc="count"` per span,
 * then `total`.
 *
 * @example
 * formatServerTiming(timings, 4.2); // 'jwt;dur=0.21;desc="1", …, total;dur=4.20'
 */
export function formatServerTiming(timings: RequestTimings, totalMs: number): string {
  const entries = [...timings.spans].map(([name, span]) =>
    `${name};dur=${span.totalMs.toFixed(2)};desc="${span.count}x max ${span.maxMs.toFixed(2)}"`
  );
  return [...entries, `total;dur=${totalMs.toFixed(2)}`].join(", ");
}

/**
 * Runs `fn` as the span `name` of the current request (when timing is on).
 *
 * @example
 * const claims = await timed("jwt", () => verifier.verify(token));
 */
export async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const timings = current.getStore();
  if (!timings) return await fn();
  const started = performance.now();
  try {
    return await fn();
  } finally {
    timings.add(name, performance.now() - started);
  }
}

/**
 * The synchronous form of {@link timed}.
 *
 * @example
 * const responses = timedSync("scoring", () => toResponses(prompt, sets, results));
 */
export function timedSync<T>(name: string, fn: () => T): T {
  const timings = current.getStore();
  if (!timings) return fn();
  const started = performance.now();
  try {
    return fn();
  } finally {
    timings.add(name, performance.now() - started);
  }
}

/**
 * Counts an event of the current request, e.g. one SQL statement, when timing is on.
 *
 * @example
 * countEvent("db.statements");
 */
export function countEvent(name: string): void {
  current.getStore()?.count(name);
}

/**
 * Middleware that collects the request's spans and adds the `Server-Timing`
 * header; a pass-through when `enabled` is false.
 *
 * @example
 * root.use("*", serverTiming({ enabled: env.LAB_SERVER_TIMING }));
 */
export function serverTiming(options: { enabled: boolean }): MiddlewareHandler<LabEnv> {
  const { enabled } = options;
  return async function serverTiming(c, next) {
    if (!enabled) return await next();
    const timings = new RequestTimings();
    const started = performance.now();
    await current.run(timings, () => next());
    c.res.headers.set("server-timing", formatServerTiming(timings, performance.now() - started));
  };
}

/**
 * BENCH: order statistics over measured samples. Benchmarks on shared
 * machines are noisy, so every figure is a median or a percentile, never a
 * mean of a single run.
 *
 * @module
 */

/** The summary of one series of samples (milliseconds, bytes, …). */
export interface Summary {
  /** Number of samples. */
  n: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) by linear interpolation between the closest
 * ranks (type 7, what numpy and R use by default).
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5); // 2.5
 */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new Error("Cannot take a quantile: no samples");
  if (!(q >= 0 && q <= 1)) {
    throw new Error(`Cannot take a quantile: q must be within [0, 1], got ${q}`);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/**
 * The median.
 *
 * @example
 * median([5, 1, 3]); // 3
 */
export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

/**
 * p50, p99, min and max of a series.
 *
 * @example
 * summarize([1, 2, 3]).p50; // 2
 */
export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    p50: quantile(samples, 0.5),
    p99: quantile(samples, 0.99),
    min: Math.min(...samples),
    max: Math.max(...samples),
  };
}

/**
 * Items per second for `count` items done in `elapsedMs`.
 *
 * @example
 * throughput(500, 250); // 2000
 */
export function throughput(count: number, elapsedMs: number): number {
  if (!(elapsedMs > 0)) {
    throw new Error(`Cannot compute throughput: elapsed time must be positive, got ${elapsedMs}`);
  }
  return (count * 1000) / elapsedMs;
}

/**
 * The median of each field over repeated runs: runs are summarized one by
 * one, and the figure reported is the median run, which is robust to one
 * run hitting a noisy neighbour.
 *
 * @example
 * medianOf([{ p50: 3 }, { p50: 1 }, { p50: 2 }]); // { p50: 2 }
 */
export function medianOf<K extends string>(runs: readonly Record<K, number>[]): Record<K, number> {
  if (runs.length === 0) throw new Error("Cannot take the median of runs: no runs");
  const keys = Object.keys(runs[0]) as K[];
  return Object.fromEntries(
    keys.map((key) => [key, median(runs.map((run) => run[key]))]),
  ) as Record<K, number>;
}

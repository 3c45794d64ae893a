/**
 * How far raters agree: a judge against people (weighted Cohen's kappa,
 * Spearman's rho, exact and within-one agreement) and people among
 * themselves (Krippendorff's alpha). Pure functions; every figure comes with
 * the number of items behind it, and is null where it is undefined (too few
 * items, or no variation to agree on).
 *
 * @module
 */

/** A figure and the number of items (or pairs) it rests on. */
export interface Figure {
  value: number | null;
  n: number;
}

/** Weights of a weighted kappa: disagreement grows linearly or with the square of the distance. */
export type KappaWeights = "linear" | "quadratic";

/**
 * Cohen's weighted kappa over paired ordinal ratings on the scale `levels`
 * (for Likert 1–7: [1, 2, …, 7]). Values not on the scale are ignored.
 *
 * @example
 * weightedKappa([[1, 1], [2, 3], [3, 3]], [1, 2, 3], "quadratic");
 */
export function weightedKappa(
  pairs: ReadonlyArray<readonly [number, number]>,
  levels: readonly number[],
  weights: KappaWeights = "quadratic",
): Figure {
  const index = new Map(levels.map((level, i) => [level, i]));
  const usable = pairs.filter(([a, b]) => index.has(a) && index.has(b));
  const k = levels.length;
  const n = usable.length;
  if (n === 0 || k < 2) return { value: null, n };
  const observed = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const rows = new Array<number>(k).fill(0);
  const cols = new Array<number>(k).fill(0);
  for (const [a, b] of usable) {
    const i = index.get(a)!;
    const j = index.get(b)!;
    observed[i][j] += 1;
    rows[i] += 1;
    cols[j] += 1;
  }
  let disagreeObserved = 0;
  let disagreeExpected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const distance = Math.abs(i - j) / (k - 1);
      const w = weights === "linear" ? distance : distance * distance;
      disagreeObserved += w * observed[i][j] / n;
      disagreeExpected += w * (rows[i] / n) * (cols[j] / n);
    }
  }
  if (disagreeExpected === 0) return { value: null, n };
  return { value: 1 - disagreeObserved / disagreeExpected, n };
}

/** Ranks from 1, ties sharing the mean of the ranks they span. */
function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1][0] === order[start][0]) end++;
    const rank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) ranks[order[i][1]] = rank;
    start = end + 1;
  }
  return ranks;
}

/**
 * Spearman's rank correlation: Pearson's r of the average ranks, so ties are
 * handled exactly.
 *
 * @example
 * spearman([[1, 2], [2, 3], [3, 1]]);
 */
export function spearman(pairs: ReadonlyArray<readonly [number, number]>): Figure {
  const n = pairs.length;
  if (n < 3) return { value: null, n };
  const x = averageRanks(pairs.map((p) => p[0]));
  const y = averageRanks(pairs.map((p) => p[1]));
  const mean = (n + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mean) * (y[i] - mean);
    sxx += (x[i] - mean) ** 2;
    syy += (y[i] - mean) ** 2;
  }
  if (sxx === 0 || syy === 0) return { value: null, n };
  return { value: sxy / Math.sqrt(sxx * syy), n };
}

/**
 * The share of pairs within `tolerance` of each other (0: exact agreement;
 * one step: within-one agreement).
 *
 * @example
 * agreementWithin([[1, 1], [2, 4]], 1); // { value: 0.5, n: 2 }
 */
export function agreementWithin(
  pairs: ReadonlyArray<readonly [number, number]>,
  tolerance: number,
): Figure {
  const n = pairs.length;
  if (n === 0) return { value: null, n };
  const close = pairs.filter(([a, b]) => Math.abs(a - b) <= tolerance + 1e-9).length;
  return { value: close / n, n };
}

/** The level of measurement Krippendorff's alpha treats the values at. */
export type AlphaLevel = "nominal" | "ordinal" | "interval";

/**
 * Krippendorff's alpha for any number of raters with missing values: `units`
 * holds, per rated item, the values the raters gave (null where one did not
 * rate it). Items with fewer than two values are not pairable and are left
 * out; `n` counts the pairable items.
 *
 * @example
 * krippendorffAlpha([[1, 1, null], [2, 3, 3]], "ordinal");
 */
export function krippendorffAlpha(
  units: ReadonlyArray<ReadonlyArray<number | null>>,
  level: AlphaLevel = "ordinal",
): Figure {
  const pairable = units
    .map((unit) => unit.filter((v): v is number => v !== null && Number.isFinite(v)))
    .filter((values) => values.length >= 2);
  const n = pairable.length;
  const levels = [...new Set(pairable.flat())].sort((a, b) => a - b);
  if (n === 0 || levels.length < 2) return { value: null, n };
  const index = new Map(levels.map((v, i) => [v, i]));
  const k = levels.length;
  const coincidence = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const values of pairable) {
    const weight = 1 / (values.length - 1);
    for (let a = 0; a < values.length; a++) {
      for (let b = 0; b < values.length; b++) {
        if (a !== b) coincidence[index.get(values[a])!][index.get(values[b])!] += weight;
      }
    }
  }
  const marginals = coincidence.map((row) => row.reduce((s, v) => s + v, 0));
  const total = marginals.reduce((s, v) => s + v, 0);
  const delta = distanceFor(level, levels, marginals);
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < k; d++) {
      observed += coincidence[c][d] * delta(c, d);
      expected += marginals[c] * marginals[d] * delta(c, d);
    }
  }
  if (expected === 0) return { value: null, n };
  return { value: 1 - (total - 1) * observed / expected, n };
}

/** The squared distance between two values' positions, per level of measurement. */
function distanceFor(
  level: AlphaLevel,
  levels: readonly number[],
  marginals: readonly number[],
): (c: number, d: number) => number {
  if (level === "nominal") return (c, d) => (c === d ? 0 : 1);
  if (level === "interval") return (c, d) => (levels[c] - levels[d]) ** 2;
  return (c, d) => {
    const [lo, hi] = c <= d ? [c, d] : [d, c];
    let sum = 0;
    for (let g = lo; g <= hi; g++) sum += marginals[g];
    return (sum - (marginals[c] + marginals[d]) / 2) ** 2;
  };
}

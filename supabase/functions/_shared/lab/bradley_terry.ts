/**
 * Rankings from pairwise votes: a Bradley–Terry fit (ties count half a win
 * each way), on the Elo scale Chatbot Arena reports, with seeded bootstrap
 * intervals and a plain statement of which differences the votes resolve.
 * Pure functions; the same votes and seed always give the same numbers.
 *
 * @module
 */
import { mulberry32 } from "../random.ts";

/** One vote between two arms: `a` won, `b` won, or a tie (both bad counts as a tie). */
export interface Battle {
  a: string;
  b: string;
  outcome: "a" | "b" | "tie";
}

/** Options of {@link fitBradleyTerry}. */
export interface FitOptions {
  /**
   * Virtual ties added between every pair of arms, so an arm that never won
   * (or never lost) keeps a finite strength; 0 fits the plain maximum
   * likelihood, which then may not exist.
   */
  prior?: number;
  /** Stop when no log-strength moves by more than this. */
  tolerance?: number;
  maxIterations?: number;
}

/** Virtual ties between every pair of arms unless a fit says otherwise ({@link FitOptions.prior}). */
export const DEFAULT_PRIOR = 0.1;

/** Elo points per natural-log unit of strength, as Chatbot Arena scales its fit (400 per factor of 10). */
export const ELO_PER_LOG = 400 / Math.LN10;

/** Where the Elo scale is centred. */
export const ELO_CENTRE = 1000;

/**
 * Bradley–Terry log-strengths, centred on mean 0, by Hunter's (2004) MM
 * algorithm: p_i ← W_i / Σ_j n_ij / (p_i + p_j), W_i counting a tie as half
 * a win.
 *
 * @example
 * fitBradleyTerry(["x", "y"], [{ a: "x", b: "y", outcome: "a" }], { prior: 0.5 });
 */
export function fitBradleyTerry(
  arms: readonly string[],
  battles: readonly Battle[],
  options: FitOptions = {},
): Map<string, number> {
  const votes = indexedBattles(arms, battles);
  const counts = countBattles(
    arms.length,
    options.prior ?? DEFAULT_PRIOR,
    votes,
    votes.length,
    (n) => n,
  );
  const strengths = fitCounts(counts, options);
  return new Map(arms.map((arm, i) => [arm, strengths[i]]));
}

/** Battles as arm indices (`a`, `b`) and outcome (1 a won, 2 b won, 0 a tie); unknown arms dropped. */
interface IndexedBattles {
  a: Int32Array;
  b: Int32Array;
  outcome: Uint8Array;
  length: number;
}

function indexedBattles(arms: readonly string[], battles: readonly Battle[]): IndexedBattles {
  const index = new Map(arms.map((arm, i) => [arm, i]));
  const a = new Int32Array(battles.length);
  const b = new Int32Array(battles.length);
  const outcome = new Uint8Array(battles.length);
  battles.forEach((battle, n) => {
    a[n] = index.get(battle.a) ?? -1;
    b[n] = index.get(battle.b) ?? -1;
    outcome[n] = battle.outcome === "a" ? 1 : battle.outcome === "b" ? 2 : 0;
  });
  return { a, b, outcome, length: battles.length };
}

/** Games between each pair of arms (row-major k × k) and each arm's wins, ties counted half. */
interface BattleCounts {
  k: number;
  games: Float64Array;
  wins: Float64Array;
}

/**
 * Counts `draws` battles, the n-th being `votes[pick(n)]`, on top of the
 * prior. Each count is added to one battle at a time in draw order, so a
 * resample counted here gives the very numbers a list of its battles would.
 */
function countBattles(
  k: number,
  prior: number,
  votes: IndexedBattles,
  draws: number,
  pick: (n: number) => number,
): BattleCounts {
  const games = new Float64Array(k * k);
  const wins = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i !== j) games[i * k + j] = prior;
    }
    wins[i] = prior * (k - 1) / 2;
  }
  for (let n = 0; n < draws; n++) {
    const v = pick(n);
    const i = votes.a[v];
    const j = votes.b[v];
    if (i < 0 || j < 0 || i === j) continue;
    games[i * k + j] += 1;
    games[j * k + i] += 1;
    const outcome = votes.outcome[v];
    if (outcome === 1) wins[i] += 1;
    else if (outcome === 2) wins[j] += 1;
    else {
      wins[i] += 0.5;
      wins[j] += 0.5;
    }
  }
  return { k, games, wins };
}

/** Hunter's MM iterations on counted battles: log-strengths, centred on mean 0. */
function fitCounts(counts: BattleCounts, options: FitOptions): Float64Array {
  const { tolerance = 1e-10, maxIterations = 10_000 } = options;
  const { k, games, wins } = counts;
  let p = new Float64Array(k).fill(1);
  let next = new Float64Array(k);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    let logSum = 0;
    for (let i = 0; i < k; i++) {
      const pi = p[i];
      let denominator = 0;
      for (let j = 0; j < k; j++) {
        const n = games[i * k + j];
        if (n > 0) denominator += n / (pi + p[j]);
      }
      next[i] = denominator > 0 ? wins[i] / denominator : pi;
      logSum += Math.log(next[i]);
    }
    const scale = Math.exp(logSum / k);
    let moved = 0;
    for (let i = 0; i < k; i++) {
      next[i] = next[i] / scale;
      moved = Math.max(moved, Math.abs(Math.log(next[i]) - Math.log(p[i])));
    }
    [p, next] = [next, p];
    if (moved < tolerance) break;
  }
  return p.map(Math.log);
}

/** One arm's place in a ranking. */
export interface RankedArm {
  arm: string;
  /** Elo-scale rating: {@link ELO_CENTRE} + {@link ELO_PER_LOG} × log-strength. */
  rating: number;
  /** The bootstrap 95 % interval of the rating (2.5th and 97.5th percentiles). */
  low: number;
  high: number;
  /** 1 + the number of arms whose interval lies wholly above this one's. */
  rank: number;
  votes: number;
}

/** Head-to-head figures of two arms. */
export interface PairRecord {
  a: string;
  b: string;
  winsA: number;
  winsB: number;
  ties: number;
  /** (wins of a + half the ties) / votes; null without votes. */
  winRateA: number | null;
  /** True when the two arms' intervals do not overlap. */
  resolved: boolean;
}

/** A fitted ranking. */
export interface Ranking {
  arms: RankedArm[];
  pairs: PairRecord[];
  votes: number;
  resamples: number;
  seed: number;
  /** Plain sentences: which differences the votes resolve and which they do not. */
  statements: string[];
}

/** Options of {@link rankArms}. */
export interface RankOptions extends FitOptions {
  /** Bootstrap resamples; at least 500 for stable 95 % intervals. */
  resamples?: number;
  /** Seed of the resampling, so a ranking can be reproduced. */
  seed?: number;
}

/**
 * The ranking: the fit on all votes, intervals from refits on resampled
 * votes, ranks from non-overlapping intervals, and head-to-head records.
 *
 * @example
 * const ranking = rankArms(["x", "y", "z"], battles, { resamples: 500, seed: 7 });
 */
export function rankArms(
  arms: readonly string[],
  battles: readonly Battle[],
  options: RankOptions = {},
): Ranking {
  const { resamples = 500, seed = 1, ...fit } = options;
  const prior = fit.prior ?? DEFAULT_PRIOR;
  const point = fitBradleyTerry(arms, battles, fit);
  const random = mulberry32(seed);
  const samples = new Map(arms.map((arm) => [arm, [] as number[]]));
  // Each resample draws as many battles as there are, with replacement, and
  // fits their counts (never a list of them: 500 resamples of 20 k votes).
  const indexed = indexedBattles(arms, battles);
  const n = indexed.length;
  for (let r = 0; r < resamples; r++) {
    const counts = countBattles(arms.length, prior, indexed, n, () => Math.floor(random() * n));
    const strengths = fitCounts(counts, fit);
    arms.forEach((arm, i) => samples.get(arm)!.push(toElo(strengths[i])));
  }
  const votes = new Map(arms.map((arm) => [arm, 0]));
  for (const b of battles) {
    if (votes.has(b.a)) votes.set(b.a, votes.get(b.a)! + 1);
    if (votes.has(b.b)) votes.set(b.b, votes.get(b.b)! + 1);
  }
  const intervals = new Map(arms.map((arm) => {
    const sorted = samples.get(arm)!.sort((x, y) => x - y);
    return [arm, { low: quantile(sorted, 0.025), high: quantile(sorted, 0.975) }];
  }));
  const ranked: RankedArm[] = arms.map((arm) => {
    const { low, high } = intervals.get(arm)!;
    const above = arms.filter((other) => intervals.get(other)!.low > high).length;
    return {
      arm,
      rating: toElo(point.get(arm)!),
      low,
      high,
      rank: 1 + above,
      votes: votes.get(arm)!,
    };
  }).sort((x, y) => y.rating - x.rating || x.arm.localeCompare(y.arm));
  const pairs = pairRecords(arms, battles, intervals);
  return {
    arms: ranked,
    pairs,
    votes: battles.length,
    resamples,
    seed,
    statements: statementsOf(pairs),
  };
}

function toElo(strength: number): number {
  return ELO_CENTRE + ELO_PER_LOG * strength;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo);
}

function pairRecords(
  arms: readonly string[],
  battles: readonly Battle[],
  intervals: Map<string, { low: number; high: number }>,
): PairRecord[] {
  const records: PairRecord[] = [];
  for (let i = 0; i < arms.length; i++) {
    for (let j = i + 1; j < arms.length; j++) {
      const [a, b] = [arms[i], arms[j]];
      let winsA = 0;
      let winsB = 0;
      let ties = 0;
      for (const battle of battles) {
        const forward = battle.a === a && battle.b === b;
        if (!forward && !(battle.a === b && battle.b === a)) continue;
        if (battle.outcome === "tie") ties++;
        else if ((battle.outcome === "a") === forward) winsA++;
        else winsB++;
      }
      const n = winsA + winsB + ties;
      const [x, y] = [intervals.get(a)!, intervals.get(b)!];
      records.push({
        a,
        b,
        winsA,
        winsB,
        ties,
        winRateA: n === 0 ? null : (winsA + ties / 2) / n,
        resolved: x.low > y.high || y.low > x.high,
      });
    }
  }
  return records;
}

function statementsOf(pairs: readonly PairRecord[]): string[] {
  return pairs.map((p) => {
    if (!p.resolved) return `${p.a} and ${p.b}: not resolved (their 95% intervals overlap).`;
    const [better, worse] = (p.winRateA ?? 0.5) >= 0.5 ? [p.a, p.b] : [p.b, p.a];
    return `${better} ranks above ${worse}: resolved (their 95% intervals do not overlap).`;
  });
}

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
  const { prior = 0.1, tolerance = 1e-10, maxIterations = 10_000 } = options;
  const k = arms.length;
  const index = new Map(arms.map((arm, i) => [arm, i]));
  const wins = new Array<number>(k).fill(0);
  const games = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i !== j) games[i][j] = prior;
    }
    wins[i] = prior * (k - 1) / 2;
  }
  for (const battle of battles) {
    const i = index.get(battle.a);
    const j = index.get(battle.b);
    if (i === undefined || j === undefined || i === j) continue;
    games[i][j] += 1;
    games[j][i] += 1;
    if (battle.outcome === "a") wins[i] += 1;
    else if (battle.outcome === "b") wins[j] += 1;
    else {
      wins[i] += 0.5;
      wins[j] += 0.5;
    }
  }
  let p = new Array<number>(k).fill(1);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const next = p.map((pi, i) => {
      let denominator = 0;
      for (let j = 0; j < k; j++) {
        if (games[i][j] > 0) denominator += games[i][j] / (pi + p[j]);
      }
      return denominator > 0 ? wins[i] / denominator : pi;
    });
    const logMean = next.reduce((s, v) => s + Math.log(v), 0) / k;
    const normalised = next.map((v) => v / Math.exp(logMean));
    const moved = Math.max(...normalised.map((v, i) => Math.abs(Math.log(v) - Math.log(p[i]))));
    p = normalised;
    if (moved < tolerance) break;
  }
  return new Map(arms.map((arm, i) => [arm, Math.log(p[i])]));
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
  const point = fitBradleyTerry(arms, battles, fit);
  const random = mulberry32(seed);
  const samples = new Map(arms.map((arm) => [arm, [] as number[]]));
  for (let r = 0; r < resamples; r++) {
    const resampled = battles.length === 0 ? [] : Array.from(
      { length: battles.length },
      () => battles[Math.floor(random() * battles.length)],
    );
    for (const [arm, strength] of fitBradleyTerry(arms, resampled, fit)) {
      samples.get(arm)!.push(toElo(strength));
    }
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

/**
 * An arena's two rankings from its votes and judge verdicts: how each is
 * turned into Bradley–Terry battles, and the fits with their seeded
 * bootstrap. The ranking endpoint and the arena export both rank through
 * here, so an exported package refits to the numbers the lab showed.
 *
 * @module
 */
import type { ArenaRanking } from "../contracts/arenas.ts";
import { type Battle, rankArms } from "./bradley_terry.ts";

/** Bootstrap resamples of every arena ranking. */
export const ARENA_RESAMPLES = 500;

/** A tester's vote, by arm label: the arm shown left, the one shown right, and the verdict. */
export interface ArenaVote {
  left: string;
  right: string;
  /** left, right, tie or both_bad. */
  verdict: string;
}

/** The judge's two readings of one (prompt, arm pair): the winner with the low arm first, and with the high arm first. */
export interface ArenaJudgeVerdict {
  low: string;
  high: string;
  /** low, high, tie or unparsable. */
  lowFirst: string;
  highFirst: string;
}

/**
 * A vote as a battle: the left arm is `a`; both bad counts as a tie.
 *
 * @example
 * voteBattle({ left: "warm", right: "cold", verdict: "both_bad" }); // { a: "warm", b: "cold", outcome: "tie" }
 */
export function voteBattle(vote: ArenaVote): Battle {
  const outcome = vote.verdict === "left" ? "a" : vote.verdict === "right" ? "b" : "tie";
  return { a: vote.left, b: vote.right, outcome };
}

/**
 * Whether a judge verdict counts: both orders parsed and agree.
 *
 * @example
 * judgeCounts({ low: "a", high: "b", lowFirst: "low", highFirst: "high" }); // false: it flipped
 */
export function judgeCounts(verdict: ArenaJudgeVerdict): boolean {
  return verdict.lowFirst === verdict.highFirst && verdict.lowFirst !== "unparsable";
}

/** A counted judge verdict as a battle: the low arm is `a`. */
function judgeBattle(verdict: ArenaJudgeVerdict): Battle {
  const winner = verdict.lowFirst;
  return {
    a: verdict.low,
    b: verdict.high,
    outcome: winner === "low" ? "a" : winner === "high" ? "b" : "tie",
  };
}

/**
 * The testers' and the judge's rankings. Bootstrap resamples draw votes by
 * position, so the same votes in the same order with the same seed give the
 * same intervals: callers pass them in a fixed order (oldest first).
 *
 * @example
 * const { testers, judge } = rankArena(["cold", "warm"], votes, verdicts, 7);
 */
export function rankArena(
  arms: readonly string[],
  votes: readonly ArenaVote[],
  verdicts: readonly ArenaJudgeVerdict[],
  seed: number,
): ArenaRanking {
  const options = { resamples: ARENA_RESAMPLES, seed };
  const agreed = verdicts.filter(judgeCounts);
  return {
    testers: rankArms(arms, votes.map(voteBattle), options),
    judge: {
      ...rankArms(arms, agreed.map(judgeBattle), options),
      judged: verdicts.length,
      flippedShare: verdicts.length === 0
        ? null
        : (verdicts.length - agreed.length) / verdicts.length,
    },
  };
}

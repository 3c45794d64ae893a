/**
 * `ranking.json` (an entry of the arena package): the testers' and the
 * judge's Bradley–Terry rankings as the lab fitted them from the package's
 * own votes and verdicts, with everything a refit needs: the seed, the
 * resamples, the arm order and how a vote becomes a battle.
 *
 * @module
 */
import type { ArenaRanking } from "../../_shared/contracts/arenas.ts";
import { ARENA_RESAMPLES } from "../../_shared/lab/arena_ranking.ts";
import { DEFAULT_PRIOR, ELO_CENTRE, ELO_PER_LOG } from "../../_shared/lab/bradley_terry.ts";
import { ARENA_JUDGE_VERDICTS_CSV } from "./arena_judge_verdicts_csv.ts";
import { ARENA_VOTES_CSV } from "./arena_votes_csv.ts";

/** What the document says about how the rankings were fitted. */
export interface RankingMethod {
  model: string;
  /** The arm labels in the order the fit takes them (arena.json's `arms`). */
  arms: string[];
  seed: number;
  resamples: number;
  prior: number;
  elo: { centre: number; perLogUnit: number };
  testers: string;
  judge: string;
  bootstrap: string;
}

/** `ranking.json`. */
export const ARENA_RANKING_JSON = {
  name: "ranking.json",
  /** How `ranking` was fitted from `arms` and `seed`. */
  method(arms: string[], seed: number): RankingMethod {
    return {
      model:
        "Bradley–Terry, Hunter's MM fit (_shared/lab/bradley_terry.ts rankArms), ties half a win each way",
      arms,
      seed,
      resamples: ARENA_RESAMPLES,
      prior: DEFAULT_PRIOR,
      elo: { centre: ELO_CENTRE, perLogUnit: ELO_PER_LOG },
      testers:
        `Each line of ${ARENA_VOTES_CSV.name}, in file order, is a battle: a = the label of left_arm_id, b = the label of right_arm_id (labels as in arena.json's arms; the CSV's label cells are prefixed with ' where a spreadsheet would read a formula); verdict left: a wins, right: b wins, tie and both_bad: a tie.`,
      judge:
        `Each line of ${ARENA_JUDGE_VERDICTS_CSV.name} with counted = true, in file order, is a battle: a = the label of low_arm_id, b = the label of high_arm_id; low_first low: a wins, high: b wins, tie: a tie.`,
      bootstrap:
        "Each resample draws as many battles as there are, with replacement, by index floor(u × n) with u from mulberry32(seed), one draw after another across resamples; intervals are the 2.5th and 97.5th percentiles.",
    };
  },
  /** The document. */
  text(
    head: { formatVersion: number; exportId: string; arenaId: string },
    method: RankingMethod,
    ranking: ArenaRanking,
  ): string {
    return `${JSON.stringify({ ...head, method, ...ranking }, null, 2)}\n`;
  },
} as const;

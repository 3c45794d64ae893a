/**
 * An arena's rankings: the testers' votes and the judge's agreed verdicts,
 * each fitted with Bradley–Terry and seeded bootstrap intervals
 * (`_shared/lab/bradley_terry.ts`), arms named by their labels.
 *
 * @module
 */
import type { DbCaller } from "../_shared/caller.ts";
import type { ArenaRanking } from "../_shared/contracts/arenas.ts";
import type { Database } from "../_shared/db/client.ts";
import { type Battle, rankArms } from "../_shared/lab/bradley_terry.ts";
import { ownedArena } from "./store.ts";

/** Bootstrap resamples of every ranking. */
export const RESAMPLES = 500;

/**
 * @throws {HttpError} 404 unless the caller owns the arena.
 *
 * @example
 * const { testers, judge } = await loadRanking(db, caller, arenaId);
 */
export function loadRanking(
  db: Database,
  caller: DbCaller,
  arenaId: string,
): Promise<ArenaRanking> {
  return db.withUser(caller, async (tx) => {
    const { seed } = await ownedArena(tx, arenaId);
    const arms = await tx<{ id: string; label: string }[]>`
      select id, label from public.arena_arms where arena_id = ${arenaId} order by label`;
    const label = new Map(arms.map((a) => [a.id, a.label]));
    const votes = await tx<{ left: string; right: string; verdict: string }[]>`
      select p.left_arm as left,
             case when p.left_arm = p.arm_low then p.arm_high else p.arm_low end as right, v.verdict
        from public.arena_votes v join public.arena_pairs p on p.id = v.pair_id
       where v.arena_id = ${arenaId}`;
    const verdicts = await tx<{ low: string; high: string; lowFirst: string; highFirst: string }[]>`
      select arm_low as low, arm_high as high, low_first as "lowFirst", high_first as "highFirst"
        from public.arena_judge_verdicts where arena_id = ${arenaId}`;
    const names = arms.map((a) => a.label);
    const testerBattles: Battle[] = votes.map((v) => ({
      a: label.get(v.left)!,
      b: label.get(v.right)!,
      outcome: v.verdict === "left" ? "a" : v.verdict === "right" ? "b" : "tie",
    }));
    const agreed = verdicts.filter((v) =>
      v.lowFirst === v.highFirst && v.lowFirst !== "unparsable"
    );
    const judgeBattles: Battle[] = agreed.map((v) => ({
      a: label.get(v.low)!,
      b: label.get(v.high)!,
      outcome: v.lowFirst === "low" ? "a" : v.lowFirst === "high" ? "b" : "tie",
    }));
    const options = { resamples: RESAMPLES, seed };
    return {
      testers: rankArms(names, testerBattles, options),
      judge: {
        ...rankArms(names, judgeBattles, options),
        judged: verdicts.length,
        flippedShare: verdicts.length === 0
          ? null
          : (verdicts.length - agreed.length) / verdicts.length,
      },
    };
  });
}

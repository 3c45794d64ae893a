/**
 * An arena's rankings: the testers' votes and the judge's agreed verdicts,
 * each fitted with Bradley–Terry and seeded bootstrap intervals
 * (`_shared/lab/arena_ranking.ts`), arms named by their labels. Votes and
 * verdicts are read oldest first, the order the arena export writes them in,
 * so an exported package refits to these numbers.
 *
 * @module
 */
import type { DbCaller } from "../_shared/caller.ts";
import type { ArenaRanking } from "../_shared/contracts/arenas.ts";
import type { Database } from "../_shared/db/client.ts";
import { type ArenaJudgeVerdict, type ArenaVote, rankArena } from "../_shared/lab/arena_ranking.ts";
import { ownedArena } from "./store.ts";

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
    const arms = await tx<{ label: string }[]>`
      select label from public.arena_arms where arena_id = ${arenaId} order by label`;
    const votes = await tx<ArenaVote[]>`
      select l.label as left, r.label as right, v.verdict
        from public.arena_votes v
        join public.arena_pairs p on p.id = v.pair_id
        join public.arena_arms l on l.id = p.left_arm
        join public.arena_arms r on r.id = case when p.left_arm = p.arm_low then p.arm_high else p.arm_low end
       where v.arena_id = ${arenaId}
       order by v.created_at, v.pair_id`;
    const verdicts = await tx<ArenaJudgeVerdict[]>`
      select lo.label as low, hi.label as high, d.low_first as "lowFirst", d.high_first as "highFirst"
        from public.arena_judge_verdicts d
        join public.arena_arms lo on lo.id = d.arm_low
        join public.arena_arms hi on hi.id = d.arm_high
       where d.arena_id = ${arenaId}
       order by d.created_at, d.id`;
    return rankArena(arms.map((a) => a.label), votes, verdicts, seed);
  });
}

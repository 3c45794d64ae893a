/**
 * Test data for the arena export: an owner's arena with arms, prompts and
 * every arm's answer, testers who take pairs and vote through the lab's own
 * SQL functions (so pairs, counters and votes are as the lab writes them),
 * and judge verdicts in both orders, some flipped, some unparsable.
 *
 * @module
 */
import type { Database } from "../../_shared/db/client.ts";
import { mulberry32 } from "../../_shared/random.ts";
import type { TestUser } from "../../tests/harness.ts";

/** What {@link seedArena} stored. */
export interface SeededArena {
  arenaId: string;
  labels: string[];
  votes: number;
}

const VERDICTS = ["left", "right", "left", "tie", "both_bad", "right", "left"];
const JUDGE = [["low", "low"], ["high", "high"], ["low", "high"], ["tie", "tie"], [
  "unparsable",
  "low",
]];
const REASONS = [null, '=cmd("x"), then', "plain", "line\nbreak", "-minus"];

const claimsOf = (user: TestUser) => ({
  claims: { sub: user.id, role: "authenticated", aud: "authenticated", email: user.email },
  correlationId: crypto.randomUUID(),
});

/**
 * An arena of `owner` with three arms (one label needing CSV quotes), three
 * prompts, every answer, each tester's votes on every pair left to them, and
 * the judge's verdicts.
 *
 * @example
 * const { arenaId } = await seedArena(db, owner, [t1, t2]);
 */
export async function seedArena(
  db: Database,
  owner: TestUser,
  testers: TestUser[],
  options: { seed?: number } = {},
): Promise<SeededArena> {
  const labels = ["cold", 'hot, "spicy"', "=mild"];
  const arenaId = await db.withUser(claimsOf(owner), async (tx) => {
    const [arena] = await tx<{ id: string }[]>`
      insert into public.arenas (name, seed, questions)
      values ('Export me', ${options.seed ?? 11}, '[{"id":"tone","type":"text","prompt":"Tone?"}]')
      returning id`;
    const arms = await tx<{ id: string }[]>`
      insert into public.arena_arms ${
      tx(labels.map((label, i) => ({
        arena_id: arena.id,
        label,
        model: "gpt-4o",
        parameters: tx.json({
          temperature: 0.2 + i / 2,
          top_p: 0.9,
          max_tokens: 64,
          frequency_penalty: 0,
        }),
      })))
    } returning id`;
    const prompts = await tx<{ id: string }[]>`
      insert into public.arena_prompts ${
      tx(
        ["Describe rain.", "Describe, briefly, snow.", "Describe fog."].map((prompt, position) => ({
          arena_id: arena.id,
          prompt,
          position,
        })),
      )
    } returning id`;
    await tx`insert into public.arena_responses ${
      tx(prompts.flatMap((p, i) =>
        arms.map((a, j) => ({
          arena_id: arena.id,
          prompt_id: p.id,
          arm_id: a.id,
          text: `Answer ${i}.${j}`,
          seed: 11,
        }))
      ))
    }`;
    const ids = arms.map((a) => a.id).sort();
    let n = 0;
    for (const p of prompts) {
      for (let i = 0; i < ids.length; i++) {
        for (let j = i + 1; j < ids.length; j++) {
          const [lowFirst, highFirst] = JUDGE[n++ % JUDGE.length];
          await tx`
            insert into public.arena_judge_verdicts (arena_id, prompt_id, arm_low, arm_high, model,
                                                     low_first, high_first, created_at)
            values (${arena.id}, ${p.id}, ${ids[i]}, ${ids[j]}, 'gpt-4o', ${lowFirst}, ${highFirst},
                    clock_timestamp())`;
        }
      }
    }
    return arena.id;
  });

  const random = mulberry32(options.seed ?? 11);
  let votes = 0;
  for (const tester of testers) {
    for (;;) {
      const voted = await db.withUser(claimsOf(tester), async (tx) => {
        const [pair] = await tx<
          { pair_id: string }[]
        >`select pair_id from public.next_arena_pair(${arenaId})`;
        if (!pair) return false;
        const k = Math.floor(random() * 1000);
        await tx`select public.cast_arena_vote(${pair.pair_id}, ${VERDICTS[k % VERDICTS.length]},
                                               ${REASONS[k % REASONS.length]},
                                               ${tx.json({ left: { tone: "dry, ok" } })})`;
        return true;
      });
      if (!voted) break;
      votes += 1;
    }
  }
  return { arenaId, labels, votes };
}

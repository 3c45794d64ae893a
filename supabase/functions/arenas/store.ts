/**
 * Arenas as their owner builds them and testers use them. Handing out pairs
 * and voting are SQL functions (`next_arena_pair`, `cast_arena_vote`), so
 * blindness, caps and finality hold through the Data API too; the owner's
 * writes run under RLS as the owner.
 *
 * @module
 */
import type { DbCaller } from "../_shared/caller.ts";
import { mapLimited } from "../_shared/concurrency.ts";
import {
  type Arena,
  type ArenaPair,
  type ArenaProgress,
  type createArenaSchema,
  MAX_ARENA_CALLS_PER_REQUEST,
  type Vote,
} from "../_shared/contracts/arenas.ts";
import type { Database, Tx } from "../_shared/db/client.ts";
import { HttpError } from "../_shared/errors.ts";
import type { LlmClient } from "../_shared/integrations/llm.ts";
import type { ParameterSet } from "../_shared/lab/parameters.ts";
import type { z } from "zod";

/** Model calls of one batch at a time. */
export const CONCURRENCY = 4;

/**
 * Creates an arena with its arms, prompts and invitations in one transaction.
 *
 * @example
 * await createArena(db, caller, input, "gpt-4o");
 */
export function createArena(
  db: Database,
  caller: DbCaller,
  input: z.output<typeof createArenaSchema>,
  defaultModel: string,
): Promise<Arena> {
  return db.withUser(caller, async (tx) => {
    const [arena] = await tx<{ id: string }[]>`
      insert into public.arenas (name, visibility, max_votes_per_arm, allow_owner_votes, questions, seed)
      values (${input.name}, ${input.visibility}, ${input.maxVotesPerArm}, ${input.allowOwnerVotes},
              ${tx.json(input.questions)}, ${input.seed})
      returning id`;
    await tx`insert into public.arena_arms ${
      tx(input.arms.map((arm) => ({
        arena_id: arena.id,
        label: arm.label,
        model: arm.model ?? defaultModel,
        parameters: tx.json(arm.parameters),
      })))
    }`;
    await tx`insert into public.arena_prompts ${
      tx(input.prompts.map((prompt, position) => ({ arena_id: arena.id, prompt, position })))
    }`;
    const emails = [...new Set(input.invited.map((email) => email.toLowerCase()))];
    if (emails.length > 0) {
      await tx`insert into public.arena_invites ${
        tx(emails.map((email) => ({ arena_id: arena.id, email })))
      }`;
    }
    return { id: arena.id, arms: input.arms.length, prompts: input.prompts.length };
  });
}

/** 404 unless the caller owns the arena; its seed otherwise. */
export async function ownedArena(tx: Tx, arenaId: string): Promise<{ seed: number }> {
  const [arena] = await tx<{ seed: number; user_id: string }[]>`
    select seed, user_id from public.arenas where id = ${arenaId} and user_id = auth.uid()`;
  if (!arena) throw new HttpError(404, "Arena not found", { code: "arena_not_found" });
  return arena;
}

/**
 * Generates the arms' missing answers, at most a batch per call: every arm
 * answers a prompt with the arena's seed, so two answers differ only by arm.
 *
 * @example
 * let p; do p = await generateArenaResponses({ db, llm }, caller, arenaId); while (p.remaining > 0);
 */
export async function generateArenaResponses(
  deps: { db: Database; llm: LlmClient },
  caller: DbCaller,
  arenaId: string,
): Promise<ArenaProgress> {
  const { db, llm } = deps;
  const missing = await db.withUser(caller, async (tx) => {
    const { seed } = await ownedArena(tx, arenaId);
    const rows = await tx<
      {
        promptId: string;
        armId: string;
        prompt: string;
        model: string;
        parameters: ParameterSet;
        total: number;
      }[]
    >`
      select p.id as "promptId", a.id as "armId", p.prompt, a.model, a.parameters, count(*) over ()::int as total
        from public.arena_prompts p cross join public.arena_arms a
       where p.arena_id = ${arenaId} and a.arena_id = ${arenaId}
         and not exists (select 1 from public.arena_responses r where r.prompt_id = p.id and r.arm_id = a.id)
       order by p.position, a.label
       limit ${MAX_ARENA_CALLS_PER_REQUEST}`;
    return rows.map((row) => ({ ...row, seed }));
  });
  const results = await mapLimited(missing, CONCURRENCY, async (m) => ({
    ...m,
    result: await llm.complete({
      model: m.model,
      prompt: m.prompt,
      parameters: m.parameters,
      seed: m.seed,
    }),
  }));
  const done = results.filter((r) => r.result.status === "succeeded");
  if (done.length > 0) {
    await db.withUser(caller, (tx) =>
      tx`insert into public.arena_responses ${
        tx(done.map((r) => ({
          arena_id: arenaId,
          prompt_id: r.promptId,
          arm_id: r.armId,
          text: r.result.status === "succeeded" ? r.result.text : "",
          seed: r.seed,
        })))
      } on conflict (prompt_id, arm_id) do nothing`);
  }
  const total = missing[0]?.total ?? 0;
  return {
    done: done.length,
    failed: results.length - done.length,
    remaining: total - done.length,
  };
}

/**
 * The caller's next blind pair, or null when none is left for them.
 *
 * @throws {HttpError} 404 for an arena they may not test, 403 for an owner
 *   who may not vote, 409 when closed.
 *
 * @example
 * const pair = await nextArenaPair(db, caller, arenaId);
 */
export function nextArenaPair(
  db: Database,
  caller: DbCaller,
  arenaId: string,
): Promise<ArenaPair | null> {
  return db.withUser(caller, async (tx) => {
    const [pair] = await tx<ArenaPair[]>`
      select pair_id as "pairId", prompt, left_text as left, right_text as right, questions
        from public.next_arena_pair(${arenaId})`;
    return pair ?? null;
  });
}

/**
 * The caller's final vote on a pair handed to them.
 *
 * @throws {HttpError} 409 (not handed to them, closed, voted already), 429 when flooding.
 *
 * @example
 * await castVote(db, caller, pairId, { verdict: "left" });
 */
export async function castVote(
  db: Database,
  caller: DbCaller,
  pairId: string,
  vote: Vote,
): Promise<void> {
  await db.withUser(
    caller,
    (tx) =>
      tx`select public.cast_arena_vote(${pairId}, ${vote.verdict}, ${vote.reason ?? null},
                                     ${tx.json(vote.answers ?? {})})`,
  );
}

/**
 * Closes the caller's arena: no more pairs or votes.
 *
 * @example
 * await closeArena(db, caller, arenaId);
 */
export async function closeArena(db: Database, caller: DbCaller, arenaId: string): Promise<void> {
  await db.withUser(caller, async (tx) => {
    await ownedArena(tx, arenaId);
    await tx`update public.arenas set status = 'closed' where id = ${arenaId}`;
  });
}

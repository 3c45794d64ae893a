/**
 * The LLM judge of an arena sees every (prompt, arm pair) in both orders; a
 * verdict counts only when both orders agree, and how often they do not is
 * reported, so position bias is measured rather than hidden.
 *
 * @module
 */
import { z } from "zod";
import type { DbCaller } from "../_shared/caller.ts";
import { mapLimited } from "../_shared/concurrency.ts";
import { type ArenaProgress, MAX_ARENA_CALLS_PER_REQUEST } from "../_shared/contracts/arenas.ts";
import type { Database } from "../_shared/db/client.ts";
import type { LlmClient } from "../_shared/integrations/llm.ts";
import { CONCURRENCY, ownedArena } from "./store.ts";

const SYSTEM = [
  "You compare two responses, A and B, to the same prompt.",
  "Pick the better one, or tie when neither is better.",
  'Answer with a JSON object {"winner": "A" | "B" | "tie"} and nothing else.',
].join(" ");

const VERDICT_SCHEMA = {
  type: "object",
  properties: { winner: { enum: ["A", "B", "tie"] } },
  required: ["winner"],
  additionalProperties: false,
};

const replySchema = z.strictObject({ winner: z.enum(["A", "B", "tie"]) });

/** Which response a reply chose, as the shown order's first (A) or second (B). */
export function readJudgeReply(raw: string): "A" | "B" | "tie" | "unparsable" {
  try {
    const parsed = replySchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data.winner : "unparsable";
  } catch {
    return "unparsable";
  }
}

/** An order's reply as the arm that won: low, high, tie or unparsable. */
function asArm(reply: ReturnType<typeof readJudgeReply>, lowFirst: boolean): string {
  if (reply === "tie" || reply === "unparsable") return reply;
  return (reply === "A") === lowFirst ? "low" : "high";
}

interface Pending {
  promptId: string;
  armLow: string;
  armHigh: string;
  prompt: string;
  lowText: string;
  highText: string;
  total: number;
}

/**
 * Judges, in both orders, the arena's (prompt, arm pair)s this model has not
 * judged, a batch per call.
 *
 * @example
 * await judgeArena({ db, llm }, caller, arenaId, "gpt-4o");
 */
export async function judgeArena(
  deps: { db: Database; llm: LlmClient },
  caller: DbCaller,
  arenaId: string,
  model: string,
): Promise<ArenaProgress> {
  const { db, llm } = deps;
  const { pending, seed } = await db.withUser(caller, async (tx) => {
    const { seed } = await ownedArena(tx, arenaId);
    const pending = await tx<Pending[]>`
      select r1.prompt_id as "promptId", r1.arm_id as "armLow", r2.arm_id as "armHigh", p.prompt,
             r1.text as "lowText", r2.text as "highText", count(*) over ()::int as total
        from public.arena_responses r1
        join public.arena_responses r2 on r2.prompt_id = r1.prompt_id and r2.arm_id > r1.arm_id
        join public.arena_prompts p on p.id = r1.prompt_id
       where r1.arena_id = ${arenaId}
         and not exists (select 1 from public.arena_judge_verdicts v
                          where v.prompt_id = r1.prompt_id and v.arm_low = r1.arm_id
                            and v.arm_high = r2.arm_id and v.model = ${model})
       order by p.position, r1.arm_id, r2.arm_id
       limit ${Math.floor(MAX_ARENA_CALLS_PER_REQUEST / 2)}`;
    return { pending, seed };
  });
  const ask = async (item: Pending, lowFirst: boolean) => {
    const [a, b] = lowFirst ? [item.lowText, item.highText] : [item.highText, item.lowText];
    const result = await llm.complete({
      model,
      system: SYSTEM,
      prompt: `Prompt:\n${item.prompt}\n\nResponse A:\n${a}\n\nResponse B:\n${b}`,
      parameters: { temperature: 0, top_p: 1, max_tokens: 50, frequency_penalty: 0 },
      seed,
      responseSchema: { name: "pairwise_verdict", schema: VERDICT_SCHEMA },
    });
    return result.status === "succeeded" ? asArm(readJudgeReply(result.text), lowFirst) : null;
  };
  const judged = await mapLimited(pending, CONCURRENCY, async (item) => ({
    item,
    lowFirst: await ask(item, true),
    highFirst: await ask(item, false),
  }));
  const complete = judged.filter((j) => j.lowFirst !== null && j.highFirst !== null);
  if (complete.length > 0) {
    await db.withUser(
      caller,
      (tx) =>
        tx`insert into public.arena_judge_verdicts ${
          tx(complete.map((j) => ({
            arena_id: arenaId,
            prompt_id: j.item.promptId,
            arm_low: j.item.armLow,
            arm_high: j.item.armHigh,
            model,
            low_first: j.lowFirst,
            high_first: j.highFirst,
          })))
        } on conflict (prompt_id, arm_low, arm_high, model) do nothing`,
    );
  }
  const total = pending[0]?.total ?? 0;
  return {
    done: complete.length,
    failed: judged.length - complete.length,
    remaining: total - complete.length,
  };
}

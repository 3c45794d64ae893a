/**
 * The arenas function: blind pairwise comparisons, for owners and testers.
 *
 * @module
 */
import { z } from "zod";
import {
  type Arena,
  type ArenaPair,
  arenaPairSchema,
  type ArenaProgress,
  arenaProgressSchema,
  type ArenaRanking,
  arenaRankingSchema,
  arenaSchema,
  type CreateArenaRequest,
  type Vote,
} from "../../supabase/functions/_shared/contracts/arenas.ts";
import {
  type ArenaExportResult,
  arenaExportResultSchema,
} from "../../supabase/functions/_shared/contracts/exports.ts";
import { type CallOptions, type FunctionsTransport, invokeFunction } from "./functions.ts";
import type { FunctionResult } from "./result.ts";

const voteAnswerSchema = z.object({ pairId: z.uuid(), verdict: z.string() });

/**
 * Calls of the arenas function.
 *
 * @example
 * ```ts
 * const arenas = arenaCalls(transport);
 * const { data: arena } = await arenas.create({ name: "Warm or cold", arms, prompts });
 * ```
 */
export function arenaCalls(transport: FunctionsTransport) {
  const call = <T>(
    method: "GET" | "POST",
    path: string,
    schema: z.ZodType<T>,
    body: unknown,
    options: CallOptions,
  ) => invokeFunction(transport, "arenas", { method, path, schema, body, ...options });

  /** Repeats a batched call until nothing remains (or a batch makes no progress twice). */
  async function untilDone(path: string, body: unknown, options: CallOptions) {
    const totals = { done: 0, failed: 0, remaining: 0 };
    let stalled = 0;
    for (;;) {
      const result = await call("POST", path, arenaProgressSchema, body, options);
      if (result.error) return result;
      totals.done += result.data.done;
      totals.failed = result.data.failed;
      totals.remaining = result.data.remaining;
      stalled = result.data.done === 0 ? stalled + 1 : 0;
      if (result.data.remaining === 0 || stalled >= 2) return { ...result, data: { ...totals } };
    }
  }

  return {
    /**
     * Creates an arena with its arms (model and parameters), prompts and invitations.
     *
     * @example
     * ```ts
     * const { data } = await lab.arenas.create({ name: "T", arms: [{ label: "cold", parameters }, { label: "warm", parameters: warm }], prompts: ["Describe rain."] });
     * ```
     */
    create(request: CreateArenaRequest, options: CallOptions = {}): Promise<FunctionResult<Arena>> {
      return call("POST", "", arenaSchema, request, options);
    },

    /**
     * As the owner: generates every arm's answer to every prompt (same seed per prompt).
     *
     * @example
     * ```ts
     * await lab.arenas.generate(arena.id);
     * ```
     */
    generate(arenaId: string, options: CallOptions = {}): Promise<FunctionResult<ArenaProgress>> {
      return untilDone(`/${encodeURIComponent(arenaId)}/generate`, undefined, options);
    },

    /**
     * As a tester: the next blind pair (two responses, sides at random), or null.
     *
     * @example
     * ```ts
     * const { data: pair } = await lab.arenas.next(arenaId);
     * ```
     */
    next(arenaId: string, options: CallOptions = {}): Promise<FunctionResult<ArenaPair | null>> {
      return call(
        "GET",
        `/${encodeURIComponent(arenaId)}/next`,
        arenaPairSchema.nullable(),
        undefined,
        options,
      );
    },

    /**
     * As a tester: a final vote on the pair you were handed.
     *
     * @example
     * ```ts
     * await lab.arenas.vote(pair.pairId, { verdict: "left", reason: "Vivid." });
     * ```
     */
    vote(pairId: string, vote: Vote, options: CallOptions = {}) {
      return call(
        "POST",
        `/pairs/${encodeURIComponent(pairId)}/vote`,
        voteAnswerSchema,
        vote,
        options,
      );
    },

    /**
     * As the owner: the LLM judge over every prompt and arm pair, in both orders.
     *
     * @example
     * ```ts
     * await lab.arenas.judge(arenaId);
     * ```
     */
    judge(
      arenaId: string,
      request: { model?: string } = {},
      options: CallOptions = {},
    ): Promise<FunctionResult<ArenaProgress>> {
      return untilDone(`/${encodeURIComponent(arenaId)}/judge`, request, options);
    },

    /**
     * As the owner: testers' and the judge's Bradley–Terry rankings with 95 % intervals.
     *
     * @example
     * ```ts
     * const { data } = await lab.arenas.ranking(arenaId);
     * data?.testers.statements.forEach((s) => console.log(s));
     * ```
     */
    ranking(arenaId: string, options: CallOptions = {}): Promise<FunctionResult<ArenaRanking>> {
      return call(
        "GET",
        `/${encodeURIComponent(arenaId)}/ranking`,
        arenaRankingSchema,
        undefined,
        options,
      );
    },

    /**
     * As the owner: the arena package — arena.json (arms, prompts), every
     * answer, arena_votes.csv, arena_judge_verdicts.csv, ranking.json (both
     * rankings with seed, resamples and how to refit them) and a manifest of
     * SHA-256s — stored in the private exports bucket; answers its signed URL.
     *
     * @example
     * ```ts
     * const { data } = await lab.arenas.export(arenaId);
     * const zip = new Uint8Array(await (await fetch(data!.url)).arrayBuffer());
     * ```
     */
    export(arenaId: string, options: CallOptions = {}): Promise<FunctionResult<ArenaExportResult>> {
      return invokeFunction(transport, "exports", {
        method: "POST",
        path: `/arenas/${encodeURIComponent(arenaId)}`,
        schema: arenaExportResultSchema,
        ...options,
      });
    },

    /**
     * As the owner: closes the arena to new pairs and votes.
     *
     * @example
     * ```ts
     * await lab.arenas.close(arenaId);
     * ```
     */
    close(arenaId: string, options: CallOptions = {}) {
      return call(
        "POST",
        `/${encodeURIComponent(arenaId)}/close`,
        z.object({ id: z.uuid(), status: z.literal("closed") }),
        undefined,
        options,
      );
    },
  };
}

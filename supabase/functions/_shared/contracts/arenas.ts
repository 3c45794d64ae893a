/**
 * Request and response shapes of the arenas API (blind pairwise
 * comparisons), shared with the client SDK. Imports only from "zod".
 *
 * @module
 */
import { z } from "zod";

/** The most responses (or judged pairs) one generate (or judge) call handles before it answers. */
export const MAX_ARENA_CALLS_PER_REQUEST = 40;

const parameters = z.strictObject({
  temperature: z.number().min(0).max(2),
  top_p: z.number().min(0).max(1),
  max_tokens: z.int().min(1).max(4096),
  frequency_penalty: z.number().min(-2).max(2),
});

const question = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
  type: z.enum(["select", "text"]),
  prompt: z.string().min(1).max(500),
  options: z.array(z.string().min(1).max(200)).min(2).max(20).optional(),
});

/** Body of `POST /arenas`. */
export const createArenaSchema = z.strictObject({
  name: z.string().min(1).max(200),
  visibility: z.enum(["signed_in", "invited"]).default("signed_in"),
  invited: z.array(z.email().max(320)).max(500).default([]),
  maxVotesPerArm: z.int().min(1).max(1_000_000).default(1000),
  allowOwnerVotes: z.boolean().default(false),
  questions: z.array(question).max(20).default([]),
  seed: z.int().min(0).max(2_147_483_647).default(1),
  arms: z.array(z.strictObject({
    label: z.string().min(1).max(100),
    model: z.string().min(1).max(200).optional(),
    parameters,
  })).min(2).max(20),
  prompts: z.array(z.string().min(1).max(32_000)).min(1).max(500),
});

/** An arena to create. */
export type CreateArenaRequest = z.input<typeof createArenaSchema>;

/** A created arena. */
export const arenaSchema = z.object({ id: z.uuid(), arms: z.int(), prompts: z.int() });

/** A created arena. */
export type Arena = z.infer<typeof arenaSchema>;

/** One generate or judge call's outcome; call again while `remaining` is above 0. */
export const arenaProgressSchema = z.object({
  done: z.int(),
  failed: z.int(),
  remaining: z.int(),
});

/** Progress of a generate or judge call. */
export type ArenaProgress = z.infer<typeof arenaProgressSchema>;

/** What a tester is handed: the prompt and two unlabeled responses. */
export const arenaPairSchema = z.object({
  pairId: z.uuid(),
  prompt: z.string(),
  left: z.string(),
  right: z.string(),
  questions: z.array(question),
});

/** A blind pair. */
export type ArenaPair = z.infer<typeof arenaPairSchema>;

/** Body of `POST /arenas/pairs/:pairId/vote`. */
export const voteSchema = z.strictObject({
  verdict: z.enum(["left", "right", "tie", "both_bad"]),
  reason: z.string().max(2000).optional(),
  answers: z.strictObject({
    left: z.record(z.string(), z.string().max(2000)).optional(),
    right: z.record(z.string(), z.string().max(2000)).optional(),
  }).optional(),
});

/** A tester's vote. */
export type Vote = z.infer<typeof voteSchema>;

/** Body of `POST /arenas/:id/judge`. */
export const arenaJudgeSchema = z.strictObject({ model: z.string().min(1).max(200).optional() });

const rankedArm = z.object({
  arm: z.string(),
  rating: z.number(),
  low: z.number(),
  high: z.number(),
  rank: z.int(),
  votes: z.int(),
});

const ranking = z.object({
  arms: z.array(rankedArm),
  pairs: z.array(z.object({
    a: z.string(),
    b: z.string(),
    winsA: z.int(),
    winsB: z.int(),
    ties: z.int(),
    winRateA: z.number().nullable(),
    resolved: z.boolean(),
  })),
  votes: z.int(),
  resamples: z.int(),
  seed: z.int(),
  statements: z.array(z.string()),
});

/** `GET /arenas/:id/ranking`: testers' and the judge's rankings, arms by label. */
export const arenaRankingSchema = z.object({
  testers: ranking,
  judge: ranking.extend({
    /** Pairs judged in both orders. */
    judged: z.int(),
    /** The share of them whose verdict flipped with the order (position bias), null before any. */
    flippedShare: z.number().nullable(),
  }),
});

/** The rankings of an arena. */
export type ArenaRanking = z.infer<typeof arenaRankingSchema>;

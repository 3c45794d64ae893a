/**
 * The arenas function: blind pairwise comparisons of arms (a model and its
 * sampling parameters).
 *
 * - `POST /arenas` — create an arena with arms, prompts and invitations; 201.
 * - `POST /arenas/:id/generate` — the arms' missing answers, a batch per call.
 * - `GET  /arenas/:id/next` — a tester's next blind pair, or null.
 * - `POST /arenas/pairs/:pairId/vote` — a tester's final vote; 201.
 * - `POST /arenas/:id/judge` — the LLM judge, both orders, a batch per call.
 * - `GET  /arenas/:id/ranking` — Bradley–Terry rankings with 95 % intervals.
 * - `POST /arenas/:id/close` — no more pairs or votes.
 *
 * @module
 */
import { z } from "zod";
import { requireUser } from "../_shared/auth/jwt.ts";
import { arenaJudgeSchema, createArenaSchema, voteSchema } from "../_shared/contracts/arenas.ts";
import { type ModelEnv, modelEnvSchema } from "../_shared/env.ts";
import { createFunctionApp } from "../_shared/http/app.ts";
import { ok } from "../_shared/http/response.ts";
import { parseJsonBody, parseParams } from "../_shared/http/validation.ts";
import { type LlmClient, llmClientFromEnv } from "../_shared/integrations/llm.ts";
import type { FunctionModule, Runtime } from "../_shared/runtime.ts";
import { judgeArena } from "./judge.ts";
import { loadRanking } from "./ranking.ts";
import {
  castVote,
  closeArena,
  createArena,
  generateArenaResponses,
  nextArenaPair,
} from "./store.ts";

/** Options of {@link createArenasApp}. */
export interface ArenasAppOptions {
  /** The model client; by default the `openai` SDK configured from the environment. */
  llm?: LlmClient;
}

const arenaParams = z.object({ id: z.uuid() });

/**
 * The arenas Hono app.
 *
 * @example
 * Deno.serve(createArenasApp(runtime).fetch);
 */
export function createArenasApp(runtime: Runtime<ModelEnv>, options: ArenasAppOptions = {}) {
  const { db, verifier, env } = runtime;
  const llm = options.llm ?? llmClientFromEnv(env);
  const app = createFunctionApp("arenas", runtime.appDeps);
  const auth = requireUser({ verifier });
  const body = { maxBytes: env.LAB_MAX_BODY_BYTES };

  app.post("/", auth, async (c) => {
    const input = await parseJsonBody(c, createArenaSchema, body);
    return ok(c, await createArena(db, c.var.caller, input, env.LAB_MODEL), 201);
  });

  app.post("/:id/generate", auth, async (c) => {
    const { id } = parseParams(c, arenaParams);
    return ok(c, await generateArenaResponses({ db, llm }, c.var.caller, id));
  });

  app.get("/:id/next", auth, async (c) => {
    const { id } = parseParams(c, arenaParams);
    return ok(c, await nextArenaPair(db, c.var.caller, id));
  });

  app.post("/pairs/:pairId/vote", auth, async (c) => {
    const { pairId } = parseParams(c, z.object({ pairId: z.uuid() }));
    const vote = await parseJsonBody(c, voteSchema, body);
    await castVote(db, c.var.caller, pairId, vote);
    return ok(c, { pairId, verdict: vote.verdict }, 201);
  });

  app.post("/:id/judge", auth, async (c) => {
    const { id } = parseParams(c, arenaParams);
    const input = await parseJsonBody(c, arenaJudgeSchema, body);
    return ok(c, await judgeArena({ db, llm }, c.var.caller, id, input.model ?? env.LAB_MODEL));
  });

  app.get("/:id/ranking", auth, async (c) => {
    const { id } = parseParams(c, arenaParams);
    return ok(c, await loadRanking(db, c.var.caller, id));
  });

  app.post("/:id/close", auth, async (c) => {
    const { id } = parseParams(c, arenaParams);
    await closeArena(db, c.var.caller, id);
    return ok(c, { id, status: "closed" });
  });

  return app;
}

/** The arenas function, for `startFunction`. */
export const arenas: FunctionModule<ModelEnv> = {
  name: "arenas",
  envSchema: modelEnvSchema,
  createApp: (runtime) => createArenasApp(runtime),
};

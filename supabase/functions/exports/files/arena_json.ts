/**
 * `arena.json` (the arena package's first entry): `{ formatVersion,
 * exportId, arena }`, the arena as its owner set it up — name, visibility,
 * status, cap, questions, seed, invitations — with its arms (label, model,
 * parameters, pairs handed out) in ranking order and its prompts in order.
 *
 * @module
 */
import { ARENA } from "../read/arena.ts";
import { isoTime, jsonObject } from "./sql.ts";

/** The keys of an arm, in order, each from arm `m`. */
const ARM = {
  id: "m.id",
  label: "m.label",
  model: "m.model",
  parameters: "m.parameters",
  pairsHandedOut: "m.votes",
  createdAt: isoTime("m.created_at"),
} as const;

/** The keys of the arena, in order, each from arena `a`. */
const FIELDS = {
  id: "a.id",
  name: "a.name",
  visibility: "a.visibility",
  status: "a.status",
  maxVotesPerArm: "a.max_votes_per_arm",
  allowOwnerVotes: "a.allow_owner_votes",
  questions: "a.questions",
  seed: "a.seed",
  createdAt: isoTime("a.created_at"),
  invited: `coalesce((select json_agg(i.email order by i.email) from public.arena_invites i
                       where i.arena_id = a.id), '[]'::json)`,
  arms: `(select json_agg(json_build_object(${
    Object.entries(ARM).map(([key, sql]) => `'${key}', ${sql}`).join(", ")
  }) order by m.label) from public.arena_arms m where m.arena_id = a.id)`,
  prompts:
    `(select json_agg(json_build_object('id', q.id, 'position', q.position, 'prompt', q.prompt)
                             order by q.position) from public.arena_prompts q where q.arena_id = a.id)`,
} as const;

/** `arena.json`. */
export const ARENA_JSON = {
  name: "arena.json",
  /** The key of the arena in the document. */
  key: "arena",
  fields: FIELDS,
  /**
   * SQL text: the caller's arena as JSON text (`text`), its `seed`, its arm
   * `labels` in the order rankings fit them (the order of `arms`), and its
   * number of `prompts`; no row for an arena the caller does not own.
   */
  select: `
    select ${jsonObject(FIELDS)} as text, a.seed,
           array(select m.label from public.arena_arms m where m.arena_id = a.id order by m.label) as labels,
           (select count(*)::int from public.arena_prompts q where q.arena_id = a.id) as prompts
      from public.arenas a
     where a.id = ${ARENA} and a.user_id = (select auth.uid())`,
} as const;

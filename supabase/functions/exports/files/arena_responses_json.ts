/**
 * `arena_responses.json` (an entry of the arena package): `{ formatVersion,
 * exportId, responses }`, every arm's answer to every prompt, with the seed
 * it was generated with.
 *
 * @module
 */
import { ARENA } from "../read/arena.ts";
import { isoTime, jsonObject } from "./sql.ts";

/** The keys of a response, in order, each from response `r`. */
const FIELDS = {
  id: "r.id",
  promptId: "r.prompt_id",
  armId: "r.arm_id",
  seed: "r.seed",
  text: "r.text",
  createdAt: isoTime("r.created_at"),
} as const;

/** `arena_responses.json`. */
export const ARENA_RESPONSES_JSON = {
  name: "arena_responses.json",
  /** The key of the document's list. */
  key: "responses",
  fields: FIELDS,
  /** SQL text: each response as JSON text (`text`), by prompt, then arm. */
  select: `
    select ${jsonObject(FIELDS)} as text
      from public.arena_responses r
      join public.arena_prompts q on q.id = r.prompt_id
      join public.arena_arms m on m.id = r.arm_id
     where r.arena_id = ${ARENA}
     order by q.position, m.label, r.id`,
} as const;

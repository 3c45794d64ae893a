/**
 * An owner's ratings of their own responses. The value rules live in SQL
 * (`private.check_rating`), so a rating through the Data API and one through
 * this function are held to the same config.
 *
 * @module
 */
import type { DbCaller } from "../_shared/caller.ts";
import type { RateResponseRequest, Rating } from "../_shared/contracts/evaluations.ts";
import type { Database, Tx } from "../_shared/db/client.ts";
import { HttpError } from "../_shared/errors.ts";

/** A ratings row as the API answers it. */
export const RATING_COLUMNS =
  `id, experiment_id as "experimentId", response_index as "responseIndex",
  config_id as "configId", source, value::float8 as value, label, comment, revision`;

/**
 * Rates (or re-rates) one of the caller's responses on a config they can see.
 *
 * @throws {HttpError} 404 when the experiment, response or config is not the
 *   caller's to rate; 400 when the value does not fit the config; 409 for an
 *   archived config.
 *
 * @example
 * await rateResponse(db, caller, { experimentId, responseIndex: 0, configId, value: 5 });
 */
export function rateResponse(
  db: Database,
  caller: DbCaller,
  input: RateResponseRequest,
): Promise<Rating> {
  return db.withUser(caller, async (tx) => {
    await requireVisible(tx, input);
    const [row] = await tx.unsafe<Rating[]>(
      `insert into public.ratings (experiment_id, response_index, config_id, source, value, label, comment)
       values ($1, $2, $3, 'human', $4, $5, $6)
       on conflict (experiment_id, response_index, config_id, coalesce(rater_id, judge_version_id))
       do update set value = excluded.value, label = excluded.label, comment = excluded.comment
       returning ${RATING_COLUMNS}`,
      [
        input.experimentId,
        input.responseIndex,
        input.configId,
        input.value ?? null,
        input.label ?? null,
        input.comment ?? null,
      ],
    );
    return row;
  });
}

/** 404s, under RLS, for an experiment or a config the caller cannot see. */
async function requireVisible(tx: Tx, input: RateResponseRequest): Promise<void> {
  const [seen] = await tx<{ experiment: boolean; config: boolean }[]>`
    select exists (select 1 from public.experiments where id = ${input.experimentId}) as experiment,
           exists (select 1 from public.score_configs where id = ${input.configId}) as config`;
  if (!seen.experiment) {
    throw new HttpError(404, "Response not found", { code: "response_not_found" });
  }
  if (!seen.config) {
    throw new HttpError(404, "Score config not found", { code: "config_not_found" });
  }
}

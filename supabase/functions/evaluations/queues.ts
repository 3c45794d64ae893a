/**
 * Review queues: the owner shares responses with reviewers by email; a
 * reviewer takes the next item under a lease and rates it. The sharing, the
 * lease and the ratings are SQL functions (`share_responses`,
 * `next_review_item`, `submit_review`), so the same rules hold through the
 * Data API.
 *
 * @module
 */
import type { DbCaller } from "../_shared/caller.ts";
import type {
  CreateQueueRequest,
  Rating,
  ReviewItem,
  ReviewQueue,
  SubmitReviewRequest,
} from "../_shared/contracts/evaluations.ts";
import type { Database } from "../_shared/db/client.ts";
import { HttpError } from "../_shared/errors.ts";
import { RATING_COLUMNS } from "./ratings.ts";

/**
 * Creates a queue, invites its reviewers and shares the chosen responses, in
 * one transaction.
 *
 * @throws {HttpError} 400 when a config is unknown or archived.
 *
 * @example
 * await createQueue(db, caller, { name: "Pass 1", configIds: [realism], reviewers: ["r@x.org"], calibrationId });
 */
export function createQueue(
  db: Database,
  caller: DbCaller,
  input: CreateQueueRequest,
): Promise<ReviewQueue> {
  const configIds = [...new Set(input.configIds.map((id) => id.toLowerCase()))];
  const reviewers = [...new Set(input.reviewers.map((email) => email.toLowerCase()))];
  return db.withUser(caller, async (tx) => {
    const [usable] = await tx<{ count: number }[]>`
      select count(*)::int as count from public.score_configs
       where id = any(${configIds}::uuid[]) and not archived`;
    if (usable.count !== configIds.length) {
      throw new HttpError(
        400,
        'Cannot create queue: every "configIds" entry must be an active config you can use',
        {
          code: "validation_failed",
        },
      );
    }
    const [queue] = await tx<{ id: string; name: string }[]>`
      insert into public.review_queues (name, config_ids, ratings_per_item, lease_seconds, show_prompt, show_parameters)
      values (${input.name}, ${configIds}::uuid[], ${input.ratingsPerItem ?? 1}, ${
      input.leaseSeconds ?? 600
    },
              ${input.showPrompt ?? true}, ${input.showParameters ?? false})
      returning id, name`;
    await tx`insert into public.review_queue_reviewers ${
      tx(reviewers.map((email) => ({ queue_id: queue.id, email })))
    }`;
    const [shared] = await tx<{ items: number }[]>`
      select public.share_responses(${queue.id}, ${input.experimentIds ?? null}::uuid[],
                                    ${input.calibrationId ?? null}::uuid) as items`;
    return { id: queue.id, name: queue.name, items: shared.items };
  });
}

/**
 * The next item of a queue the caller reviews, leased to them; null when
 * nothing is left for them.
 *
 * @throws {HttpError} 404 for a queue they are not invited to; 409 when closed.
 *
 * @example
 * const item = await nextReviewItem(db, caller, queueId);
 */
export function nextReviewItem(
  db: Database,
  caller: DbCaller,
  queueId: string,
): Promise<ReviewItem | null> {
  return db.withUser(caller, async (tx) => {
    const [item] = await tx<ReviewItem[]>`
      select item_id as "itemId", queue_id as "queueId", prompt, response_text as "responseText",
             parameters, config_ids as "configIds", leased_until as "leasedUntil"
        from public.next_review_item(${queueId})`;
    return item ? { ...item, leasedUntil: new Date(item.leasedUntil).toISOString() } : null;
  });
}

/**
 * A reviewer's ratings of an item they hold (or rated before, to revise).
 *
 * @throws {HttpError} 404 for an item they cannot see; 409 without a lease
 *   or on a closed queue; 400 for a value the config does not allow.
 *
 * @example
 * await submitReview(db, caller, itemId, { ratings: [{ configId: realism, value: 5 }] });
 */
export function submitReview(
  db: Database,
  caller: DbCaller,
  itemId: string,
  input: SubmitReviewRequest,
): Promise<Rating[]> {
  return db.withUser(caller, async (tx) => {
    const ids = await tx<{ id: string }[]>`
      select public.submit_review(${itemId}, ${tx.json(input.ratings)}) as id`;
    return await tx.unsafe<Rating[]>(
      `select ${RATING_COLUMNS} from public.ratings where id = any($1::uuid[]) order by config_id`,
      [ids.map((row) => row.id)],
    );
  });
}

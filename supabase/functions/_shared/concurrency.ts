/**
 * Bounded concurrency: model calls in a batch run a few at a time, so a
 * batch never opens more requests to a provider than its rate limits allow.
 *
 * @module
 */

/**
 * `fn` over `items`, at most `limit` at a time; results in the items' order.
 *
 * @example
 * const texts = await mapLimited(prompts, 4, (prompt) => llm.complete({ ...request, prompt }));
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

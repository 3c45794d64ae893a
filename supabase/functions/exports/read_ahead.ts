/**
 * Reading the next page while the current one is written: a cursor asks
 * Postgres for its next page only when the next page is asked for, so
 * writing a page (encoding, hashing, deflating, the file) left the database
 * idle. Asking one page ahead keeps both busy and holds at most two pages.
 *
 * @module
 */
import type { Pages } from "./records.ts";

/**
 * The same pages, each asked for as soon as the one before it is handed out.
 *
 * @example
 * for await (const page of readAhead(tx`select …`.cursor(500))) await write(page);
 */
export async function* readAhead<T>(pages: Pages<T>): Pages<T> {
  const iterator = pages[Symbol.asyncIterator]();
  let next = Promise.resolve(iterator.next());
  let finished = false;
  try {
    while (true) {
      const current = await next;
      if (current.done) {
        finished = true;
        return;
      }
      next = Promise.resolve(iterator.next());
      // A failure of the page read ahead surfaces when that page is reached.
      next.catch(() => {});
      // postgres.js sends the request for the next page on a later turn of the
      // event loop; give it that turn before the page is worked on.
      await new Promise((resolve) => setTimeout(resolve, 0));
      yield current.value;
    }
  } finally {
    if (!finished) {
      // Close the source only once the page in flight has arrived: a postgres.js
      // cursor closed mid-page would wait forever for that page to be taken.
      const pending = await next.catch(() => ({ done: true }));
      if (!pending.done) await iterator.return?.();
    }
  }
}

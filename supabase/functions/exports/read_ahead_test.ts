import { deepEqual, rejects } from "node:assert/strict";
import { readAhead } from "./read_ahead.ts";

/** Pages 0..n-1 of one item each, logging when each is asked for and when the source is closed. */
function loggedPages(n: number, log: string[], options: { failAt?: number } = {}) {
  let i = 0;
  return {
    [Symbol.asyncIterator]() {
      return {
        next() {
          log.push(`ask ${i}`);
          if (i === options.failAt) return Promise.reject(new Error(`Cannot read page ${i}`));
          return Promise.resolve(
            i < n ? { done: false, value: [i++] } : { done: true, value: undefined },
          );
        },
        return() {
          log.push("closed");
          return Promise.resolve({ done: true, value: undefined });
        },
      } as AsyncIterator<number[]>;
    },
  };
}

Deno.test("readAhead yields every page in order, asking for the next before the current is used", async () => {
  const log: string[] = [];
  const seen: number[][] = [];
  for await (const page of readAhead(loggedPages(3, log))) {
    log.push(`use ${page[0]}`);
    seen.push(page);
  }
  deepEqual(seen, [[0], [1], [2]]);
  deepEqual(log, ["ask 0", "ask 1", "use 0", "ask 2", "use 1", "ask 3", "use 2"]);
});

Deno.test("readAhead closes the source when the reader stops early, after the page in flight", async () => {
  const log: string[] = [];
  for await (const page of readAhead(loggedPages(5, log))) {
    if (page[0] === 1) break;
  }
  deepEqual(log, ["ask 0", "ask 1", "ask 2", "closed"]);
});

Deno.test("readAhead rethrows a failed page read when that page is reached", async () => {
  const log: string[] = [];
  const seen: number[] = [];
  await rejects(async () => {
    for await (const page of readAhead(loggedPages(5, log, { failAt: 2 }))) seen.push(page[0]);
  }, /Cannot read page 2/);
  deepEqual(seen, [0, 1]);
});

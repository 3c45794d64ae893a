import { equal, ok as assert, rejects } from "node:assert/strict";
import { createTestUser, databaseUrl, dbTest, type TestUser } from "../tests/harness.ts";
import { createDatabase } from "./db.ts";
import { HttpError } from "./errors.ts";
import { consumeRateLimit, enforceRateLimit } from "./rate_limit.ts";

/** Windows start at multiples of their length since the epoch: this one ends in 2033, so no test straddles two. */
const LONG_WINDOW = 1_000_000_000;

function asUser(user: TestUser) {
  return { claims: { sub: user.id, role: "authenticated" }, correlationId: crypto.randomUUID() };
}

Deno.test(
  "consumeRateLimit allows up to the limit per user and scope, then reports the wait",
  dbTest,
  async () => {
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      const [alice, bob] = [await createTestUser("alice"), await createTestUser("bob")];
      const limit = { scope: "unit_test", limit: 2, windowSeconds: LONG_WINDOW };
      equal(await db.withUser(asUser(alice), (tx) => consumeRateLimit(tx, limit)), 0);
      equal(await db.withUser(asUser(alice), (tx) => consumeRateLimit(tx, limit)), 0);
      const wait = await db.withUser(asUser(alice), (tx) => consumeRateLimit(tx, limit));
      assert(wait >= 1 && wait <= LONG_WINDOW, `wait ${wait}`);
      equal(
        await db.withUser(asUser(bob), (tx) => consumeRateLimit(tx, limit)),
        0,
        "bob has his own counter",
      );
      equal(
        await db.withUser(
          asUser(alice),
          (tx) => consumeRateLimit(tx, { ...limit, scope: "unit_test_other" }),
        ),
        0,
        "another scope has its own counter",
      );
    } finally {
      await db.end();
    }
  },
);

Deno.test(
  "enforceRateLimit throws 429 rate_limited with Retry-After when the window is used up",
  dbTest,
  async () => {
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      const user = await createTestUser("eager");
      const limit = { scope: "unit_test", limit: 1, windowSeconds: LONG_WINDOW };
      await db.withUser(asUser(user), (tx) => enforceRateLimit(tx, limit));
      await rejects(
        db.withUser(asUser(user), (tx) => enforceRateLimit(tx, limit)),
        (error: unknown) => {
          assert(error instanceof HttpError);
          equal(error.status, 429);
          equal(error.code, "rate_limited");
          const retryAfter = Number(error.headers["retry-after"]);
          assert(retryAfter >= 1 && retryAfter <= LONG_WINDOW, `retry-after ${retryAfter}`);
          assert(
            error.message.startsWith(`Too many requests: at most 1 per ${LONG_WINDOW} seconds`),
            error.message,
          );
          return true;
        },
      );
    } finally {
      await db.end();
    }
  },
);

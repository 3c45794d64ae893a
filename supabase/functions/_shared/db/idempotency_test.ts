import { equal, rejects } from "node:assert/strict";
import { createDatabase } from "./client.ts";
import { HttpError } from "../errors.ts";
import {
  canonicalJson,
  claimIdempotencyKey,
  completeIdempotencyKey,
  idempotencyKeyFrom,
  releaseIdempotencyKey,
  requestHash,
} from "./idempotency.ts";
import { createTestUser, databaseUrl, hasDatabase, type TestUser } from "../../tests/harness.ts";

const dbTest = { ignore: !hasDatabase };

function asUser(user: TestUser) {
  return { claims: { sub: user.id, role: "authenticated" }, correlationId: crypto.randomUUID() };
}

function rejectsWithCode(promise: Promise<unknown>, code: string) {
  return rejects(
    promise,
    (error) => error instanceof HttpError && error.code === code && error.status === 409,
  );
}

Deno.test("equal bodies hash equally whatever their key order; different bodies differ", async () => {
  equal(canonicalJson({ b: [1, { d: 1, c: 2 }], a: 1 }), '{"a":1,"b":[1,{"c":2,"d":1}]}');
  equal(await requestHash({ b: 1, a: 2 }), await requestHash({ a: 2, b: 1 }));
  equal((await requestHash({ a: 1 })) === (await requestHash({ a: 2 })), false);
});

Deno.test("the Idempotency-Key header must be 1-255 visible ASCII characters", () => {
  equal(idempotencyKeyFrom(undefined), undefined);
  equal(idempotencyKeyFrom(" abc-123 "), "abc-123");
  for (const bad of ["", "with space", "x".repeat(256), "é"]) {
    let code = "";
    try {
      idempotencyKeyFrom(bad);
    } catch (error) {
      code = error instanceof HttpError ? error.code : "other";
    }
    equal(code, "invalid_idempotency_key", JSON.stringify(bad));
  }
});

Deno.test(
  "a key is new once, then in progress, then replays its stored answer; another body conflicts",
  dbTest,
  async () => {
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      const user = await createTestUser("idem");
      const ref = { scope: "generate", key: crypto.randomUUID() };
      const hash = await requestHash({ prompt: "a" });

      equal(
        (await db.withUser(asUser(user), (tx) => claimIdempotencyKey(tx, ref, hash))).kind,
        "new",
      );
      await rejectsWithCode(
        db.withUser(asUser(user), (tx) => claimIdempotencyKey(tx, ref, hash)),
        "idempotency_in_progress",
      );
      await rejectsWithCode(
        db.withUser(
          asUser(user),
          async (tx) => claimIdempotencyKey(tx, ref, await requestHash({ prompt: "b" })),
        ),
        "idempotency_conflict",
      );

      await db.withUser(
        asUser(user),
        (tx) => completeIdempotencyKey(tx, ref, { status: 200, body: { id: "e1" } }),
      );
      const replay = await db.withUser(asUser(user), (tx) => claimIdempotencyKey(tx, ref, hash));
      equal(replay.kind, "replay");
      if (replay.kind === "replay") {
        equal(replay.status, 200);
        equal(JSON.stringify(replay.body), '{"id":"e1"}');
      }
    } finally {
      await db.end();
    }
  },
);

Deno.test("keys are per user, and a released claim can run again", dbTest, async () => {
  const db = createDatabase(databaseUrl, { max: 2 });
  try {
    const [alice, bob] = [await createTestUser("alice"), await createTestUser("bob")];
    const ref = { scope: "exports", key: "shared-key" };
    const hash = await requestHash({ format: "csv" });
    equal(
      (await db.withUser(asUser(alice), (tx) => claimIdempotencyKey(tx, ref, hash))).kind,
      "new",
    );
    equal(
      (await db.withUser(asUser(bob), (tx) => claimIdempotencyKey(tx, ref, hash))).kind,
      "new",
      "bob's key is his own",
    );
    await db.withUser(asUser(alice), (tx) => releaseIdempotencyKey(tx, ref));
    equal(
      (await db.withUser(asUser(alice), (tx) => claimIdempotencyKey(tx, ref, hash))).kind,
      "new",
    );
  } finally {
    await db.end();
  }
});

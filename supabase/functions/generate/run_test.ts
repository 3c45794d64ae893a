/**
 * runGenerate with a fake model against the real database: the transactions
 * around the model calls, and what happens to an Idempotency-Key when storing fails.
 */
import { deepEqual, equal, ok as assert, rejects } from "node:assert/strict";
import { createDatabase } from "../_shared/db/client.ts";
import { HttpError } from "../_shared/errors.ts";
import type { LlmClient } from "../_shared/integrations/llm.ts";
import { createTestUser, databaseUrl, dbTest, type TestUser, withAdmin } from "../tests/harness.ts";
import { runGenerate } from "./run.ts";
import { createTestCalibration } from "./test_fixtures.ts";

function contextOf(user: TestUser) {
  return { claims: { sub: user.id, role: "authenticated" }, correlationId: crypto.randomUUID() };
}

const text = "Tides rise and fall with the moon. The moon pulls the sea.";

Deno.test("no transaction is held open while the model runs", dbTest, async () => {
  // One pooled connection: a query from inside the model call could never
  // run if a transaction kept that connection during the call.
  const db = createDatabase(databaseUrl, { max: 1 });
  try {
    const user = await createTestUser("pool");
    const calibrationId = await createTestCalibration(user);
    let queried = 0;
    const llm: LlmClient = {
      async complete() {
        await db.withUser(contextOf(user), (tx) => tx`select 1`);
        queried++;
        return {
          status: "succeeded",
          text,
          finishReason: "stop",
          usage: null,
          latencyMs: 1,
          systemFingerprint: null,
        };
      },
    };
    const answer = await runGenerate(
      { db, llm, model: "fake", ratePerMinute: 30 },
      contextOf(user),
      {
        input: {
          prompt: "Explain tides.",
          calibration_id: calibrationId,
          numResponses: 3,
          seed: 5,
        },
      },
    );
    equal(queried, 3);
    equal(answer.kind, "new");
    if (answer.kind === "new") {
      equal(answer.result.status, "completed");
      equal(answer.result.model, "fake");
      deepEqual(answer.result.analytics?.responseCount, 3);
    }
  } finally {
    await db.end();
  }
});

Deno.test(
  "when storing the experiment fails, the Idempotency-Key is released for a retry",
  dbTest,
  async () => {
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      const user = await createTestUser("vanishing");
      const calibrationId = await createTestCalibration(user);
      // The calibration disappears while the model runs: the insert then fails its foreign key.
      const llm: LlmClient = {
        async complete() {
          await withAdmin((sql) =>
            sql`delete from public.calibrations where id = ${calibrationId}`
          );
          return {
            status: "succeeded",
            text,
            finishReason: "stop",
            usage: null,
            latencyMs: 1,
            systemFingerprint: null,
          };
        },
      };
      const deps = { db, llm, model: "fake", ratePerMinute: 30 };
      const request = {
        input: { prompt: "Explain tides.", calibration_id: calibrationId, numResponses: 1 },
        idempotencyKey: "store-fails",
      };
      await rejects(runGenerate(deps, contextOf(user), request), (error: unknown) => {
        assert(
          !(error instanceof HttpError) || error.status >= 500,
          "a storage failure is a server error",
        );
        return true;
      });
      const keys = await withAdmin((sql) =>
        sql`select status from public.idempotency_keys where user_id = ${user.id}`
      );
      equal(keys.length, 0, "the claim was released");
      await rejects(runGenerate(deps, contextOf(user), request), (error: unknown) => {
        assert(error instanceof HttpError);
        equal(
          error.code,
          "calibration_not_found",
          "the retry runs again instead of waiting for the claim",
        );
        return true;
      });
    } finally {
      await db.end();
    }
  },
);

/**
 * generate's two database steps against the real database: what each one
 * writes, as whom, and the errors it answers with.
 */
import { deepEqual, equal, ok as assert, rejects } from "node:assert/strict";
import { createDatabase } from "../_shared/db/client.ts";
import { HttpError } from "../_shared/errors.ts";
import { uuidV7 } from "../_shared/uuid_v7.ts";
import { createTestUser, databaseUrl, dbTest, type TestUser, withAdmin } from "../tests/harness.ts";
import { type NewExperiment, startGeneration, storeGeneration } from "./store.ts";
import { createTestCalibration, TEST_RANGES } from "./test_fixtures.ts";

function callerOf(user: TestUser) {
  return { claims: { sub: user.id, role: "authenticated" }, correlationId: crypto.randomUUID() };
}

const parameters = { temperature: 0.5, top_p: 0.9, max_tokens: 64, frequency_penalty: 0 };

function experimentFor(calibrationId: string, status: "completed" | "failed"): NewExperiment {
  return {
    id: uuidV7(),
    calibrationId,
    prompt: "Hi",
    model: "fake",
    parameters: { model: "fake", seed: 1, design: "explicit", numResponses: 1, sets: [parameters] },
    responses: status === "completed"
      ? [{
        index: 0,
        status: "succeeded",
        text: "Hello.",
        parameters,
        finishReason: "stop",
        usage: null,
        latencyMs: 10,
        systemFingerprint: null,
        metrics: { creativity: 0.5, coherence: 0.25, structure: 1, completeness: 0.75 },
      }]
      : [{
        index: 0,
        status: "failed",
        parameters,
        latencyMs: 10,
        error: { code: "upstream_unavailable", message: "down" },
      }],
    status,
    latencyMs: 40,
  };
}

function auditOf(correlationId: string) {
  return withAdmin((sql) =>
    sql<{ event_type: string; user_id: string; source: string }[]>`
      select event_type, user_id::text, source from public.audit_logs
       where correlation_id = ${correlationId} order by created_at, event_type`
  );
}

Deno.test(
  "startGeneration reads the owner's ranges, audits the start with the correlation id and hides others' calibrations",
  dbTest,
  async () => {
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      const [owner, stranger] = [await createTestUser("owner"), await createTestUser("stranger")];
      const calibrationId = await createTestCalibration(owner);
      const caller = callerOf(owner);
      const step = { calibrationId, ratePerMinute: 30, audit: { model: "fake" } };
      deepEqual(await startGeneration(db, caller, step), { kind: "new", ranges: TEST_RANGES });
      deepEqual((await auditOf(caller.correlationId)).map((r) => ({ ...r })), [
        { event_type: "llm_request_started", user_id: owner.id, source: "server" },
      ]);

      const strangerCaller = callerOf(stranger);
      await rejects(startGeneration(db, strangerCaller, step), (error: unknown) => {
        assert(error instanceof HttpError);
        equal(error.status, 404);
        equal(error.code, "calibration_not_found");
        equal(error.message, `Calibration not found: ${calibrationId}`);
        return true;
      });
      equal(
        (await auditOf(strangerCaller.correlationId)).length,
        0,
        "a refused start leaves no trace",
      );
    } finally {
      await db.end();
    }
  },
);

Deno.test(
  "startGeneration answers 429 with Retry-After once the minute's requests are used, and counts no refused one",
  dbTest,
  async () => {
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      // Fixed windows start on the minute: retry with a fresh user if the three
      // calls happened to straddle a window boundary.
      for (let attempt = 1;; attempt++) {
        const user = await createTestUser("limited");
        const calibrationId = await createTestCalibration(user);
        const step = { calibrationId, ratePerMinute: 2, audit: {} };
        const minute = Math.floor(Date.now() / 60_000);
        await startGeneration(db, callerOf(user), step);
        await startGeneration(db, callerOf(user), step);
        const refused = callerOf(user);
        const third = startGeneration(db, refused, step);
        await third.catch(() => {});
        if (Math.floor(Date.now() / 60_000) !== minute && attempt < 3) continue;
        await rejects(third, (error: unknown) => {
          assert(error instanceof HttpError);
          equal(error.status, 429);
          equal(error.code, "rate_limited");
          assert(
            /^Too many requests: at most 2 per 60 seconds, try again in \d+ seconds$/.test(
              error.message,
            ),
          );
          const wait = Number(error.headers["retry-after"]);
          assert(wait >= 1 && wait <= 60, `retry-after ${wait} is within the window`);
          return true;
        });
        equal((await auditOf(refused.correlationId)).length, 0);
        const [{ count }] = await withAdmin((sql) =>
          sql<{ count: number }[]>`
            select sum(request_count)::int as count from private.rate_limits where user_id = ${user.id}`
        );
        equal(count, 2);
        return;
      }
    } finally {
      await db.end();
    }
  },
);

Deno.test(
  "storeGeneration stores the JSON as objects, audits it and returns the priced responses and the trigger's summary; the key replays that answer",
  dbTest,
  async () => {
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      const user = await createTestUser("storer");
      const calibrationId = await createTestCalibration(user);
      const caller = callerOf(user);
      const step = {
        calibrationId,
        ratePerMinute: 30,
        audit: {},
        idempotency: { key: "store-once", hash: "h1" },
      };
      equal((await startGeneration(db, caller, step)).kind, "new");
      const experiment = experimentFor(calibrationId, "completed");
      const answer = {
        experimentId: experiment.id,
        status: "completed" as const,
        model: "fake",
        seed: 1,
        design: "explicit" as const,
        template: null,
        responses: experiment.responses,
        latencyMs: 40,
      };
      const stored = await storeGeneration(db, caller, {
        experiment,
        audit: { experimentId: experiment.id },
        idempotencyKey: "store-once",
        answer,
      });
      const expected = {
        count: 1,
        responseCount: 1,
        avgCreativity: 0.5,
        avgCoherence: 0.25,
        avgStructure: 1,
        avgCompleteness: 0.75,
        avgLatency: 40,
      };
      const priced = [{ ...experiment.responses[0], cost: null }];
      deepEqual(stored, {
        responses: priced,
        costUsd: null,
        unpricedResponses: 1,
        analytics: expected,
      }, "a response without usage has an unknown cost");
      const [row] = await withAdmin((sql) =>
        sql`select user_id::text, correlation_id::text, jsonb_typeof(parameters) as p,
                   jsonb_typeof(responses) as r from public.experiments where id = ${experiment.id}`
      );
      deepEqual({ ...row }, {
        user_id: user.id,
        correlation_id: caller.correlationId,
        p: "object",
        r: "array",
      }, "the caller's row, JSON stored as JSON and not as an encoded string");
      deepEqual(
        (await auditOf(caller.correlationId)).map((r) => r.event_type).sort(),
        ["analytics_updated", "experiment_generated", "llm_request_started"],
      );
      deepEqual(await startGeneration(db, callerOf(user), step), {
        kind: "replay",
        status: 200,
        body: {
          ...answer,
          responses: priced,
          costUsd: null,
          unpricedResponses: 1,
          analytics: expected,
        },
      });
    } finally {
      await db.end();
    }
  },
);

Deno.test(
  "a failed experiment is stored and audited as failed, counts nothing and releases the key",
  dbTest,
  async () => {
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      const user = await createTestUser("failing");
      const calibrationId = await createTestCalibration(user);
      const caller = callerOf(user);
      const idempotency = { key: "fails", hash: "h" };
      await startGeneration(db, caller, {
        calibrationId,
        ratePerMinute: 30,
        audit: {},
        idempotency,
      });
      const experiment = experimentFor(calibrationId, "failed");
      equal(
        await storeGeneration(db, caller, { experiment, audit: {}, idempotencyKey: "fails" }),
        null,
      );
      deepEqual(
        (await auditOf(caller.correlationId)).map((r) => r.event_type).sort(),
        ["llm_request_failed", "llm_request_started"],
      );
      const keys = await withAdmin((sql) =>
        sql`select 1 from public.idempotency_keys where user_id = ${user.id}`
      );
      equal(keys.length, 0, "the key is free for a retry");
    } finally {
      await db.end();
    }
  },
);

Deno.test("storeGeneration refuses another user's calibration", dbTest, async () => {
  const db = createDatabase(databaseUrl, { max: 2 });
  try {
    const [owner, stranger] = [await createTestUser("mine"), await createTestUser("thief")];
    const calibrationId = await createTestCalibration(owner);
    await rejects(
      storeGeneration(db, callerOf(stranger), {
        experiment: experimentFor(calibrationId, "completed"),
        audit: {},
      }),
      /violates foreign key constraint|row-level security/,
    );
    const rows = await withAdmin((sql) =>
      sql`select 1 from public.experiments where calibration_id = ${calibrationId}`
    );
    equal(rows.length, 0);
  } finally {
    await db.end();
  }
});

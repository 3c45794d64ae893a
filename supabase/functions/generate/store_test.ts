import { deepEqual, equal } from "node:assert/strict";
import { createDatabase } from "../_shared/db.ts";
import { createTestUser, databaseUrl, dbTest, type TestUser } from "../tests/harness.ts";
import { insertExperiment, loadCalibrationRanges, readMetricsSummary } from "./store.ts";
import { createTestCalibration, TEST_RANGES } from "./test_fixtures.ts";

function contextOf(user: TestUser) {
  return { claims: { sub: user.id, role: "authenticated" }, correlationId: crypto.randomUUID() };
}

Deno.test(
  "loadCalibrationRanges reads the owner's ranges as numbers and hides others' calibrations",
  dbTest,
  async () => {
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      const [owner, stranger] = [await createTestUser("owner"), await createTestUser("stranger")];
      const calibrationId = await createTestCalibration(owner);
      deepEqual(
        await db.withUser(contextOf(owner), (tx) => loadCalibrationRanges(tx, calibrationId)),
        TEST_RANGES,
      );
      equal(
        await db.withUser(contextOf(stranger), (tx) => loadCalibrationRanges(tx, calibrationId)),
        null,
      );
      equal(
        await db.withUser(contextOf(owner), (tx) => loadCalibrationRanges(tx, crypto.randomUUID())),
        null,
      );
    } finally {
      await db.end();
    }
  },
);

Deno.test(
  "insertExperiment stores the JSON as objects and readMetricsSummary returns the trigger's summary",
  dbTest,
  async () => {
    const db = createDatabase(databaseUrl, { max: 2 });
    try {
      const user = await createTestUser("storer");
      const calibrationId = await createTestCalibration(user);
      const parameters = { temperature: 0.5, top_p: 0.9, max_tokens: 64, frequency_penalty: 0 };
      const { id, summary, stored } = await db.withUser(contextOf(user), async (tx) => {
        equal(await readMetricsSummary(tx, calibrationId), null, "nothing counted yet");
        const id = await insertExperiment(tx, {
          calibrationId,
          prompt: "Hi",
          model: "fake",
          parameters: {
            model: "fake",
            seed: 1,
            design: "explicit",
            numResponses: 1,
            sets: [parameters],
          },
          responses: [{
            index: 0,
            status: "succeeded",
            text: "Hello.",
            parameters,
            finishReason: "stop",
            usage: null,
            latencyMs: 10,
            systemFingerprint: null,
            metrics: { creativity: 0.5, coherence: 0.25, structure: 1, completeness: 0.75 },
          }],
          status: "completed",
          latencyMs: 40,
        });
        const [stored] =
          await tx`select jsonb_typeof(parameters) as p, jsonb_typeof(responses) as r from public.experiments where id = ${id}`;
        return { id, summary: await readMetricsSummary(tx, calibrationId), stored };
      });
      equal(typeof id, "string");
      deepEqual(
        { ...stored },
        { p: "object", r: "array" },
        "JSON is stored as JSON, not as an encoded string",
      );
      deepEqual(summary, {
        count: 1,
        responseCount: 1,
        avgCreativity: 0.5,
        avgCoherence: 0.25,
        avgStructure: 1,
        avgCompleteness: 0.75,
        avgLatency: 40,
      });
    } finally {
      await db.end();
    }
  },
);

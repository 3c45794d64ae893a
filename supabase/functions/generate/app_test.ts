/**
 * The generate function in-process (`app.request`) against the real test
 * database and the offline model server, through the real `openai` SDK:
 * happy paths, the parameter design, analytics, every failure mode,
 * idempotency, the rate limit, RLS and secrets.
 */
import { deepEqual, equal, notEqual, ok as assert } from "node:assert/strict";
import { flushBackground } from "../_shared/background.ts";
import type { GeneratedResponse, GenerateResult } from "../_shared/contracts/generate.ts";
import { createLlmClient } from "../_shared/integrations/llm.ts";
import { PARAMETER_NAMES } from "../_shared/lab/parameters.ts";
import { createTestUser, dbTest, withAdmin } from "../tests/harness.ts";
import { FAKE_KEY, withGenerate } from "./test_app.ts";
import { createTestCalibration, TEST_RANGES } from "./test_fixtures.ts";

function succeeded(responses: GeneratedResponse[]) {
  return responses.filter((r) => r.status === "succeeded");
}

function byTemperature(responses: GeneratedResponse[]): GeneratedResponse[] {
  return [...responses].sort((a, b) => a.parameters.temperature - b.parameters.temperature);
}

function errorCode(response: GeneratedResponse): string | null {
  return response.status === "failed" ? response.error.code : null;
}

function assertInRanges(result: GenerateResult) {
  for (const response of result.responses) {
    for (const name of PARAMETER_NAMES) {
      const value = response.parameters[name];
      const range = TEST_RANGES[name];
      assert(
        value >= range.min && value <= range.max,
        `${name} ${value} inside ${range.min}..${range.max}`,
      );
    }
  }
}

function assertScored(result: GenerateResult) {
  for (const response of succeeded(result.responses)) {
    assert(response.text.length > 0, "a succeeded response has text");
    for (const value of Object.values(response.metrics)) {
      assert(value >= 0 && value <= 1, `metric ${value} in [0, 1]`);
    }
    assert(response.usage !== null && response.usage.completionTokens > 0, "usage is recorded");
    assert(response.systemFingerprint?.startsWith("fp_"), "system_fingerprint is recorded");
  }
}

Deno.test(
  "POST /generate with N = 1 answers one scored response and stores the experiment",
  dbTest,
  async () => {
    const user = await createTestUser("single");
    const calibrationId = await createTestCalibration(user);
    await withGenerate({}, async ({ post }) => {
      const { status, body } = await post(user, {
        prompt: "Describe the tides.",
        calibration_id: calibrationId,
        numResponses: 1,
        seed: 9,
      });
      equal(status, 200, JSON.stringify(body));
      const result: GenerateResult = body.data;
      equal(result.status, "completed");
      equal(result.model, "gpt-4o");
      equal(result.seed, 9);
      equal(result.design, "latin-hypercube");
      equal(result.responses.length, 1);
      assertInRanges(result);
      assertScored(result);
      deepEqual(result.responses[0].parameters, {
        temperature: 0.7,
        top_p: 0.73,
        max_tokens: 96,
        frequency_penalty: 0.25,
      }, "N = 1 takes the centre of every range");
      equal(result.analytics?.count, 1);
      equal(result.analytics?.responseCount, 1);
    });
  },
);

Deno.test(
  "POST /generate with N = 10 spreads the parameters over the ranges and links every row by the correlation id",
  dbTest,
  async () => {
    const user = await createTestUser("ten");
    const calibrationId = await createTestCalibration(user);
    const correlationId = crypto.randomUUID();
    await withGenerate({}, async ({ post, model }) => {
      const { status, body, headers } = await post(
        user,
        {
          prompt: "Write about lighthouses and the sea.",
          calibration_id: calibrationId,
          numResponses: 10,
        },
        { "x-correlation-id": correlationId },
      );
      equal(status, 200, JSON.stringify(body));
      equal(headers.get("x-correlation-id"), correlationId);
      const result: GenerateResult = body.data;
      equal(result.status, "completed");
      equal(result.responses.length, 10);
      deepEqual(result.responses.map((r) => r.index), [...Array(10).keys()]);
      assertInRanges(result);
      assertScored(result);
      for (const name of PARAMETER_NAMES) {
        equal(
          new Set(result.responses.map((r) => r.parameters[name])).size,
          10,
          `10 distinct ${name} values`,
        );
      }
      equal(model.control.stats().counters.completionsServed, 10, "one model call per response");

      await withAdmin(async (sql) => {
        const [row] =
          await sql`select user_id, calibration_id, prompt, model, parameters, responses, status,
                                       latency_ms, correlation_id
                                  from public.experiments where id = ${result.experimentId}`;
        equal(row.user_id, user.id);
        equal(row.calibration_id, calibrationId);
        equal(row.status, "completed");
        equal(row.correlation_id, correlationId);
        equal(row.latency_ms, result.latencyMs);
        deepEqual(row.responses, result.responses, "the stored responses are the answered ones");
        deepEqual(row.parameters, {
          model: "gpt-4o",
          seed: result.seed,
          design: "latin-hypercube",
          numResponses: 10,
          sets: result.responses.map((r) => r.parameters),
        });
        const audit =
          await sql`select event_type, source, user_id, event_data from public.audit_logs
                                 where correlation_id = ${correlationId} order by created_at, event_type`;
        deepEqual(audit.map((a) => a.event_type).sort(), [
          "analytics_updated",
          "experiment_generated",
          "llm_request_started",
        ]);
        for (const event of audit) equal(event.user_id, user.id);
        const generated = audit.find((a) => a.event_type === "experiment_generated")!;
        equal(generated.event_data.experimentId, result.experimentId);
        equal(generated.event_data.succeeded, 10);
        const updated = audit.find((a) => a.event_type === "analytics_updated")!;
        equal(updated.event_data.experimentId, result.experimentId);
      });
    });
  },
);

Deno.test("analytics are exact after several experiments on one calibration", dbTest, async () => {
  const user = await createTestUser("analyst");
  const calibrationId = await createTestCalibration(user);
  await withGenerate({}, async ({ post }) => {
    const results: GenerateResult[] = [];
    for (const [numResponses, seed] of [[3, 1], [2, 2], [4, 3]]) {
      const { status, body } = await post(user, {
        prompt: "Explain how clouds form.",
        calibration_id: calibrationId,
        numResponses,
        seed,
      });
      equal(status, 200, JSON.stringify(body));
      results.push(body.data);
    }
    const scored = results.flatMap((r) => succeeded(r.responses));
    equal(scored.length, 9);
    const average = (pick: (m: GeneratedResponse & { status: "succeeded" }) => number) =>
      scored.reduce((sum, r) => sum + pick(r), 0) / scored.length;
    const expected = {
      avgCreativity: average((r) => r.metrics.creativity),
      avgCoherence: average((r) => r.metrics.coherence),
      avgStructure: average((r) => r.metrics.structure),
      avgCompleteness: average((r) => r.metrics.completeness),
    };
    const analytics = results.at(-1)!.analytics!;
    equal(analytics.count, 3);
    equal(analytics.responseCount, 9);
    for (const [key, value] of Object.entries(expected)) {
      const actual = analytics[key as keyof typeof expected]!;
      assert(
        Math.abs(actual - value) <= 0.00005 + 1e-12,
        `${key}: ${actual} is ${value} to 4 decimals`,
      );
    }
    const latency = results.reduce((sum, r) => sum + r.latencyMs, 0) / 3;
    assert(
      Math.abs(analytics.avgLatency! - latency) <= 0.05 + 1e-9,
      `avgLatency ${analytics.avgLatency} is ${latency}`,
    );
    await withAdmin(async (sql) => {
      const [row] =
        await sql`select metrics_summary from public.analytics_summaries where calibration_id = ${calibrationId}`;
      deepEqual(row.metrics_summary, analytics, "the answer carries the stored summary");
    });
  });
});

Deno.test(
  "explicit parameters are used for every response and recorded as design explicit",
  dbTest,
  async () => {
    const user = await createTestUser("explicit");
    const calibrationId = await createTestCalibration(user);
    const parameters = { temperature: 1.9, top_p: 1, max_tokens: 20, frequency_penalty: -1 };
    await withGenerate({}, async ({ post }) => {
      const { status, body } = await post(user, {
        prompt: "Name a colour.",
        calibration_id: calibrationId,
        numResponses: 3,
        parameters,
      });
      equal(status, 200, JSON.stringify(body));
      equal(body.data.design, "explicit");
      for (const response of body.data.responses) deepEqual(response.parameters, parameters);
    });
  },
);

Deno.test(
  "some calls failing answers 200 with those responses failed and excluded from analytics",
  dbTest,
  async () => {
    const user = await createTestUser("partial");
    const calibrationId = await createTestCalibration(user);
    await withGenerate({ env: { LAB_LLM_MAX_RETRIES: "0" } }, async ({ post, model }) => {
      // Temperatures of N = 4 over 0.2..1.2: 0.33, 0.58, 0.83, 1.08 -> the upper two fail.
      model.control.set({ mode: "server_error", match: { temperatureAtLeast: 0.8 } });
      const { status, body } = await post(user, {
        prompt: "Describe a forest.",
        calibration_id: calibrationId,
        numResponses: 4,
      });
      equal(status, 200, JSON.stringify(body));
      const result: GenerateResult = body.data;
      equal(result.status, "partial");
      const failed = result.responses.filter((r) => r.status === "failed");
      equal(failed.length, 2);
      for (const response of failed) {
        assert(response.parameters.temperature >= 0.8);
        equal(response.error.code, "upstream_server_error");
        assert(!("metrics" in response), "a failed response has no metrics");
      }
      equal(result.analytics?.count, 1);
      equal(result.analytics?.responseCount, 2, "only the succeeded responses are counted");
      await withAdmin(async (sql) => {
        const [row] =
          await sql`select status from public.experiments where id = ${result.experimentId}`;
        equal(row.status, "partial");
      });
    });
  },
);

Deno.test(
  "every call failing answers 502 upstream_unavailable, stores the failed attempt and audits llm_request_failed",
  dbTest,
  async () => {
    const user = await createTestUser("allfail");
    const calibrationId = await createTestCalibration(user);
    const correlationId = crypto.randomUUID();
    await withGenerate({ env: { LAB_LLM_MAX_RETRIES: "0" } }, async ({ post, model }) => {
      model.control.set({ mode: "server_error" });
      const { status, body } = await post(
        user,
        { prompt: "Describe a desert.", calibration_id: calibrationId, numResponses: 3 },
        { "x-correlation-id": correlationId },
      );
      equal(status, 502);
      equal(body.error.code, "upstream_unavailable");
      const experimentId = body.error.details.experimentId;
      deepEqual(
        body.error.details.errors,
        [0, 1, 2].map((index) => ({ index, code: "upstream_server_error" })),
      );
      await flushBackground();
      await withAdmin(async (sql) => {
        const [row] =
          await sql`select status, responses, correlation_id from public.experiments where id = ${experimentId}`;
        equal(row.status, "failed");
        equal(row.correlation_id, correlationId);
        equal(row.responses.length, 3);
        const events =
          await sql`select event_type from public.audit_logs where correlation_id = ${correlationId}`;
        deepEqual(events.map((e) => e.event_type).sort(), [
          "llm_request_failed",
          "llm_request_started",
          "request_failed",
        ]);
        const summaries =
          await sql`select 1 from public.analytics_summaries where calibration_id = ${calibrationId}`;
        equal(summaries.length, 0, "a failed experiment adds nothing to analytics");
      });
    });
  },
);

Deno.test(
  "a 429 from the model is retried by the SDK and the response succeeds",
  dbTest,
  async () => {
    const user = await createTestUser("retry");
    const calibrationId = await createTestCalibration(user);
    await withGenerate({}, async ({ post, model }) => {
      model.control.set({ mode: "rate_limit", times: 1, retryAfterSeconds: 0 });
      const { status, body } = await post(user, {
        prompt: "Describe rain.",
        calibration_id: calibrationId,
        numResponses: 1,
      });
      equal(status, 200, JSON.stringify(body));
      equal(body.data.status, "completed");
      const { counters } = model.control.stats();
      equal(counters.failuresServed, 1);
      equal(counters.requestsReceived, 2, "the 429 was retried once");
    });
  },
);

Deno.test(
  "a hanging model call fails with a timeout code while the others succeed",
  dbTest,
  async () => {
    const user = await createTestUser("hang");
    const calibrationId = await createTestCalibration(user);
    // The timeout bounds the call that must succeed too, so it is far above a
    // slow machine's worst answer time; the hanging call never answers at all.
    await withGenerate(
      { env: { LAB_LLM_TIMEOUT_MS: "5000", LAB_LLM_MAX_RETRIES: "0" } },
      async ({ post, model }) => {
        // Temperatures of N = 2 over 0.2..1.2: 0.45 and 0.95 -> the hotter one hangs.
        model.control.set({ mode: "hang", match: { temperatureAtLeast: 0.9 } });
        const { status, body } = await post(user, {
          prompt: "Describe snow.",
          calibration_id: calibrationId,
          numResponses: 2,
        });
        model.control.reset();
        equal(status, 200, JSON.stringify(body));
        const [cool, hot] = byTemperature(body.data.responses);
        equal(cool.status, "succeeded");
        equal(hot.status, "failed");
        equal(errorCode(hot), "timeout");
      },
    );
  },
);

Deno.test("a malformed model answer becomes a failed response", dbTest, async () => {
  const user = await createTestUser("malformed");
  const calibrationId = await createTestCalibration(user);
  await withGenerate({}, async ({ post, model }) => {
    model.control.set({ mode: "malformed", match: { temperatureAtLeast: 0.9 } });
    const { status, body } = await post(user, {
      prompt: "Describe wind.",
      calibration_id: calibrationId,
      numResponses: 2,
    });
    equal(status, 200, JSON.stringify(body));
    equal(body.data.status, "partial");
    const [cool, hot] = byTemperature(body.data.responses);
    equal(cool.status, "succeeded");
    equal(errorCode(hot), "malformed_response");
  });
});

Deno.test(
  "the same Idempotency-Key and body replay the stored answer without new model calls; another body conflicts",
  dbTest,
  async () => {
    const user = await createTestUser("idempotent");
    const calibrationId = await createTestCalibration(user);
    const key = `gen-${crypto.randomUUID()}`;
    const request = {
      prompt: "Describe a harbour.",
      calibration_id: calibrationId,
      numResponses: 2,
    };
    await withGenerate({}, async ({ post, model }) => {
      const first = await post(user, request, { "idempotency-key": key });
      equal(first.status, 200, JSON.stringify(first.body));
      equal(first.headers.get("idempotent-replayed"), null);
      const calls = model.control.stats().counters.requestsReceived;

      const replay = await post(user, {
        numResponses: 2,
        calibration_id: calibrationId,
        prompt: "Describe a harbour.",
      }, {
        "idempotency-key": key,
      });
      equal(replay.status, 200);
      equal(replay.headers.get("idempotent-replayed"), "true");
      deepEqual(
        replay.body.data,
        first.body.data,
        "the stored answer, including the experiment id",
      );
      equal(model.control.stats().counters.requestsReceived, calls, "no new model calls");

      const conflict = await post(user, { ...request, prompt: "Something else." }, {
        "idempotency-key": key,
      });
      equal(conflict.status, 409);
      equal(conflict.body.error.code, "idempotency_conflict");
      await withAdmin(async (sql) => {
        const rows = await sql`select id from public.experiments where user_id = ${user.id}`;
        equal(rows.length, 1, "one experiment for the key");
      });
    });
  },
);

Deno.test("after a 502 the same Idempotency-Key runs again", dbTest, async () => {
  const user = await createTestUser("retry-key");
  const calibrationId = await createTestCalibration(user);
  const key = `gen-${crypto.randomUUID()}`;
  const request = { prompt: "Describe a river.", calibration_id: calibrationId, numResponses: 1 };
  await withGenerate({ env: { LAB_LLM_MAX_RETRIES: "0" } }, async ({ post, model }) => {
    model.control.set({ mode: "server_error", times: 1 });
    const failed = await post(user, request, { "idempotency-key": key });
    equal(failed.status, 502);
    const retried = await post(user, request, { "idempotency-key": key });
    equal(retried.status, 200, JSON.stringify(retried.body));
    notEqual(retried.body.data.experimentId, failed.body.error.details.experimentId);
    equal(retried.headers.get("idempotent-replayed"), null);
  });
});

Deno.test(
  "the per-user rate limit answers 429 with Retry-After once the minute's requests are used",
  dbTest,
  async () => {
    await withGenerate(
      { env: { LAB_GENERATE_RATE_LIMIT_PER_MINUTE: "2" } },
      async ({ post, model }) => {
        // Fixed windows start on the minute: retry with a fresh user if the three
        // requests happened to straddle a window boundary.
        for (let attempt = 0; attempt < 3; attempt++) {
          const user = await createTestUser("limited");
          const calibrationId = await createTestCalibration(user);
          const request = {
            prompt: "Describe a city.",
            calibration_id: calibrationId,
            numResponses: 1,
          };
          const minute = Math.floor(Date.now() / 60_000);
          const answers = [await post(user, request), await post(user, request)];
          const calls = model.control.stats().counters.requestsReceived;
          const third = await post(user, request);
          if (Math.floor(Date.now() / 60_000) !== minute) continue;
          deepEqual(answers.map((a) => a.status), [200, 200]);
          equal(third.status, 429);
          equal(third.body.error.code, "rate_limited");
          const retryAfter = Number(third.headers.get("retry-after"));
          assert(
            Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
            `Retry-After ${retryAfter}`,
          );
          equal(
            model.control.stats().counters.requestsReceived,
            calls,
            "a limited request calls no model",
          );
          const other = await createTestUser("unlimited");
          const otherCalibration = await createTestCalibration(other);
          equal(
            (await post(other, { ...request, calibration_id: otherCalibration })).status,
            200,
            "other users are not limited",
          );
          return;
        }
        throw new Error("Every attempt straddled a minute boundary");
      },
    );
  },
);

Deno.test(
  "another user's calibration answers 404 like a missing one, and nothing is stored",
  dbTest,
  async () => {
    const [owner, stranger] = [await createTestUser("owner"), await createTestUser("stranger")];
    const calibrationId = await createTestCalibration(owner);
    const missingId = crypto.randomUUID();
    await withGenerate({}, async ({ post, model }) => {
      const foreign = await post(stranger, { prompt: "Hi.", calibration_id: calibrationId });
      const missing = await post(stranger, { prompt: "Hi.", calibration_id: missingId });
      equal(foreign.status, 404);
      equal(foreign.body.error.code, "calibration_not_found");
      deepEqual(
        {
          status: missing.status,
          code: missing.body.error.code,
          message: missing.body.error.message.replace(missingId, "ID"),
        },
        {
          status: 404,
          code: "calibration_not_found",
          message: foreign.body.error.message.replace(calibrationId, "ID"),
        },
        "the two are indistinguishable",
      );
      equal(model.control.stats().counters.requestsReceived, 0);
      await flushBackground();
      await withAdmin(async (sql) => {
        equal(
          (await sql`select 1 from public.experiments where user_id = ${stranger.id}`).length,
          0,
        );
        const events =
          await sql`select event_type from public.audit_logs where user_id = ${stranger.id}`;
        deepEqual(
          events.map((e) => e.event_type),
          ["request_failed", "request_failed"],
          "no llm_request_started",
        );
      });
    });
  },
);

Deno.test("invalid requests answer 400 validation_failed and call no model", dbTest, async () => {
  const user = await createTestUser("invalid");
  const calibrationId = await createTestCalibration(user);
  const valid = { prompt: "Describe a bridge.", calibration_id: calibrationId, numResponses: 2 };
  const cases: [string, unknown, string][] = [
    ["numResponses 11", { ...valid, numResponses: 11 }, "numResponses"],
    ["numResponses 0", { ...valid, numResponses: 0 }, "numResponses"],
    ["an empty prompt", { ...valid, prompt: "   " }, "prompt"],
    ["a prompt over 32000 characters", { ...valid, prompt: "x".repeat(32_001) }, "prompt"],
    [
      "a calibration id that is not a UUID",
      { ...valid, calibration_id: "calibration-1" },
      "calibration_id",
    ],
    ["temperature 3", {
      ...valid,
      parameters: { temperature: 3, top_p: 1, max_tokens: 10, frequency_penalty: 0 },
    }, "parameters.temperature"],
    ["a negative seed", { ...valid, seed: -1 }, "seed"],
    ["a NUL in the prompt", { ...valid, prompt: "a\u0000b" }, "prompt"],
    ["a lone surrogate in the prompt", { ...valid, prompt: "\ud800" }, "prompt"],
  ];
  await withGenerate({}, async ({ post, model }) => {
    for (const [label, body, path] of cases) {
      const answer = await post(user, body);
      equal(answer.status, 400, label);
      equal(answer.body.error.code, "validation_failed", label);
      equal(answer.body.error.details[0].path, path, label);
    }
    const badKey = await post(user, valid, { "idempotency-key": "has spaces" });
    equal(badKey.status, 400);
    equal(badKey.body.error.code, "invalid_idempotency_key");
    equal(model.control.stats().counters.requestsReceived, 0);
  });
  // Nothing was counted or audited: no rate-limit slot, no llm_request_started.
  const written = await withAdmin((sql) =>
    sql<{ events: number; slots: number }[]>`
      select (select count(*)::int from public.audit_logs where user_id = ${user.id}
                 and event_type = 'llm_request_started') as events,
             (select count(*)::int from private.rate_limits where user_id = ${user.id}) as slots`
  );
  deepEqual({ ...written[0] }, { events: 0, slots: 0 });
});

Deno.test("the owner cannot rewrite an experiment but can save or discard it", dbTest, async () => {
  const user = await createTestUser("keeper");
  const calibrationId = await createTestCalibration(user);
  await withGenerate({}, async ({ post, runtime }) => {
    const { body } = await post(user, {
      prompt: "Describe a garden.",
      calibration_id: calibrationId,
      numResponses: 1,
    });
    const id = body.data.experimentId;
    const asOwner = <T>(fn: Parameters<typeof runtime.db.withUser<T>>[1]) =>
      runtime.db.withUser({
        claims: { sub: user.id, role: "authenticated" },
        correlationId: crypto.randomUUID(),
      }, fn);
    for (const column of ["prompt", "responses", "parameters", "model", "status"]) {
      await asOwner((tx) =>
        tx`update public.experiments set ${tx(column)} = ${tx(column)} where id = ${id}`
      ).then(
        () => assert(false, `${column} must not be updatable`),
        (error: Error) =>
          assert(/permission denied for table experiments/.test(error.message), error.message),
      );
    }
    const [saved] = await asOwner((tx) =>
      tx`update public.experiments set saved = true where id = ${id} returning saved`
    );
    equal(saved.saved, true);
    await asOwner((tx) => tx`update public.experiments set discarded = true where id = ${id}`);
    await withAdmin(async (sql) => {
      const [summary] =
        await sql`select metrics_summary from public.analytics_summaries where calibration_id = ${calibrationId}`;
      equal(summary.metrics_summary.count, 0, "a discarded experiment leaves the analytics");
    });
  });
});

Deno.test(
  "the API key appears in no response, experiment row or audit row, even when the upstream echoes it",
  dbTest,
  async () => {
    const user = await createTestUser("secret");
    const calibrationId = await createTestCalibration(user);
    const correlationId = crypto.randomUUID();
    const echoing: typeof fetch = (_input, init) => {
      const auth = new Headers(init?.headers).get("authorization") ?? "";
      return Promise.resolve(Response.json(
        {
          error: {
            message: `Incorrect API key provided: ${
              auth.replace("Bearer ", "")
            }. Header was ${auth}`,
            type: "invalid_request_error",
            code: "invalid_api_key",
          },
        },
        { status: 401 },
      ));
    };
    const llm = createLlmClient({
      apiKey: FAKE_KEY,
      timeoutMs: 1000,
      maxRetries: 0,
      fetch: echoing,
    });
    await withGenerate({ llm }, async ({ post }) => {
      const { status, body } = await post(user, {
        prompt: "Hi there.",
        calibration_id: calibrationId,
        numResponses: 2,
      }, {
        "x-correlation-id": correlationId,
      });
      equal(status, 502);
      equal(body.error.details.errors[0].code, "upstream_auth_failed");
      assert(!JSON.stringify(body).includes("SECRET123"), "not in the error body");
      await flushBackground();
      await withAdmin(async (sql) => {
        const [experiment] =
          await sql`select row_to_json(e)::text as row from public.experiments e where id = ${body.error.details.experimentId}`;
        assert(
          experiment.row.includes("Incorrect API key provided"),
          "the upstream message is kept",
        );
        assert(!experiment.row.includes("SECRET123"), "not in the experiment row");
        const audit =
          await sql`select row_to_json(a)::text as row from public.audit_logs a where correlation_id = ${correlationId}`;
        assert(audit.length >= 2);
        for (const row of audit) assert(!row.row.includes("SECRET123"), "not in an audit row");
      });
    });
    await withGenerate({}, async ({ post }) => {
      const { status, body } = await post(user, {
        prompt: "Hi there.",
        calibration_id: calibrationId,
        numResponses: 2,
      });
      equal(status, 200);
      assert(!JSON.stringify(body).includes("SECRET123"), "not in a success body");
    });
  },
);

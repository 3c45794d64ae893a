/**
 * The calibration function in-process (`app.request`) against the real test
 * database: questionnaire, submission, RLS, audit and telemetry rows, errors.
 */
import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { flushBackground } from "../_shared/background.ts";
import { PARAMETER_BOUNDS, PARAMETER_NAMES } from "../_shared/lab/parameters.ts";
import { startFunction } from "../_shared/runtime.ts";
import {
  createTestUser,
  dbTest,
  jsonRequest,
  testEnv,
  type TestUser,
  withAdmin,
} from "../tests/harness.ts";
import { LOCAL_ANON_KEY } from "../../../scripts/lib/local_auth.ts";
import { calibration } from "./app.ts";
import { questionDefinitions, QUESTIONNAIRE_VERSION } from "./questionnaire.ts";

function answersFor(
  mode: "quick" | "deep",
  pick: "first" | "last" = "first",
): Record<string, string> {
  return Object.fromEntries(
    questionDefinitions(mode).map((
      q,
    ) => [q.id, (pick === "first" ? q.options[0] : q.options.at(-1)!).id]),
  );
}

async function withApp(
  fn: (request: (path: string, init?: RequestInit) => Promise<Response>) => Promise<void>,
) {
  const started = startFunction(calibration, testEnv());
  try {
    await fn((path, init) => Promise.resolve(started.app.request(path, init)));
  } finally {
    await flushBackground();
    await started.close();
  }
}

async function submit(
  request: (path: string, init?: RequestInit) => Promise<Response>,
  user: TestUser,
  body: unknown,
  headers = {},
) {
  const response = await request("/calibration", jsonRequest(user, body, { headers }));
  return { status: response.status, body: await response.json(), headers: response.headers };
}

Deno.test(
  "GET /calibration returns the versioned quick and deep questionnaires",
  dbTest,
  async () => {
    const user = await createTestUser("quiz");
    await withApp(async (request) => {
      const quick = await (await request("/calibration?mode=quick", { headers: user.headers }))
        .json();
      const deep = await (await request("/calibration?mode=deep", { headers: user.headers }))
        .json();
      equal(quick.success, true);
      equal(quick.data.version, QUESTIONNAIRE_VERSION);
      equal(quick.data.questions.length, 5);
      equal(deep.data.questions.length, 12);
      const option = quick.data.questions[0].options[0];
      deepEqual(Object.keys(option).sort(), ["id", "label"], "weights are internal and never sent");
    });
  },
);

Deno.test("GET /calibration rejects an unknown mode with 400", dbTest, async () => {
  const user = await createTestUser("quiz");
  await withApp(async (request) => {
    const response = await request("/calibration?mode=extreme", { headers: user.headers });
    equal(response.status, 400);
    equal((await response.json()).error.code, "validation_failed");
  });
});

Deno.test(
  "POST /calibration stores ranges within bounds, an audit event and telemetry, all with one correlation id",
  dbTest,
  async () => {
    const user = await createTestUser("calibrator");
    const correlationId = crypto.randomUUID();
    await withApp(async (request) => {
      const { status, body, headers } = await submit(request, user, {
        mode: "deep",
        answers: answersFor("deep"),
      }, {
        "x-correlation-id": correlationId,
      });
      equal(status, 201);
      equal(headers.get("x-correlation-id"), correlationId);
      equal(body.correlationId, correlationId);
      const result = body.data;
      equal(result.mode, "deep");
      equal(result.questionnaireVersion, QUESTIONNAIRE_VERSION);
      for (const name of PARAMETER_NAMES) {
        const range = result.ranges[name];
        assert(
          range.min >= PARAMETER_BOUNDS[name].min && range.max <= PARAMETER_BOUNDS[name].max,
          `${name} in bounds`,
        );
        assert(range.min <= range.max, `${name} min <= max`);
      }
      assert(result.insights.length >= 3, "insights explain the ranges");

      await flushBackground();
      await withAdmin(async (sql) => {
        const [row] =
          await sql`select user_id, mode, temperature_min::float8 as tmin, correlation_id from public.calibrations where id = ${result.id}`;
        equal(row.user_id, user.id);
        equal(row.tmin, result.ranges.temperature.min);
        equal(row.correlation_id, correlationId);
        const audit =
          await sql`select event_type, user_id, source, event_data->>'calibrationId' as calibration_id
                                from public.audit_logs where correlation_id = ${correlationId}`;
        deepEqual(audit.map((a) => [a.event_type, a.user_id, a.source, a.calibration_id]), [
          ["calibration_completed", user.id, "server", result.id],
        ]);
        const metrics =
          await sql`select route, method, status_code, user_id from public.system_metrics where correlation_id = ${correlationId}`;
        deepEqual(metrics.map((m) => [m.route, m.method, m.status_code, m.user_id]), [[
          "/calibration",
          "POST",
          201,
          user.id,
        ]]);
      });
    });
  },
);

Deno.test("a calibration is visible to its owner only", dbTest, async () => {
  const [owner, stranger] = [await createTestUser("owner"), await createTestUser("stranger")];
  await withApp(async (request) => {
    const { body } = await submit(request, owner, { mode: "quick", answers: answersFor("quick") });
    const started = startFunction(calibration, testEnv());
    try {
      const seen = (user: TestUser) =>
        started.runtime.db.withUser(
          { claims: { sub: user.id, role: "authenticated" }, correlationId: crypto.randomUUID() },
          (tx) => tx`select id from public.calibrations where id = ${body.data.id}`,
        );
      equal((await seen(owner)).length, 1);
      equal((await seen(stranger)).length, 0);
    } finally {
      await started.close();
    }
  });
});

Deno.test(
  "POST /calibration answers 400 naming the question for unknown options and missing answers",
  dbTest,
  async () => {
    const user = await createTestUser("careless");
    await withApp(async (request) => {
      const answers = answersFor("quick");
      const [first, second] = Object.keys(answers);
      const unknown = await submit(request, user, {
        mode: "quick",
        answers: { ...answers, [first]: "nope" },
      });
      equal(unknown.status, 400);
      equal(unknown.body.error.code, "invalid_answers");
      assert(unknown.body.error.message.includes(first), unknown.body.error.message);

      const { [second]: _dropped, ...missing } = answers;
      const incomplete = await submit(request, user, { mode: "quick", answers: missing });
      equal(incomplete.status, 400);
      assert(
        incomplete.body.error.details.some((p: { questionId: string }) => p.questionId === second),
      );
    });
  },
);

Deno.test(
  "POST /calibration rejects bad bodies with 400, 413 and 415, storing nothing",
  dbTest,
  async () => {
    const user = await createTestUser("sloppy");
    await withApp(async (request) => {
      const invalidJson = await request("/calibration", jsonRequest(user, "{not json"));
      equal(invalidJson.status, 400);
      equal((await invalidJson.json()).error.code, "invalid_json");

      const wrongType = await request("/calibration", {
        method: "POST",
        headers: { ...user.headers, "content-type": "text/plain" },
        body: "mode=quick",
      });
      equal(wrongType.status, 415);
      await wrongType.body?.cancel();

      const huge = await request(
        "/calibration",
        jsonRequest(user, { mode: "quick", answers: {}, pad: "x".repeat(2_000_000) }),
      );
      equal(huge.status, 413);
      await huge.body?.cancel();
    });
    await withAdmin(async (sql) => {
      const [{ count }] =
        await sql`select count(*)::int as count from public.calibrations where user_id = ${user.id}`;
      equal(count, 0);
    });
  },
);

Deno.test(
  "requests without a user token are refused: 401 without one, 403 with the anon key",
  dbTest,
  async () => {
    await withApp(async (request) => {
      const missing = await request("/calibration?mode=quick");
      equal(missing.status, 401);
      equal((await missing.json()).error.code, "missing_token");
      const anon = await request("/calibration?mode=quick", {
        headers: { authorization: `Bearer ${LOCAL_ANON_KEY}` },
      });
      equal(anon.status, 403);
      equal((await anon.json()).error.code, "user_token_required");
    });
  },
);

Deno.test(
  "a failed request leaves a request_failed audit event with its code and route",
  dbTest,
  async () => {
    const user = await createTestUser("failing");
    const correlationId = crypto.randomUUID();
    await withApp(async (request) => {
      const response = await request(
        "/calibration",
        jsonRequest(user, { mode: "quick", answers: { x: "y" } }, {
          headers: { "x-correlation-id": correlationId },
        }),
      );
      equal(response.status, 400);
      await response.body?.cancel();
    });
    await withAdmin(async (sql) => {
      const rows = await sql`select user_id, event_data from public.audit_logs
                            where correlation_id = ${correlationId} and event_type = 'request_failed'`;
      equal(rows.length, 1);
      equal(rows[0].user_id, user.id);
      deepEqual(rows[0].event_data, {
        code: "invalid_answers",
        status: 400,
        route: "/calibration",
        method: "POST",
      });
    });
  },
);

Deno.test("an unreachable database answers 503 database_unavailable", {
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const user = { headers: { authorization: "" } };
  const started = startFunction(calibration, {
    ...testEnv({ SUPABASE_DB_URL: "postgresql://lab_postgres@127.0.0.1:1/nowhere" }),
  });
  try {
    const { mintAccessToken } = await import("../../../scripts/lib/local_auth.ts");
    user.headers.authorization = `Bearer ${await mintAccessToken(crypto.randomUUID())}`;
    const response = await started.app.request("/calibration", {
      method: "POST",
      headers: { ...user.headers, "content-type": "application/json" },
      body: JSON.stringify({ mode: "quick", answers: answersFor("quick") }),
    });
    equal(response.status, 503);
    const body = await response.json();
    equal(body.error.code, "database_unavailable");
    equal(JSON.stringify(body).includes("127.0.0.1"), false, "no connection details leak");
  } finally {
    await flushBackground();
    await started.close();
  }
});

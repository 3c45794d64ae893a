/**
 * The health function in-process (`app.request`) against the real test
 * database, with the model and Storage probes replaced where a test needs
 * them to fail: liveness, who may see readiness, and what it says.
 */
import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { flushBackground } from "../_shared/background.ts";
import { readEnv } from "../_shared/env.ts";
import { createRuntime } from "../_shared/runtime.ts";
import { createTestUser, dbTest, testEnv } from "../tests/harness.ts";
import { createHealthApp, type HealthAppOptions, healthEnvSchema } from "./app.ts";

async function withApp(
  options: HealthAppOptions & { env?: Record<string, string> },
  fn: (request: (path: string, init?: RequestInit) => Promise<Response>) => Promise<void>,
) {
  const runtime = createRuntime(readEnv(healthEnvSchema, testEnv(options.env)));
  const app = createHealthApp(runtime, options);
  try {
    await fn((path, init) => Promise.resolve(app.request(path, init)));
  } finally {
    await flushBackground();
    await runtime.db.end();
  }
}

const answers = (value: boolean) => () => () => Promise.resolve(value);

Deno.test("GET /health answers liveness without a token, and nothing more", dbTest, async () => {
  await withApp({ model: null }, async (request) => {
    const response = await request("/health");
    equal(response.status, 200);
    const body = await response.json();
    deepEqual(body.data, { status: "ok" });
  });
});

Deno.test("GET /health/ready needs a token, then the admin role", dbTest, async () => {
  const user = await createTestUser("not-admin");
  await withApp({ model: null, storage: answers(true) }, async (request) => {
    const anonymous = await request("/health/ready");
    equal(anonymous.status, 401);
    equal((await anonymous.json()).error.code, "missing_token");

    const forbidden = await request("/health/ready", { headers: user.headers });
    equal(forbidden.status, 403);
    equal((await forbidden.json()).error.code, "admin_required");
  });
});

Deno.test("GET /health/ready tells an admin every dependency answers", dbTest, async () => {
  const admin = await createTestUser("ready-admin", { admin: true });
  await withApp({ model: () => Promise.resolve(true), storage: answers(true) }, async (request) => {
    const response = await request("/health/ready", { headers: admin.headers });
    equal(response.status, 200);
    equal(response.headers.get("cache-control"), "no-store");
    const { data } = await response.json();
    equal(data.status, "ready");
    const { jobs, ...others } = data.checks;
    deepEqual(others, {
      database: { status: "ok", migrated: true },
      model: { status: "ok" },
      storage: { status: "ok" },
    });
    // Other tests share the database, so only the shape of the backlog is fixed.
    equal(jobs.status, "ok");
    equal(typeof jobs.queued, "number");
  });
});

Deno.test(
  "GET /health/ready reports a failing model endpoint and a Storage that never answers",
  dbTest,
  async () => {
    const admin = await createTestUser("degraded-admin", { admin: true });
    const never = () => () => new Promise<boolean>(() => {});
    await withApp(
      { model: () => Promise.resolve(false), storage: never, env: { LAB_HEALTH_TIMEOUT_MS: "50" } },
      async (request) => {
        const { data } = await (await request("/health/ready", { headers: admin.headers })).json();
        equal(data.status, "not_ready");
        equal(data.checks.model.status, "failing");
        equal(data.checks.storage.status, "failing");
      },
    );
  },
);

Deno.test(
  "GET /health/ready reports an unreachable database without saying where it is",
  dbTest,
  async () => {
    const admin = await createTestUser("db-down-admin", { admin: true });
    const unreachable = "postgresql://lab_postgres@127.0.0.1:1/lab";
    await withApp(
      { model: null, storage: answers(true), env: { SUPABASE_DB_URL: unreachable } },
      async (request) => {
        const response = await request("/health/ready", { headers: admin.headers });
        const text = await response.text();
        const { data } = JSON.parse(text);
        equal(data.status, "not_ready");
        deepEqual(data.checks.database, { status: "failing", migrated: false });
        equal(
          data.checks.model.status,
          "absent",
          "no key configured: the model check is absent, not failing",
        );
        for (
          const leak of ["127.0.0.1", "lab_postgres", "postgres", "ECONNREFUSED", "Deno", "version"]
        ) {
          assert(!text.includes(leak), `the answer does not mention ${leak}`);
        }
      },
    );
  },
);

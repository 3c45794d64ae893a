/**
 * The worker function in-process against the real test database: only the
 * service-role key may call it; `?wait=true` works ready jobs and says
 * what it did; a plain call answers 202 at once and works in the background.
 */
import { deepEqual, equal } from "node:assert/strict";
import { flushBackground } from "../_shared/background.ts";
import { createDatabase } from "../_shared/db/client.ts";
import { enqueueJob } from "../_shared/jobs/queue.ts";
import { stepsHandler } from "../_shared/jobs/test_steps.ts";
import { createRuntime } from "../_shared/runtime.ts";
import { readEnv } from "../_shared/env.ts";
import { createTestUser, databaseUrl, dbTest, testEnv, withAdmin } from "../tests/harness.ts";
import { mintApiKey } from "../../../scripts/lib/local_auth.ts";
import { createWorkerApp } from "./app.ts";
import { workerEnvSchema } from "./env.ts";

async function withWorker(
  fn: (request: (init?: RequestInit, query?: string) => Promise<Response>) => Promise<void>,
) {
  const runtime = createRuntime(readEnv(workerEnvSchema, testEnv()));
  const app = createWorkerApp(runtime, {
    handlers: [stepsHandler(runtime.db, { kind: "worker_steps" })],
  });
  try {
    await fn((init, query = "") =>
      Promise.resolve(app.request(`/worker${query}`, { method: "POST", ...init }))
    );
  } finally {
    await flushBackground();
    await runtime.db.end();
  }
}

async function stepsJob(user: Awaited<ReturnType<typeof createTestUser>>, steps: number) {
  const db = createDatabase(databaseUrl, { max: 1 });
  try {
    const caller = {
      claims: { sub: user.id, role: "authenticated" },
      correlationId: crypto.randomUUID(),
    };
    return (await db.withUser(
      caller,
      (tx) => enqueueJob(tx, { kind: "worker_steps", payload: { steps } }),
    )).id;
  } finally {
    await db.end();
  }
}

const statusOf = (id: string) =>
  withAdmin((sql) => sql<{ status: string }[]>`select status from public.jobs where id = ${id}`)
    .then((r) => r[0].status);

Deno.test(
  "the worker refuses anyone but the lab: 401 without a token, 403 for a user",
  dbTest,
  async () => {
    const user = await createTestUser("worker-user");
    await withWorker(async (request) => {
      equal((await request()).status, 401);
      const forbidden = await request({ headers: user.headers });
      equal(forbidden.status, 403);
      equal((await forbidden.json()).error.code, "service_role_required");
      const anon = await request({
        headers: { authorization: `Bearer ${await mintApiKey("anon")}` },
      });
      equal(anon.status, 403);
    });
  },
);

Deno.test("POST /worker?wait=true works the ready jobs and reports them", dbTest, async () => {
  const user = await createTestUser("worker-wait");
  const id = await stepsJob(user, 3);
  const key = await mintApiKey("service_role");
  await withWorker(async (request) => {
    const response = await request({ headers: { authorization: `Bearer ${key}` } }, "?wait=true");
    equal(response.status, 200);
    const { data } = await response.json();
    equal(data.succeeded >= 1, true);
    deepEqual(await statusOf(id), "succeeded");
  });
});

Deno.test("POST /worker answers 202 at once and works in the background", dbTest, async () => {
  const user = await createTestUser("worker-async");
  const id = await stepsJob(user, 2);
  const key = await mintApiKey("service_role");
  await withWorker(async (request) => {
    const response = await request({ headers: { authorization: `Bearer ${key}` } });
    equal(response.status, 202);
    deepEqual((await response.json()).data, { accepted: true });
    await flushBackground();
    equal(await statusOf(id), "succeeded");
  });
});

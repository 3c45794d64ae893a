/**
 * The system-metrics function in-process (`app.request`) against the real
 * test database: who may read the figures, that they are percentile_cont's,
 * and that a rollup leaves them as they were.
 */
import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { flushBackground } from "../_shared/background.ts";
import type { RouteMetrics, SystemMetrics } from "../_shared/contracts/operations.ts";
import { startFunction } from "../_shared/runtime.ts";
import { createTestUser, dbTest, testEnv, withAdmin } from "../tests/harness.ts";
import { systemMetrics } from "./app.ts";

async function withApp(
  env: Record<string, string>,
  fn: (request: (path: string, init?: RequestInit) => Promise<Response>) => Promise<void>,
) {
  const started = startFunction(systemMetrics, testEnv(env));
  try {
    await fn((path, init) => Promise.resolve(started.app.request(path, init)));
  } finally {
    await flushBackground();
    await started.close();
  }
}

/** Telemetry rows of a route of its own, `ageMinutes` old, latencies 1..count ms with every tenth a 503. */
async function seedRoute(route: string, count: number, ageMinutes: number): Promise<void> {
  await withAdmin((sql) =>
    sql`insert into public.system_metrics (route, method, status_code, latency_ms, created_at)
        select ${route}, 'POST', case when i % 10 = 0 then 503 else 200 end, (i * 7919) % ${count} + 1,
               now() - make_interval(mins => ${ageMinutes}) - make_interval(secs => i % 50)
          from generate_series(1, ${count}) as i`
  );
}

function routeIn(figures: SystemMetrics, window: string, route: string): RouteMetrics | undefined {
  return figures.windows.find((w) => w.window === window)?.routes.find((r) => r.route === route);
}

Deno.test(
  "GET /system-metrics is for admins: 401 without a token, 403 for a user",
  dbTest,
  async () => {
    const user = await createTestUser("metrics-user");
    await withApp({}, async (request) => {
      equal((await request("/system-metrics")).status, 401);
      const forbidden = await request("/system-metrics", { headers: user.headers });
      equal(forbidden.status, 403);
      equal((await forbidden.json()).error.code, "admin_required");
      const rollup = await request("/system-metrics/rollup", {
        method: "POST",
        headers: user.headers,
      });
      equal(rollup.status, 403);
    });
  },
);

Deno.test(
  "GET /system-metrics gives an admin percentile_cont's latencies and the error rate per route",
  dbTest,
  async () => {
    const admin = await createTestUser("metrics-admin", { admin: true });
    const route = `/t-${crypto.randomUUID().slice(0, 8)}`;
    await seedRoute(route, 250, 5);
    const [expected] = await withAdmin((sql) =>
      sql<{ p50: number; p95: number; p99: number }[]>`
      select percentile_cont(0.5) within group (order by latency_ms) as p50,
             percentile_cont(0.95) within group (order by latency_ms) as p95,
             percentile_cont(0.99) within group (order by latency_ms) as p99
        from public.system_metrics where route = ${route}`
    );
    await withApp({}, async (request) => {
      const response = await request("/system-metrics", { headers: admin.headers });
      equal(response.status, 200);
      const { data } = await response.json() as { data: SystemMetrics };
      deepEqual(data.windows.map((w) => w.window), ["hour", "day", "week"]);
      const figures = routeIn(data, "hour", route)!;
      deepEqual(
        { p50: figures.p50Ms, p95: figures.p95Ms, p99: figures.p99Ms },
        { p50: expected.p50, p95: expected.p95, p99: expected.p99 },
      );
      equal(figures.requests, 250);
      deepEqual(figures.statusClasses, { "2xx": 225, "3xx": 0, "4xx": 0, "5xx": 25 });
      equal(figures.errorRate, 0.1);

      const one = await (await request("/system-metrics?window=day", { headers: admin.headers }))
        .json();
      deepEqual(one.data.windows.map((w: { window: string }) => w.window), ["day"]);
      const bad = await request("/system-metrics?window=year", { headers: admin.headers });
      equal(bad.status, 400);
    });
  },
);

Deno.test(
  "POST /system-metrics/rollup folds old rows and the week's figures stay the same",
  dbTest,
  async () => {
    const admin = await createTestUser("rollup-admin", { admin: true });
    const route = `/t-${crypto.randomUUID().slice(0, 8)}`;
    await seedRoute(route, 400, 3 * 24 * 60);
    await withApp({ LAB_TELEMETRY_RETENTION_DAYS: "1" }, async (request) => {
      const week = async () => {
        const { data } =
          await (await request("/system-metrics?window=week", { headers: admin.headers })).json();
        return routeIn(data, "week", route);
      };
      const before = await week();
      equal(before?.requests, 400);

      const response = await request("/system-metrics/rollup", {
        method: "POST",
        headers: admin.headers,
      });
      equal(response.status, 200);
      const { data: result, correlationId } = await response.json();
      assert(result.rolledUp >= 400, "at least this route's rows were rolled up");
      equal(result.keepDays, 1);

      const [left] = await withAdmin((sql) =>
        sql<{ raw: number; rolled: number }[]>`
        select (select count(*)::int from public.system_metrics where route = ${route}) as raw,
               (select sum(request_count)::int from public.system_metrics_rollups where route = ${route}) as rolled`
      );
      deepEqual(left, { raw: 0, rolled: 400 });
      deepEqual(await week(), before);

      const [audit] = await withAdmin((sql) =>
        sql<{ user_id: string }[]>`
        select user_id from public.audit_logs
         where event_type = 'telemetry_rolled_up' and correlation_id = ${correlationId}`
      );
      equal(audit?.user_id, admin.id, "the rollup is audited under the admin who ran it");
    });
  },
);

Deno.test(
  "GET /system-metrics counts jobs by kind: ended, failed share, waiting",
  dbTest,
  async () => {
    const admin = await createTestUser("metrics-jobs-admin", { admin: true });
    const owner = await createTestUser("metrics-jobs-owner");
    const kind = `probe_${crypto.randomUUID().slice(0, 8).replace(/-/g, "")}`;
    // Three jobs of a kind of their own: one succeeded, one failed, one still queued.
    await withAdmin(async (sql) => {
      const ids = await sql<{ id: string }[]>`
      select private.enqueue_job(${kind}, '{}'::jsonb, null, null, 1, ${owner.id}::uuid) as id
        from generate_series(1, 3)`;
      for (const [i, { id }] of ids.slice(0, 2).entries()) {
        const [claim] = await sql<{ token: string }[]>`
        select private.claim_job(60, 10, ${
          sql.json([kind])
        }, ${id}::uuid) ->> 'lease_token' as token`;
        await sql`select private.settle_job(${id}::uuid, ${claim.token}::uuid, ${
          i === 0 ? "succeeded" : "failed"
        },
                                          null, ${i === 0 ? null : "It broke"})`;
      }
    });
    await withApp({}, async (request) => {
      const { data } =
        await (await request("/system-metrics?window=hour", { headers: admin.headers }))
          .json() as { data: SystemMetrics };
      const jobs = data.windows[0].jobs.find((figures) => figures.kind === kind);
      deepEqual(
        { ...jobs, p50Seconds: typeof jobs?.p50Seconds, p95Seconds: typeof jobs?.p95Seconds },
        {
          kind,
          succeeded: 1,
          failed: 1,
          cancelled: 0,
          failureRate: 0.5,
          p50Seconds: "number",
          p95Seconds: "number",
          queued: 1,
          running: 0,
        },
      );
    });
  },
);

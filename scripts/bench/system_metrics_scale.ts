/**
 * BENCH item 6: system-metrics over a week of telemetry (10 M rows in the
 * full run). The figure: `private.route_latency_stats` for the week window
 * as an admin (RLS on, exact percentiles over raw rows and rollups). Floor:
 * the same percentile_cont query on a bare copy of the same rows (no RLS, no
 * rollups), timed in alternating rounds so both see the same noise. Also the
 * whole answer (three windows and the model figures) and the rollup of one
 * day's rows, figures to watch.
 *
 * @module
 */
import postgres from "postgres";
import type { DatabaseTarget } from "../lib/database.ts";
import type { BenchPlan } from "./options.ts";
import type { Figure } from "./report.ts";
import { quantile } from "./stats.ts";

const ITEM = "7 system-metrics at scale";
const ROUTES = [
  "/generate",
  "/calibration",
  "/exports",
  "/exports/:id",
  "/health",
  "/system-metrics",
];
const ADMIN_CLAIMS = JSON.stringify({
  sub: "00000000-0000-4000-8000-0000000000ad",
  role: "authenticated",
  user_role: "admin",
});

const FLOOR_QUERY = `
  select route, method, count(*) as requests,
         percentile_cont(array[0.5, 0.95, 0.99]) within group (order by latency_ms) as percentiles,
         count(*) filter (where status_code >= 500) as server_errors
    from bench_bare_metrics
   where created_at >= date_trunc('minute', now() - interval '7 days')
   group by 1, 2`;

/** Times one statement as the admin (role authenticated, admin claims), in ms. */
async function timedAsAdmin(sql: postgres.Sql, text: string): Promise<number> {
  return await sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${ADMIN_CLAIMS}, true)`;
    const started = performance.now();
    await tx.unsafe(text);
    return performance.now() - started;
  }) as number;
}

async function timed(sql: postgres.Sql, text: string): Promise<number> {
  const started = performance.now();
  await sql.unsafe(text);
  return performance.now() - started;
}

/** Seeds `rows` requests over the last week: six routes, long-tailed latencies, 2 % 5xx, 5 % 4xx. */
async function seed(sql: postgres.Sql, rows: number, log: (line: string) => void): Promise<number> {
  const started = performance.now();
  const chunk = 1_000_000;
  for (let done = 0; done < rows; done += chunk) {
    const n = Math.min(chunk, rows - done);
    await sql.unsafe(`
      insert into public.system_metrics (route, method, status_code, latency_ms, created_at)
      select (array[${ROUTES.map((r) => `'${r}'`).join(", ")}])[1 + (i % ${ROUTES.length})],
             case when i % ${ROUTES.length} in (0, 2) then 'POST' else 'GET' end,
             case when i % 50 = 0 then 502 when i % 20 = 0 then 400 else 200 end,
             floor(5 + 40 * exp(random() * 3))::int,
             now() - random() * interval '7 days'
        from generate_series(${done + 1}, ${done + n}) as i`);
  }
  await sql.unsafe(`create table bench_bare_metrics as
                      select route, method, status_code, latency_ms, created_at from public.system_metrics`);
  await sql.unsafe(`create index on bench_bare_metrics (created_at)`);
  await sql.unsafe(`vacuum analyze public.system_metrics`);
  await sql.unsafe(`vacuum analyze bench_bare_metrics`);
  const seconds = (performance.now() - started) / 1000;
  log(`seeded ${rows} telemetry rows and their bare copy in ${seconds.toFixed(0)} s`);
  return seconds;
}

/**
 * Runs item 6 in `target` (a throwaway database).
 *
 * @example
 * const { figures } = await benchSystemMetrics(target, plan.metrics, console.log);
 */
export async function benchSystemMetrics(
  target: DatabaseTarget,
  options: BenchPlan["metrics"],
  log: (line: string) => void,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const sql = postgres(target.adminUrl, { max: 1, onnotice: () => {} });
  try {
    const seedSeconds = await seed(sql, options.rows, log);
    const week = `select * from private.route_latency_stats(now() - interval '7 days')`;
    const whole =
      `select (select count(*) from private.route_latency_stats(now() - interval '1 hour')),
                          (select count(*) from private.route_latency_stats(now() - interval '1 day')),
                          (select count(*) from private.route_latency_stats(now() - interval '7 days')),
                          (select count(*) from private.model_call_stats(now() - interval '7 days'))`;
    await timedAsAdmin(sql, week); // warm the cache for both
    await timed(sql, FLOOR_QUERY);
    const stats: number[] = [];
    const floor: number[] = [];
    const answers: number[] = [];
    for (let round = 0; round < options.repetitions; round++) {
      stats.push(await timedAsAdmin(sql, week));
      floor.push(await timed(sql, FLOOR_QUERY));
      answers.push(await timedAsAdmin(sql, whole));
      log(
        `round ${round + 1}: stats ${stats.at(-1)!.toFixed(0)} ms, floor ${
          floor.at(-1)!.toFixed(0)
        } ms`,
      );
    }
    // One day's rows: keep six days raw, roll up the oldest day.
    const [{ day }] = await sql<{ day: number }[]>`
      select count(*)::int as day from public.system_metrics
       where created_at < date_trunc('minute', now() - interval '6 days')`;
    const rollupMs = await timed(
      sql,
      `select private.rollup_system_metrics(interval '6 days', interval '90 days')`,
    );
    const [{ buckets }] = await sql<{ buckets: number }[]>`
      select count(*)::int as buckets from public.system_metrics_rollups`;
    const after = await timedAsAdmin(sql, week);
    log(
      `rollup of ${day} rows into ${buckets} buckets: ${
        rollupMs.toFixed(0)
      } ms; week stats after: ${after.toFixed(0)} ms`,
    );

    const size = `${(options.rows / 1e6).toFixed(options.rows < 1e6 ? 1 : 0)} M rows`;
    const bar = { kind: "ratio_max" as const, limit: 1.5 };
    const figures: Figure[] = [
      {
        item: ITEM,
        name: `week p50, ${size}`,
        value: quantile(stats, 0.5),
        unit: "ms",
        floor: { name: "percentile_cont on a bare table, p50", value: quantile(floor, 0.5) },
        bar,
      },
      {
        item: ITEM,
        name: `week p99, ${size}`,
        value: quantile(stats, 0.99),
        unit: "ms",
        floor: { name: "percentile_cont on a bare table, p99", value: quantile(floor, 0.99) },
        bar,
      },
      {
        item: ITEM,
        name: `whole answer (3 windows + models) p50, ${size}`,
        value: quantile(answers, 0.5),
        unit: "ms",
        note: "figure to watch",
      },
      {
        item: ITEM,
        name: `rollup of one day (${day} rows)`,
        value: rollupMs,
        unit: "ms",
        note: `${buckets} buckets; figure to watch`,
      },
    ];
    return {
      figures,
      details: { rows: options.rows, seedSeconds, stats, floor, answers, rollupMs, day, buckets },
    };
  } finally {
    await sql.end();
  }
}

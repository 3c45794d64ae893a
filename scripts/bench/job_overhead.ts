/**
 * BENCH item 8: what the job queue costs.
 *
 * - Start latency: with the worker function idle (served in-process over
 *   HTTP), the time from a job's commit to its handler starting, when the
 *   creating code wakes the worker as the functions do (`wakeWorker`).
 * - Throughput of trivial jobs worked by one worker loop (claim, run,
 *   settle), against a floor measured in the same run: a bare SQL
 *   claim-and-complete loop, one statement each, on the same table (so the
 *   same indexes and the same audit and broadcast triggers fire). Bar: ≥
 *   0.5× the floor's jobs/s. For scale, the same bare loop on a copy of the
 *   table without its triggers (`like public.jobs including all`) shows
 *   what auditing and broadcasting every transition cost.
 *
 * @module
 */
import postgres from "postgres";
import { flushBackground } from "../../supabase/functions/_shared/background.ts";
import { createDatabase, type Database } from "../../supabase/functions/_shared/db/client.ts";
import { readEnv } from "../../supabase/functions/_shared/env.ts";
import { startBudget } from "../../supabase/functions/_shared/jobs/budget.ts";
import type { JobHandler } from "../../supabase/functions/_shared/jobs/handler.ts";
import { enqueueJob } from "../../supabase/functions/_shared/jobs/queue.ts";
import { createJobRunner, workJobs } from "../../supabase/functions/_shared/jobs/runner.ts";
import { wakeWorker } from "../../supabase/functions/_shared/jobs/wake.ts";
import { createRuntime } from "../../supabase/functions/_shared/runtime.ts";
import { createWorkerApp } from "../../supabase/functions/worker/app.ts";
import { workerEnvSchema } from "../../supabase/functions/worker/env.ts";
import type { DatabaseTarget } from "../lib/database.ts";
import {
  ensureLocalUser,
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
  mintApiKey,
} from "../lib/local_auth.ts";
import type { Figure } from "./report.ts";
import { median, summarize, throughput } from "./stats.ts";

/** Sizes of item 8. */
export interface JobsPlan {
  /** Jobs created one after another for the start latency. */
  latencySamples: number;
  /** Trivial jobs per throughput run, and runs (median). */
  throughputJobs: number;
  repetitions: number;
}

const NOOP: JobHandler = {
  kind: "bench_noop",
  runSlice: () => Promise.resolve({ kind: "succeeded", result: null }),
};

/**
 * Runs item 8.
 *
 * @example
 * const { figures } = await benchJobs(target, { latencySamples: 50, throughputJobs: 500, repetitions: 3 }, console.log);
 */
export async function benchJobs(
  target: DatabaseTarget,
  plan: JobsPlan,
  log: (line: string) => void,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const userId = await ensureLocalUser(target.appUrl, "bench-jobs@lab.local");
  const caller = {
    claims: { sub: userId, role: "authenticated" },
    correlationId: crypto.randomUUID(),
  };
  const db = createDatabase(target.appUrl, { max: 4 });
  try {
    const latency = await startLatency(target, db, caller, plan.latencySamples);
    const summary = summarize(latency);
    log(
      `  create -> start, idle worker woken: p50 ${summary.p50.toFixed(1)} ms, p99 ${
        summary.p99.toFixed(1)
      } ms`,
    );

    const lab: number[] = [];
    const floor: number[] = [];
    const bare: number[] = [];
    for (let run = 0; run < plan.repetitions; run++) {
      lab.push(await labThroughput(db, caller, plan.throughputJobs));
      floor.push(await floorThroughput(target.appUrl, userId, plan.throughputJobs));
      bare.push(
        await floorThroughput(target.appUrl, userId, plan.throughputJobs, {
          withoutTriggers: true,
        }),
      );
      log(
        `  run ${run + 1}: lab ${lab.at(-1)!.toFixed(0)} jobs/s, bare SQL loop ${
          floor.at(-1)!.toFixed(0)
        } jobs/s, ` +
          `without triggers ${bare.at(-1)!.toFixed(0)} jobs/s`,
      );
    }
    const labRate = median(lab);
    const floorFigure = {
      name: "bare SQL claim-and-complete loop, same table",
      value: median(floor),
    };
    return {
      figures: [
        {
          item: "8 jobs",
          name: "create -> start p50 (idle worker, woken)",
          value: summary.p50,
          unit: "ms",
        },
        {
          item: "8 jobs",
          name: "create -> start p99 (idle worker, woken)",
          value: summary.p99,
          unit: "ms",
        },
        {
          item: "8 jobs",
          name: `trivial-job throughput, one worker (${plan.throughputJobs} jobs)`,
          value: labRate,
          unit: "jobs/s",
          floor: floorFigure,
          bar: { kind: "ratio_min", limit: 0.5 },
        },
        {
          item: "8 jobs",
          name: "bare SQL loop without the audit and broadcast triggers",
          value: median(bare),
          unit: "jobs/s",
          note: "what auditing and broadcasting every transition cost",
        },
      ],
      details: { latencyMs: summary, throughput: { lab, floor, withoutTriggers: bare } },
    };
  } finally {
    await db.end();
  }
}

/** Creates jobs one at a time, each waking an idle worker served over HTTP; the handler notes when it starts. */
async function startLatency(
  target: DatabaseTarget,
  db: Database,
  caller: { claims: Record<string, unknown>; correlationId: string },
  samples: number,
): Promise<number[]> {
  const started = new Map<string, number>();
  const serviceKey = await mintApiKey("service_role");
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (request) => {
    // The gateway's path prefix, as wakeWorker calls it.
    const url = new URL(request.url);
    url.pathname = url.pathname.replace(/^\/functions\/v1/, "");
    return app.fetch(new Request(url, request));
  });
  const url = `http://127.0.0.1:${server.addr.port}`;
  const env = readEnv(workerEnvSchema, {
    SUPABASE_URL: url,
    SUPABASE_DB_URL: target.appUrl,
    SUPABASE_JWT_SECRET: LOCAL_JWT_SECRET,
    SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
    SUPABASE_SERVICE_ROLE_KEY: serviceKey,
    LAB_DB_POOL_SIZE: "4",
  });
  const runtime = createRuntime(env);
  const app = createWorkerApp(runtime, {
    handlers: [{
      kind: "bench_start",
      runSlice: (context) => {
        started.set(context.job.id, performance.now());
        return Promise.resolve({ kind: "succeeded", result: null });
      },
    }],
  });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const { id } = await db.withUser(
        caller,
        (tx) => enqueueJob(tx, { kind: "bench_start", payload: {} }),
      );
      const committed = performance.now();
      wakeWorker(env);
      while (!started.has(id)) await new Promise((resolve) => setTimeout(resolve, 1));
      latencies.push(started.get(id)! - committed);
    }
  } finally {
    await server.shutdown();
    await flushBackground();
    await runtime.db.end();
  }
  return latencies;
}

/** Jobs/s of one worker loop over `count` ready trivial jobs. */
async function labThroughput(
  db: Database,
  caller: { claims: Record<string, unknown>; correlationId: string },
  count: number,
): Promise<number> {
  await db.withUser(caller, async (tx) => {
    for (let i = 0; i < count; i++) await enqueueJob(tx, { kind: NOOP.kind, payload: {} });
  });
  const runner = createJobRunner(db, [NOOP], { userCap: count });
  const t0 = performance.now();
  const summary = await workJobs(runner, startBudget({ wallMs: 600_000, cpuMs: 600_000 }));
  const elapsed = performance.now() - t0;
  if (summary.succeeded !== count) {
    throw new Error(`Expected ${count} jobs done, got ${summary.succeeded}`);
  }
  return throughput(count, elapsed);
}

/**
 * Jobs/s of a bare claim (skip locked) and complete loop, one statement
 * each, on `public.jobs` itself or, with `withoutTriggers`, on a copy of its
 * shape that has none.
 */
async function floorThroughput(
  databaseUrl: string,
  userId: string,
  count: number,
  options: { withoutTriggers?: boolean } = {},
): Promise<number> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const table = options.withoutTriggers ? "public.bench_jobs_floor" : "public.jobs";
  const kind = `bench_floor_${crypto.randomUUID().slice(0, 8)}`;
  try {
    if (options.withoutTriggers) {
      await sql`drop table if exists public.bench_jobs_floor`;
      await sql`create table public.bench_jobs_floor (like public.jobs including all)`;
    }
    await sql.unsafe(
      `insert into ${table} (user_id, kind) select $1::uuid, $2 from generate_series(1, $3)`,
      [userId, kind, count],
    );
    const claim = `
      update ${table} as j
         set status = 'running', attempts = j.attempts + 1, lease_token = gen_random_uuid(),
             lease_expires_at = now() + interval '60 seconds'
       where j.id = (select c.id from ${table} as c
                      where c.status in ('queued', 'running') and c.kind = $1
                        and (case when c.status = 'queued' then c.run_after else c.lease_expires_at end) <= now()
                      order by (case when c.status = 'queued' then c.run_after else c.lease_expires_at end)
                      limit 1 for update skip locked)
      returning j.id`;
    const complete =
      `update ${table} set status = 'succeeded', lease_token = null, lease_expires_at = null
                       where id = $1`;
    const t0 = performance.now();
    for (;;) {
      const [job] = await sql.unsafe<{ id: string }[]>(claim, [kind], { prepare: true });
      if (!job) break;
      await sql.unsafe(complete, [job.id], { prepare: true });
    }
    const elapsed = performance.now() - t0;
    if (options.withoutTriggers) await sql`drop table public.bench_jobs_floor`;
    return throughput(count, elapsed);
  } finally {
    await sql.end();
  }
}

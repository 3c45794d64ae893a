/**
 * BENCH item 4: export throughput and memory. One user's 10 k and 100 k
 * experiments (4 responses each) exported as CSV and ZIP through
 * `POST /exports`, with the exports function alone in its own process (its
 * peak RSS is read from /proc, one fresh process per size and format) and
 * the Storage stand-in in the stack's process. Floor, same run:
 * `COPY (select … the same rows and columns …) TO STDOUT WITH CSV` as the
 * same user under RLS, streamed through psql and counted (psql rather than
 * postgres.js's COPY stream, which hung the bench on reuse).
 * Bars: ≥ 0.5 × COPY's experiments per second; peak RSS < 200 MB at the
 * largest size, growing sub-linearly with the number of experiments.
 *
 * @module
 */
import postgres from "postgres";
import type { DatabaseTarget } from "../lib/database.ts";
import { LOCAL_ANON_KEY, LOCAL_JWT_SECRET, mintApiKey } from "../lib/local_auth.ts";
import { startChild } from "./child.ts";
import { createBenchUsers, startBenchStack, startModel } from "./fixtures.ts";
import type { BenchPlan } from "./options.ts";
import type { Figure } from "./report.ts";
import { seedUserExperiments } from "./seed.ts";
import { median } from "./stats.ts";

/** The response CSV's rows and columns, in SQL (one row per response). */
const COPY_QUERY = `copy (
  select e.id, e.created_at, e.calibration_id, e.model, e.parameters ->> 'seed', e.parameters ->> 'design', e.prompt,
         e.saved, e.discarded, e.status, r.value ->> 'index', r.value ->> 'status',
         r.value -> 'parameters' ->> 'temperature', r.value -> 'parameters' ->> 'top_p',
         r.value -> 'parameters' ->> 'max_tokens', r.value -> 'parameters' ->> 'frequency_penalty',
         r.value ->> 'finishReason', r.value ->> 'latencyMs', r.value -> 'usage' ->> 'promptTokens',
         r.value -> 'usage' ->> 'completionTokens', r.value -> 'metrics' ->> 'creativity',
         r.value -> 'metrics' ->> 'coherence', r.value -> 'metrics' ->> 'structure',
         r.value -> 'metrics' ->> 'completeness', r.value ->> 'text', r.value -> 'error' ->> 'code'
    from public.experiments e
    cross join lateral jsonb_array_elements(e.responses) with ordinality as r(value, position)
   where not e.discarded
   order by e.created_at, e.id, r.position
) to stdout with (format csv, header true)`;

/** A SQL string literal (bench-made values only). */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Streams the COPY floor as `claims`' user under RLS with psql (libpq, the
 * leanest client there is), counting the bytes; returns milliseconds and bytes.
 */
export async function copyFloor(
  appUrl: string,
  claims: Record<string, unknown>,
): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const psql = new Deno.Command("psql", {
    args: [appUrl, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const script = "begin;\n" +
    `select set_config('role', 'authenticated', true), ` +
    `set_config('request.jwt.claims', ${literal(JSON.stringify(claims))}, true) \\g /dev/null\n` +
    `${COPY_QUERY};\ncommit;\n`;
  const writer = psql.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const errors = new Response(psql.stderr).text();
  let bytes = 0;
  for await (const chunk of psql.stdout) bytes += chunk.length;
  const { code } = await psql.status;
  if (code !== 0) {
    throw new Error(`Cannot run the COPY floor: psql exited ${code}: ${await errors}`);
  }
  await errors;
  return { ms: performance.now() - started, bytes };
}

/**
 * Runs item 4.
 *
 * @example
 * const { figures } = await benchExports(target, plan.exports, console.log);
 */
export async function benchExports(
  target: DatabaseTarget,
  plan: BenchPlan["exports"],
  log: (line: string) => void,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const [user] = await createBenchUsers(target, {
    prefix: "exports",
    count: 1,
    maxTokens: [32, 64],
  });
  const claims = { sub: user.id, role: "authenticated", aud: "authenticated", email: user.email };
  const admin = postgres(target.adminUrl, { max: 1, onnotice: () => {} });
  const serviceKey = await mintApiKey("service_role");
  const model = await startModel(0);
  const stack = await startBenchStack(target, model.info.url);
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  const rss: Record<string, number[]> = {};
  try {
    let seeded = 0;
    for (const size of plan.sizes) {
      await seedUserExperiments(admin, {
        userId: user.id,
        calibrationId: user.calibrationId,
        from: seeded,
        total: size,
      });
      seeded = size;
      await copyFloor(target.appUrl, claims); // warm the cache the same way for both
      const copies: number[] = [];
      for (let rep = 0; rep < plan.repetitions; rep++) {
        copies.push((await copyFloor(target.appUrl, claims)).ms);
      }
      const copyMs = median(copies);
      const copyRate = (size * 1000) / copyMs;
      log(
        `  ${size.toLocaleString("en-US")} experiments: COPY ${copyMs.toFixed(0)} ms (${
          copyRate.toFixed(0)
        } experiments/s)`,
      );
      for (const format of plan.formats) {
        const fn = await startChild<{ url: string }>("scripts/bench/serve_function.ts", {
          args: ["--name", "exports"],
          env: {
            BENCH_FUNCTION_ENV: JSON.stringify({
              SUPABASE_URL: stack.info.url,
              SUPABASE_DB_URL: target.appUrl,
              SUPABASE_JWT_SECRET: LOCAL_JWT_SECRET,
              SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
              SUPABASE_SERVICE_ROLE_KEY: serviceKey,
              // The whole export within the request, as before exports ran as jobs (item 11 is the job path).
              LAB_EXPORT_INLINE_MS: "600000",
            }),
          },
        });
        try {
          const times: number[] = [];
          let byteSize = 0;
          for (let rep = 0; rep < plan.repetitions; rep++) {
            const started = performance.now();
            const response = await fetch(fn.info.url, {
              method: "POST",
              headers: {
                authorization: `Bearer ${user.token}`,
                "content-type": "application/json",
              },
              body: JSON.stringify({ format }),
              signal: AbortSignal.timeout(300_000),
            });
            const body = await response.json() as {
              data?: { experimentCount: number; byteSize: number };
            };
            times.push(performance.now() - started);
            if (response.status !== 201 || body.data?.experimentCount !== size) {
              throw new Error(
                `POST /exports (${format}, ${size}) answered ${response.status}: ${
                  JSON.stringify(body).slice(0, 300)
                }`,
              );
            }
            byteSize = body.data.byteSize;
          }
          const peakMb = await fn.peakRssMb();
          const ms = median(times);
          const rate = (size * 1000) / ms;
          (rss[format] ??= []).push(peakMb);
          details[`${format}${size}`] = { times, copies, byteSize, peakRssMb: peakMb };
          log(
            `  ${format} export: ${ms.toFixed(0)} ms (${rate.toFixed(0)} experiments/s, ${
              (byteSize / 1e6).toFixed(1)
            } MB), peak RSS ${peakMb.toFixed(0)} MB`,
          );
          const label = `${format.toUpperCase()} export, ${size / 1000} k`;
          figures.push(
            {
              item: "4 exports",
              name: `${label}: throughput`,
              value: rate,
              unit: "experiments/s",
              floor: { name: "COPY to stdout, CSV", value: copyRate },
              bar: { kind: "ratio_min", limit: 0.5 },
            },
            {
              item: "4 exports",
              name: `${label}: peak RSS of the function`,
              value: peakMb,
              unit: "MB",
              ...(size === plan.sizes.at(-1)
                ? { bar: { kind: "value_max" as const, limit: 200 } }
                : {}),
            },
          );
        } finally {
          await fn.stop();
        }
      }
    }
    const growth = plan.sizes.at(-1)! / plan.sizes[0];
    for (const format of plan.formats) {
      const [first, last] = [rss[format][0], rss[format].at(-1)!];
      figures.push({
        item: "4 exports",
        name: `${format.toUpperCase()} peak RSS growth for ${growth}x the experiments`,
        value: last,
        unit: "MB",
        floor: { name: `${plan.sizes[0] / 1000} k`, value: first },
        bar: { kind: "ratio_max", limit: Number(Math.sqrt(growth).toFixed(2)) },
        note: `sub-linear: the ratio must stay under √${growth}`,
      });
    }
  } finally {
    await stack.stop();
    await model.stop();
    await admin.end();
  }
  return { figures, details };
}

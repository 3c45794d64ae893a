/**
 * BENCH item 12: the 100 k CSV and ZIP exports through the job path. Each
 * export is created as `POST /exports` with `Prefer: respond-async` creates
 * it (pipeline.ts, the worker left asleep), then built by the worker
 * function alone in its own process, one `POST /worker?wait=true`
 * invocation after another with the default budget, as Cron or the
 * worker's own wake-up would call it on hosted Supabase. Figures: the
 * highest CPU time of any one invocation (the process's user + system time
 * from /proc around the call, zlib's threads included; bar < 2 s, the
 * hosted limit), the worker's peak RSS (bar < 200 MB), and throughput
 * against the same run's COPY floor (item 4's `COPY … TO STDOUT WITH CSV`
 * through psql): the CSV's bytes per second, and for the ZIP the bytes of
 * package content (its entries, uncompressed) per second, against COPY's
 * bytes per second (bar ≥ 0.5×).
 *
 * @module
 */
import postgres from "postgres";
import { unzipSync } from "fflate";
import { createDatabase } from "../../supabase/functions/_shared/db/client.ts";
import { createJobRunner } from "../../supabase/functions/_shared/jobs/runner.ts";
import { createExport } from "../../supabase/functions/exports/pipeline.ts";
import type { DatabaseTarget } from "../lib/database.ts";
import { LOCAL_ANON_KEY, LOCAL_JWT_SECRET, mintApiKey } from "../lib/local_auth.ts";
import { startChild } from "./child.ts";
import { copyFloor } from "./export_throughput.ts";
import { createBenchUsers, startBenchStack, startModel } from "./fixtures.ts";
import type { BenchPlan } from "./options.ts";
import type { Figure } from "./report.ts";
import { seedUserExperiments } from "./seed.ts";

/** CPU time (user + system) of process `pid` so far, in milliseconds, from /proc. */
async function cpuMsOf(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Sum of the uncompressed sizes of a ZIP's entries, as its manifest lists them (and the manifest). */
function packageContentBytes(zip: Uint8Array): number {
  const entries = unzipSync(zip, { filter: (file) => file.name === "manifest.json" });
  const manifest = JSON.parse(new TextDecoder().decode(entries["manifest.json"])) as {
    files: { bytes: number }[];
  };
  return manifest.files.reduce((n, file) => n + file.bytes, entries["manifest.json"].byteLength);
}

/**
 * Runs item 12.
 *
 * @example
 * const { figures } = await benchExportJobs(target, plan.exportJobs, console.log);
 */
export async function benchExportJobs(
  target: DatabaseTarget,
  plan: BenchPlan["exportJobs"],
  log: (line: string) => void,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const [user] = await createBenchUsers(target, {
    prefix: "export-jobs",
    count: 1,
    maxTokens: [32, 64],
  });
  const claims = { sub: user.id, role: "authenticated", aud: "authenticated", email: user.email };
  const admin = postgres(target.adminUrl, { max: 1, onnotice: () => {} });
  const db = createDatabase(target.appUrl, { max: 2 });
  const serviceKey = await mintApiKey("service_role");
  const model = await startModel(0);
  const stack = await startBenchStack(target, model.info.url);
  // The worker wakes itself through SUPABASE_URL when it hands work on; here the bench's own calls
  // are the only invocations (as Cron's would be), so that wake-up is answered and dropped, and
  // everything else (Storage) passes through to the stack.
  const gateway = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      if (url.pathname.startsWith("/functions/v1/worker")) {
        return new Response(JSON.stringify({ success: true, data: { accepted: true } }), {
          status: 202,
        });
      }
      // Read whole before passing on: Deno's fetch is slow for a streamed request body.
      const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
      return fetch(new URL(url.pathname + url.search, stack.info.url), {
        method: request.method,
        headers: request.headers,
        body,
        redirect: "manual",
      });
    },
  );
  const gatewayUrl = `http://127.0.0.1:${gateway.addr.port}`;
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  try {
    await seedUserExperiments(admin, {
      userId: user.id,
      calibrationId: user.calibrationId,
      from: 0,
      total: plan.size,
    });
    await copyFloor(target.appUrl, claims);
    const floors = [];
    for (let rep = 0; rep < plan.repetitions; rep++) {
      floors.push(await copyFloor(target.appUrl, claims));
    }
    const floor = floors.sort((a, b) => a.ms - b.ms)[Math.floor(floors.length / 2)];
    const copyRate = floor.bytes / (floor.ms / 1000);
    log(`  COPY floor: ${(floor.bytes / 1e6).toFixed(1)} MB in ${floor.ms.toFixed(0)} ms`);
    const size = `${plan.size / 1000} k`;
    for (const format of plan.formats) {
      const worker = await startChild<{ url: string }>("scripts/bench/serve_function.ts", {
        args: ["--name", "worker"],
        env: {
          BENCH_FUNCTION_ENV: JSON.stringify({
            SUPABASE_URL: gatewayUrl,
            SUPABASE_DB_URL: target.appUrl,
            SUPABASE_JWT_SECRET: LOCAL_JWT_SECRET,
            SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
            SUPABASE_SERVICE_ROLE_KEY: serviceKey,
          }),
        },
      });
      try {
        const caller = { userId: user.id, claims, correlationId: crypto.randomUUID() };
        const created = await createExport(
          {
            db,
            storage: { upload: never, createSignedUrl: never, remove: never },
            limits: { maxExperiments: plan.size, urlTtlSeconds: 3600, maxBytes: 524_288_000 },
            jobs: {
              // Asked to respond async, createExport only queues the job: nothing runs it here.
              runner: createJobRunner(db, []),
              inline: { wallMs: 0, cpuMs: 0 },
              wake: () => {},
              failureOf: () => undefined,
            },
          },
          caller,
          { format },
          { respondAsync: true },
        );
        if (created.kind !== "accepted") {
          throw new Error(`Expected a queued export, got ${created.kind}`);
        }
        const { id } = created.details;
        const invocations: { cpuMs: number; wallMs: number }[] = [];
        const started = performance.now();
        for (;;) {
          const cpu0 = await cpuMsOf(worker.pid);
          const t0 = performance.now();
          const response = await fetch(`${worker.info.url}?wait=true`, {
            method: "POST",
            headers: { authorization: `Bearer ${serviceKey}` },
            signal: AbortSignal.timeout(300_000),
          });
          const body = await response.json() as { data?: { claimed: number } };
          invocations.push({
            wallMs: performance.now() - t0,
            cpuMs: (await cpuMsOf(worker.pid)) - cpu0,
          });
          const [row] = await admin<
            { status: string }[]
          >`select status from public.jobs where id = ${id}`;
          if (row.status === "succeeded") break;
          if (row.status === "failed" || row.status === "cancelled" || !response.ok) {
            throw new Error(
              `The ${format} export job ended ${row.status}: ${JSON.stringify(body)}`,
            );
          }
        }
        const totalMs = performance.now() - started;
        const peakMb = await worker.peakRssMb();
        const [file] = await admin<{ storage_path: string; byte_size: number }[]>`
          select storage_path, byte_size::float8 as byte_size from public.experiment_exports where id = ${id}`;
        const object = await fetch(
          `${stack.info.url}/storage/v1/object/exports/${file.storage_path}`,
          { headers: { authorization: `Bearer ${serviceKey}`, apikey: serviceKey } },
        );
        const bytes = new Uint8Array(await object.arrayBuffer());
        const content = format === "zip" ? packageContentBytes(bytes) : bytes.byteLength;
        const rate = content / (totalMs / 1000);
        const maxCpu = invocations.reduce((max, i) => Math.max(max, i.cpuMs), 0);
        details[`${format}${plan.size}`] = {
          invocations: invocations.length,
          totalMs,
          fileBytes: file.byte_size,
          contentBytes: content,
          cpuMs: invocations.map((i) => i.cpuMs),
          peakRssMb: peakMb,
        };
        log(
          `  ${format} export job: ${invocations.length} invocations, ${
            (totalMs / 1000).toFixed(1)
          } s, ${(content / 1e6).toFixed(1)} MB of content (${
            (file.byte_size / 1e6).toFixed(1)
          } MB file), highest CPU ${maxCpu} ms, peak RSS ${peakMb.toFixed(0)} MB`,
        );
        const label = `${format.toUpperCase()} export job, ${size}`;
        figures.push(
          {
            item: "12 export jobs",
            name: `${label}: highest CPU of one worker invocation`,
            value: maxCpu,
            unit: "ms",
            bar: { kind: "value_max", limit: 2000 },
          },
          {
            item: "12 export jobs",
            name: `${label}: peak RSS of the worker`,
            value: peakMb,
            unit: "MB",
            bar: { kind: "value_max", limit: 200 },
          },
          {
            item: "12 export jobs",
            name: `${label}: ${format === "zip" ? "package content" : "file"} throughput`,
            value: rate,
            unit: "bytes/s",
            floor: { name: "COPY to stdout, CSV", value: copyRate },
            bar: { kind: "ratio_min", limit: 0.5 },
          },
        );
      } finally {
        await worker.stop();
      }
    }
  } finally {
    await gateway.shutdown();
    await stack.stop();
    await model.stop();
    await db.end();
    await admin.end();
  }
  return { figures, details };
}

function never(): Promise<never> {
  return Promise.reject(new Error("Not used: the worker builds the export"));
}

/**
 * BENCH item 9: dataset ingest throughput and memory. A CSV of 100 k rows
 * (four columns, every row distinct) is uploaded once to the Storage
 * stand-in; `POST /datasets/:id/versions` (a new version each repetition)
 * starts its ingest job, which the worker function, alone in its own
 * process (its peak RSS read from /proc), works in as many invocations as
 * its budget needs; the time runs from the request to the completed version. Floor, same run: `COPY … FROM STDIN WITH CSV`
 * of the same file through psql into a table of the same shape (the CSV's
 * columns as text). Bars: ≥ 0.3 × COPY's rows per second; peak RSS < 200 MB.
 *
 * @module
 */
import postgres from "postgres";
import type { DatabaseTarget } from "../lib/database.ts";
import { LOCAL_ANON_KEY, mintApiKey } from "../lib/local_auth.ts";
import { createBenchUsers, startBenchFunction, startBenchStack, startModel } from "./fixtures.ts";
import type { BenchPlan } from "./options.ts";
import type { Figure } from "./report.ts";
import { median } from "./stats.ts";

const COLUMNS = ["topic", "tone", "audience", "note"] as const;

/** The bench CSV: a header and `rows` distinct rows, some quoted with a comma inside. */
export function benchCsv(rows: number): string {
  const lines = [COLUMNS.join(",")];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `topic ${i},${i % 2 ? "warm" : "dry"},"readers, group ${i % 97}",` +
        `A short note about item ${i} that reads like a real sentence.`,
    );
  }
  return lines.join("\r\n") + "\r\n";
}

/** COPY of the file into a fresh table of the CSV's shape through psql; milliseconds. */
async function copyFloor(adminUrl: string, file: string): Promise<number> {
  const setup = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await setup.unsafe(
    `drop table if exists bench_ingest_floor;
     create table bench_ingest_floor (${COLUMNS.map((c) => `${c} text`).join(", ")})`,
  );
  await setup.end();
  const started = performance.now();
  const psql = new Deno.Command("psql", {
    args: [
      adminUrl,
      "-X",
      "-q",
      "-v",
      "ON_ERROR_STOP=1",
      "-c",
      "copy bench_ingest_floor from stdin with (format csv, header true)",
    ],
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const source = await Deno.open(file);
  await source.readable.pipeTo(psql.stdin);
  const { code, stderr } = await psql.output();
  if (code !== 0) {
    throw new Error(
      `Cannot run the COPY floor: psql exited ${code}: ${new TextDecoder().decode(stderr)}`,
    );
  }
  return performance.now() - started;
}

/**
 * Runs item 9.
 *
 * @example
 * const { figures } = await benchIngest(target, plan.ingest, console.log);
 */
export async function benchIngest(
  target: DatabaseTarget,
  plan: BenchPlan["ingest"],
  log: (line: string) => void,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const [user] = await createBenchUsers(target, {
    prefix: "ingest",
    count: 1,
    maxTokens: [32, 64],
  });
  const admin = postgres(target.adminUrl, { max: 1, onnotice: () => {} });
  const model = await startModel(0);
  const stack = await startBenchStack(target, model.info.url);
  const file = await Deno.makeTempFile({ prefix: "lab-bench-ingest-", suffix: ".csv" });
  // The datasets function starts the job; the worker, alone in its process, ingests it.
  const fn = await startBenchFunction("datasets", {
    SUPABASE_URL: stack.info.url,
    SUPABASE_DB_URL: target.appUrl,
  });
  const serviceKey = await mintApiKey("service_role");
  const worker = await startBenchFunction("worker", {
    SUPABASE_URL: stack.info.url,
    SUPABASE_DB_URL: target.appUrl,
    SUPABASE_SERVICE_ROLE_KEY: serviceKey,
  });
  try {
    const csv = benchCsv(plan.rows);
    await Deno.writeTextFile(file, csv);
    const path = `${user.id}/bench-${plan.rows}.csv`;
    const uploaded = await fetch(`${stack.info.url}/storage/v1/object/datasets/${path}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${user.token}`,
        apikey: LOCAL_ANON_KEY,
        "content-type": "text/csv",
      },
      body: csv,
    });
    if (!uploaded.ok) {
      throw new Error(`Cannot upload the bench CSV: ${uploaded.status} ${await uploaded.text()}`);
    }
    const [dataset] = await admin<{ id: string }[]>`
      insert into public.datasets (user_id, name) values (${user.id}, ${"bench " + plan.rows})
      returning id`;
    await copyFloor(target.adminUrl, file); // warm the cache the same way for both
    const copies: number[] = [];
    const ingests: number[] = [];
    /** Worker invocations each ingest took (its CPU budget ends each one). */
    const invocations: number[] = [];
    for (let rep = 0; rep < plan.repetitions; rep++) {
      copies.push(await copyFloor(target.adminUrl, file));
      const started = performance.now();
      const response = await fetch(`${fn.info.url}/${dataset.id}/versions`, {
        method: "POST",
        headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
        body: JSON.stringify({ path }),
        signal: AbortSignal.timeout(600_000),
      });
      const body = await response.json() as { data?: { version: { id: string } } };
      if (response.status !== 202 || !body.data) {
        throw new Error(
          `POST /datasets/:id/versions answered ${response.status}: ${
            JSON.stringify(body).slice(0, 300)
          }`,
        );
      }
      // Invocations of the worker one after another, as its own wake-ups would chain them.
      let saved = -1;
      let i = 0;
      for (; i < 1000 && saved < 0; i++) {
        await (await fetch(`${worker.info.url}?wait=true`, {
          method: "POST",
          headers: { authorization: `Bearer ${serviceKey}`, apikey: serviceKey },
          signal: AbortSignal.timeout(600_000),
        })).body?.cancel();
        const [version] = await admin<{ status: string; saved_count: number }[]>`
          select status, saved_count from public.dataset_versions where id = ${body.data.version.id}`;
        if (version.status === "completed") saved = version.saved_count;
      }
      ingests.push(performance.now() - started);
      invocations.push(i);
      if (saved !== plan.rows) {
        throw new Error(`The bench ingest saved ${saved} of ${plan.rows} rows`);
      }
    }
    const peakMb = await worker.peakRssMb();
    const copyRate = (plan.rows * 1000) / median(copies);
    const rate = (plan.rows * 1000) / median(ingests);
    log(
      `  ${plan.rows.toLocaleString("en-US")} rows (${(csv.length / 1e6).toFixed(1)} MB): COPY ${
        median(copies).toFixed(0)
      } ms (${copyRate.toFixed(0)} rows/s), ingest ${median(ingests).toFixed(0)} ms (${
        rate.toFixed(0)
      } rows/s) in ${invocations.join("/")} worker invocations, peak RSS ${peakMb.toFixed(0)} MB`,
    );
    const label = `ingest of a ${plan.rows / 1000} k-row CSV`;
    return {
      figures: [
        {
          item: "9 dataset ingest",
          name: `${label}: throughput`,
          value: rate,
          unit: "rows/s",
          floor: { name: "COPY from stdin, same file", value: copyRate },
          bar: { kind: "ratio_min", limit: 0.3 },
        },
        {
          item: "9 dataset ingest",
          name: `${label}: peak RSS of the worker`,
          value: peakMb,
          unit: "MB",
          bar: { kind: "value_max", limit: 200 },
        },
      ],
      details: {
        rows: plan.rows,
        bytes: csv.length,
        copies,
        ingests,
        invocations,
        peakRssMb: peakMb,
      },
    };
  } finally {
    await fn.stop();
    await worker.stop();
    await stack.stop();
    await model.stop();
    await admin.end();
    await Deno.remove(file).catch(() => {});
  }
}

/**
 * BENCH item 1: what a `POST /generate` with 4 responses costs beyond the
 * model. The offline model answers at once, in its own process; requests go
 * over HTTP through the gateway at concurrency 1 and 8. The stack runs with
 * `LAB_SERVER_TIMING=true`, so each answer says how long its model calls
 * took (the wall time of the concurrent calls); "beyond the model" is each
 * request's latency minus that. Floor, same run and same load: a bare Deno
 * handler that verifies the same JWT and commits one insert of the same row
 * in one transaction (floor_server.ts). Floor and generate runs alternate,
 * and each figure is the median over repetitions. The Server-Timing spans
 * also show where the time goes.
 *
 * @module
 */
import type { DatabaseTarget } from "../lib/database.ts";
import {
  type BenchUser,
  createBenchUsers,
  parseServerTiming,
  postGenerate,
  startBenchStack,
  startFloor,
  startModel,
} from "./fixtures.ts";
import { runLoad } from "./load.ts";
import type { BenchPlan } from "./options.ts";
import type { Figure } from "./report.ts";
import { median, medianOf, summarize, throughput } from "./stats.ts";

const PROMPT = "Explain in two sentences why the sky looks blue at noon and red at sunset.";
const RESPONSES = 4;

/** p50, p99 (ms) and requests per second of one run. */
export interface RunFigures {
  p50: number;
  p99: number;
  rps: number;
}

/** One answered request: its latency and the model time inside it (Server-Timing `model`). */
interface Sample {
  latencyMs: number;
  modelMs: number;
  spans: Record<string, { ms: number; count: number }>;
}

/**
 * Sends request i as user i mod n and records it in `samples`; throws
 * unless the answer is a 2xx.
 */
export function poster(url: string, users: readonly BenchUser[], samples: Sample[]) {
  return async (i: number) => {
    const user = users[i % users.length];
    const { response, latencyMs } = await postGenerate(url, user, {
      prompt: PROMPT,
      numResponses: RESPONSES,
    });
    const spans = parseServerTiming(response.headers.get("server-timing"));
    samples.push({ latencyMs, modelMs: spans.model?.ms ?? 0, spans });
  };
}

/**
 * One load run: latency p50/p99 with and without the model time of each
 * request (what the lab costs beyond the model), and throughput.
 */
async function measureRun(
  url: string,
  users: readonly BenchUser[],
  options: { concurrency: number; requests: number },
): Promise<{ beyond: RunFigures; raw: RunFigures; samples: Sample[] }> {
  const samples: Sample[] = [];
  const result = await runLoad({ ...options, send: poster(url, users, samples) });
  if (result.errors > 0) {
    throw new Error(
      `Cannot measure: ${result.errors} requests failed, first: ${result.firstError}`,
    );
  }
  const rps = throughput(samples.length, result.elapsedMs);
  const raw = summarize(samples.map((s) => s.latencyMs));
  const beyond = summarize(samples.map((s) => s.latencyMs - s.modelMs));
  return {
    beyond: { p50: beyond.p50, p99: beyond.p99, rps },
    raw: { p50: raw.p50, p99: raw.p99, rps },
    samples,
  };
}

/**
 * Runs item 1.
 *
 * @example
 * const { figures } = await benchRequestOverhead(target, plan.overhead, console.log);
 */
export async function benchRequestOverhead(
  target: DatabaseTarget,
  plan: BenchPlan["overhead"],
  log: (line: string) => void,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const users = await createBenchUsers(target, { prefix: "overhead", count: 8, maxTokens: [4, 8] });
  const model = await startModel(0);
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  const item = "1 request overhead";
  const floorName = "bare handler";
  try {
    const stack = await startBenchStack(target, model.info.url, { LAB_SERVER_TIMING: "true" });
    const floor = await startFloor(target, users);
    try {
      const generateUrl = `${stack.info.url}/functions/v1/generate`;
      // Warm both: JIT, connection pools, prepared statements.
      await measureRun(generateUrl, users, { concurrency: 2, requests: 40 });
      await measureRun(floor.info.url, users, { concurrency: 2, requests: 40 });
      const spanSamples: Sample[] = [];
      for (const concurrency of plan.concurrency) {
        const beyond: RunFigures[] = [];
        const raw: RunFigures[] = [];
        const floorRuns: RunFigures[] = [];
        const load = { concurrency, requests: plan.requests };
        const runGenerate = async () => {
          const run = await measureRun(generateUrl, users, load);
          beyond.push(run.beyond);
          raw.push(run.raw);
          if (concurrency === 1) spanSamples.push(...run.samples);
        };
        for (let rep = 0; rep < plan.repetitions; rep++) {
          // Alternate which goes first so a noisy moment hits both alike.
          if (rep % 2 === 1) await runGenerate();
          floorRuns.push((await measureRun(floor.info.url, users, load)).raw);
          if (rep % 2 === 0) await runGenerate();
        }
        const g = medianOf(beyond);
        const r = medianOf(raw);
        const f = medianOf(floorRuns);
        details[`concurrency${concurrency}`] = {
          beyondModel: g,
          withModel: r,
          floor: f,
          runs: { beyond, raw, floorRuns },
        };
        log(
          `  c=${concurrency}: generate beyond the model p50 ${g.p50.toFixed(2)} ms, p99 ${
            g.p99.toFixed(2)
          } ms; ` +
            `with the model p50 ${r.p50.toFixed(2)} ms, ${r.rps.toFixed(0)} req/s; ` +
            `floor p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, ${
              f.rps.toFixed(0)
            } req/s`,
        );
        figures.push(
          {
            item,
            name: `generate beyond the model p50, c=${concurrency}`,
            value: g.p50,
            unit: "ms",
            floor: { name: floorName, value: f.p50 },
            bar: { kind: "ratio_max", limit: 1.5 },
          },
          {
            item,
            name: `generate beyond the model p99, c=${concurrency}`,
            value: g.p99,
            unit: "ms",
            floor: { name: floorName, value: f.p99 },
            bar: { kind: "ratio_max", limit: 2 },
          },
          {
            item,
            name: `generate p50 with the model, c=${concurrency}`,
            value: r.p50,
            unit: "ms",
            floor: { name: floorName, value: f.p50 },
          },
          {
            item,
            name: `generate throughput, c=${concurrency}`,
            value: r.rps,
            unit: "req/s",
            floor: { name: floorName, value: f.rps },
          },
        );
      }
      details.whereTheTimeGoes = whereTheTimeGoes(spanSamples);
      log(
        "  where the time goes inside generate (median per request, c=1; spans of concurrent calls add up):",
      );
      for (
        const [name, span] of Object.entries(
          details.whereTheTimeGoes as ReturnType<typeof whereTheTimeGoes>,
        )
      ) {
        log(
          `    ${name.padEnd(12)} ${span.medianMs.toFixed(3)} ms${
            span.count > 1 ? ` (${span.count}x)` : ""
          }`,
        );
      }
    } finally {
      await floor.stop();
      await stack.stop();
    }
  } finally {
    await model.stop();
  }
  return { figures, details };
}

/** Median duration and count per Server-Timing span, plus the time outside the function. */
function whereTheTimeGoes(
  samples: readonly Sample[],
): Record<string, { medianMs: number; count: number }> {
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.spans)))];
  const result: Record<string, { medianMs: number; count: number }> = {};
  for (const name of names) {
    const present = samples.filter((s) => s.spans[name]);
    result[name] = {
      medianMs: median(present.map((s) => s.spans[name].ms)),
      count: median(present.map((s) => s.spans[name].count)),
    };
  }
  const outside = samples.filter((s) => s.spans.total).map((s) => s.latencyMs - s.spans.total.ms);
  if (outside.length) result["http+gateway"] = { medianMs: median(outside), count: 1 };
  return result;
}

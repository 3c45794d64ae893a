/**
 * BENCH item 2: model latency is overlapped, not added. The offline model
 * answers after a fixed delay (200 ms) in its own process; `POST /generate`
 * with N = 1, 4 and 10 responses. Floor, same run: the slowest of N
 * concurrent calls made straight to the model server with the same
 * request. Bar: generate's total ≤ that slowest call + 25 ms for every N.
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
  startModel,
} from "./fixtures.ts";
import type { BenchPlan } from "./options.ts";
import type { Figure } from "./report.ts";
import { median } from "./stats.ts";

const PROMPT = "Name three uses of a paperclip.";

async function generateOnce(url: string, user: BenchUser, count: number) {
  const { response, latencyMs: totalMs } = await postGenerate(url, user, {
    prompt: PROMPT,
    numResponses: count,
  });
  const spans = parseServerTiming(response.headers.get("server-timing"));
  return { totalMs, slowestCallMs: spans["model.call"] === undefined ? null : maxCall(response) };
}

/** The longest single model call inside the function (`desc="Nx max M"`). */
function maxCall(response: Response): number | null {
  const match = /model\.call;dur=[\d.]+;desc="\d+x max ([\d.]+)"/.exec(
    response.headers.get("server-timing") ?? "",
  );
  return match ? Number(match[1]) : null;
}

/** The slowest of `count` concurrent direct calls to the model server. */
async function slowestDirectCall(modelUrl: string, count: number): Promise<number> {
  const call = async (k: number) => {
    const started = performance.now();
    const response = await fetch(`${modelUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-offline-bench", "content-type": "application/json" },
      body: JSON.stringify({
        model: "gpt-4o",
        messages: [{ role: "user", content: PROMPT }],
        temperature: 0.2 + 0.1 * k,
        top_p: 0.9,
        max_tokens: 48,
        frequency_penalty: 0,
        seed: k,
      }),
      signal: AbortSignal.timeout(30_000),
    });
    await response.text();
    if (!response.ok) throw new Error(`The model server answered ${response.status}`);
    return performance.now() - started;
  };
  const times = await Promise.all(Array.from({ length: count }, (_, k) => call(k)));
  return Math.max(...times);
}

/**
 * Runs item 2.
 *
 * @example
 * const { figures } = await benchModelOverlap(target, plan.overlap, console.log);
 */
export async function benchModelOverlap(
  target: DatabaseTarget,
  plan: BenchPlan["overlap"],
  log: (line: string) => void,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const [user] = await createBenchUsers(target, {
    prefix: "overlap",
    count: 1,
    maxTokens: [32, 64],
  });
  const model = await startModel(plan.modelLatencyMs);
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  try {
    const stack = await startBenchStack(target, model.info.url, { LAB_SERVER_TIMING: "true" });
    try {
      const url = `${stack.info.url}/functions/v1/generate`;
      await generateOnce(url, user, 4); // warm up
      await slowestDirectCall(model.info.url, 4);
      for (const count of plan.counts) {
        const totals: number[] = [];
        const floors: number[] = [];
        const inside: number[] = [];
        for (let rep = 0; rep < plan.requests; rep++) {
          floors.push(await slowestDirectCall(model.info.url, count));
          const run = await generateOnce(url, user, count);
          totals.push(run.totalMs);
          if (run.slowestCallMs !== null) inside.push(run.slowestCallMs);
        }
        const total = median(totals);
        const floor = median(floors);
        details[`n${count}`] = { totals, floors, slowestCallInsideFunction: inside };
        log(
          `  N=${count}: generate ${total.toFixed(1)} ms, slowest direct call ${
            floor.toFixed(1)
          } ms, ` +
            `slowest call inside generate ${inside.length ? median(inside).toFixed(1) : "?"} ms`,
        );
        figures.push({
          item: "2 model overlap",
          name: `generate total, N=${count}, model ${plan.modelLatencyMs} ms`,
          value: total,
          unit: "ms",
          floor: { name: `slowest of ${count} direct calls`, value: floor },
          bar: { kind: "delta_max", limit: 25 },
        });
      }
    } finally {
      await stack.stop();
    }
  } finally {
    await model.stop();
  }
  return { figures, details };
}

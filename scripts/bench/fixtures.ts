/**
 * BENCH: the users and calibrations the HTTP measurements send requests
 * as, and the processes they send them to (the stack and the offline model,
 * each in a process of its own).
 *
 * @module
 */
import postgres from "postgres";
import type { DatabaseTarget } from "../lib/database.ts";
import {
  ensureLocalUser,
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
  mintAccessToken,
} from "../lib/local_auth.ts";
import { type Child, startChild } from "./child.ts";

/** A signed-in bench user with one calibration. */
export interface BenchUser {
  id: string;
  email: string;
  token: string;
  calibrationId: string;
}

/**
 * Creates `count` users named `<prefix>-<i>`, each with a calibration whose
 * max_tokens range is `maxTokens` (small keeps the offline model's own work
 * small), and tokens valid for `expiresIn` seconds.
 *
 * @example
 * const users = await createBenchUsers(target, { prefix: "overhead", count: 8, maxTokens: [32, 64] });
 */
export async function createBenchUsers(
  target: DatabaseTarget,
  options: { prefix: string; count: number; maxTokens: [number, number]; expiresIn?: number },
): Promise<BenchUser[]> {
  const sql = postgres(target.appUrl, { max: 1, onnotice: () => {} });
  try {
    const users: BenchUser[] = [];
    for (let i = 0; i < options.count; i++) {
      const email = `bench-${options.prefix}-${i}@bench.local`;
      const id = await ensureLocalUser(target.appUrl, email);
      const [row] = await sql<{ id: string }[]>`
        insert into public.calibrations (user_id, mode, questionnaire_version, answers, temperature_min, temperature_max,
          top_p_min, top_p_max, max_tokens_min, max_tokens_max, frequency_penalty_min, frequency_penalty_max)
        values (${id}, 'quick', 'v1', '{"adventurousness":"bold"}'::jsonb, 0.2, 1.2, 0.5, 0.95,
                ${options.maxTokens[0]}, ${options.maxTokens[1]}, -0.5, 0.5)
        returning id`;
      const token = await mintAccessToken(id, { email, expiresIn: options.expiresIn ?? 3 * 3600 });
      users.push({ id, email, token, calibrationId: row.id });
    }
    return users;
  } finally {
    await sql.end();
  }
}

/** The offline model in its own process, answering after `latencyMs`. */
export function startModel(latencyMs: number): Promise<Child<{ url: string }>> {
  return startChild("scripts/bench/serve_model.ts", { args: ["--latency-ms", String(latencyMs)] });
}

/**
 * The local stack (gateway + functions) in its own process, using `modelUrl`.
 * Rate limits are lifted so the load is never refused.
 *
 * @example
 * const stack = await startBenchStack(target, model.info.url, { LAB_SERVER_TIMING: "true" });
 */
export function startBenchStack(
  target: DatabaseTarget,
  modelUrl: string,
  env: Record<string, string> = {},
): Promise<Child<{ url: string; anonKey: string }>> {
  return startChild("scripts/bench/serve_stack.ts", {
    env: {
      BENCH_DATABASE_URL: target.appUrl,
      BENCH_MODEL_URL: modelUrl,
      BENCH_FUNCTION_ENV: JSON.stringify({ LAB_GENERATE_RATE_LIMIT_PER_MINUTE: "1000000", ...env }),
    },
  });
}

/** The floor server of item 1 in its own process. */
export function startFloor(
  target: DatabaseTarget,
  users: readonly BenchUser[],
): Promise<Child<{ url: string }>> {
  return startChild("scripts/bench/floor_server.ts", {
    env: {
      BENCH_DATABASE_URL: target.appUrl,
      BENCH_JWT_SECRET: LOCAL_JWT_SECRET,
      BENCH_POOL_SIZE: "5",
      BENCH_CALIBRATION_IDS: JSON.stringify(
        Object.fromEntries(users.map((u) => [u.id, u.calibrationId])),
      ),
    },
  });
}

/**
 * Parses a `Server-Timing` header into span name -> milliseconds (and the
 * `desc` count where there is one).
 *
 * @example
 * parseServerTiming('db.start;dur=1.20;desc="1x max 1.20", total;dur=3.00'); // { "db.start": { ms: 1.2, count: 1 }, total: { ms: 3, count: 1 } }
 */
export function parseServerTiming(
  header: string | null,
): Record<string, { ms: number; count: number }> {
  const spans: Record<string, { ms: number; count: number }> = {};
  for (const entry of (header ?? "").split(",")) {
    const [name, ...params] = entry.trim().split(";");
    if (!name) continue;
    const dur = params.find((p) => p.startsWith("dur="));
    const desc = /desc="(\d+)x/.exec(entry);
    spans[name] = { ms: dur ? Number(dur.slice(4)) : 0, count: desc ? Number(desc[1]) : 1 };
  }
  return spans;
}

/**
 * One timed `POST /generate` as `user`; throws unless the answer is a 2xx.
 *
 * @example
 * const { response, latencyMs } = await postGenerate(url, user, { prompt, numResponses: 4 });
 */
export async function postGenerate(
  url: string,
  user: BenchUser,
  request: { prompt: string; numResponses: number },
): Promise<{ response: Response; latencyMs: number }> {
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
    body: JSON.stringify({ ...request, calibration_id: user.calibrationId }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = await response.text();
  const latencyMs = performance.now() - started;
  if (!response.ok) {
    throw new Error(
      `POST ${new URL(url).pathname} answered ${response.status}: ${body.slice(0, 200)}`,
    );
  }
  return { response, latencyMs };
}

/**
 * One lab function alone in its own process (so its peak RSS is its own),
 * with the local JWT secret and anon key and `env` (the database URL, …).
 *
 * @example
 * const fn = await startBenchFunction("datasets", { SUPABASE_URL: stack.info.url, SUPABASE_DB_URL: target.appUrl });
 */
export function startBenchFunction(
  name: string,
  env: Record<string, string>,
): Promise<Child<{ url: string }>> {
  return startChild("scripts/bench/serve_function.ts", {
    args: ["--name", name],
    env: {
      BENCH_FUNCTION_ENV: JSON.stringify({
        SUPABASE_JWT_SECRET: LOCAL_JWT_SECRET,
        SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
        ...env,
      }),
    },
  });
}

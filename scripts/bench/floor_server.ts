/**
 * BENCH: the floor of item 1, run as its own process — the least a request
 * that stores an experiment can cost in Deno: a bare `Deno.serve` handler
 * that verifies the caller's JWT with jose (HS256, the same token generate
 * gets), reads the JSON body and commits one insert of the same experiment
 * row in one postgres.js transaction. No framework, no RLS setup, no audit,
 * no telemetry.
 *
 * Environment: BENCH_DATABASE_URL (app-role URL), BENCH_JWT_SECRET,
 * BENCH_POOL_SIZE (as LAB_DB_POOL_SIZE), BENCH_CALIBRATION_IDS (JSON object
 * user id -> calibration id).
 *
 * @module
 */
import { jwtVerify } from "jose";
import postgres from "postgres";
import { announceReady, stopOnSignal } from "./child.ts";
import { sampleResponses } from "./seed.ts";

const databaseUrl = Deno.env.get("BENCH_DATABASE_URL");
const secret = Deno.env.get("BENCH_JWT_SECRET");
if (!databaseUrl || !secret) {
  throw new Error(
    "Cannot start the floor server: BENCH_DATABASE_URL and BENCH_JWT_SECRET are required",
  );
}
const calibrations = JSON.parse(Deno.env.get("BENCH_CALIBRATION_IDS") ?? "{}") as Record<
  string,
  string
>;
const key = new TextEncoder().encode(secret);
const sql = postgres(databaseUrl, {
  max: Number(Deno.env.get("BENCH_POOL_SIZE") ?? "5"),
  onnotice: () => {},
  connection: { application_name: "bench-floor" },
});
let counter = 0;

async function handle(request: Request): Promise<Response> {
  const token = /^Bearer (\S+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
  if (!token) return Response.json({ error: "missing token" }, { status: 401 });
  let userId: string;
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ["HS256"],
      audience: "authenticated",
    });
    userId = payload.sub ?? "";
  } catch {
    return Response.json({ error: "invalid token" }, { status: 401 });
  }
  const body = await request.json() as { prompt: string; numResponses?: number };
  const i = counter++;
  const responses = sampleResponses(i, body.numResponses ?? 4);
  const [row] = await sql.begin((tx) =>
    tx<{ id: string }[]>`
      insert into public.experiments (user_id, calibration_id, prompt, model, parameters, responses, status, latency_ms)
      values (${userId}, ${calibrations[userId]}, ${body.prompt}, 'gpt-4o',
              ${
      tx.json({
        model: "gpt-4o",
        seed: i,
        design: "latin-hypercube",
        numResponses: responses.length,
      })
    },
              ${tx.json(responses as postgres.JSONValue)}, 'completed', 0)
      returning id`
  );
  return Response.json({ success: true, data: { experimentId: row.id } });
}

const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, handle);
announceReady({ url: `http://127.0.0.1:${server.addr.port}` });
stopOnSignal(async () => {
  await server.shutdown();
  await sql.end({ timeout: 5 });
});

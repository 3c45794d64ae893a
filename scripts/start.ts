/**
 * `npm start` — brings the lab up on this machine, no Docker needed:
 *
 * 1. the lab database: DATABASE_URL when set, otherwise `lab` on the embedded
 *    PostgreSQL 15 (from npm) at 127.0.0.1:54322 (LAB_DB_PORT), data in
 *    .lab/postgres (LAB_DB_DIR), started here and stopped on exit; created
 *    with the platform stand-in, migrations and seed when it does not exist
 *    yet, otherwise brought up to date with pending migrations;
 * 2. the offline model server, unless OPENAI_API_KEY is set (then the real
 *    endpoint, OPENAI_BASE_URL or OpenAI, with LAB_MODEL, default gpt-4o);
 * 3. the gateway on http://127.0.0.1:54321 (LAB_GATEWAY_PORT) with every
 *    function at /functions/v1/NAME and Storage at /storage/v1.
 *
 * Prints the URL, the anon key and a ready demo token. Ctrl-C stops it.
 */
import { isLabDatabase, migrate, openLabServer, prepareDatabase } from "./lib/database.ts";
import { ensureLocalUser, issueAccessToken } from "./lib/local_auth.ts";
import { installPlainErrors } from "./lib/plain_errors.ts";
import { assertPortFree, portFromEnv } from "./lib/ports.ts";
import { functionEnvFromProcess, type RunningStack, startStack } from "./lib/stack.ts";

installPlainErrors();
const DEMO_EMAIL = "demo@lab.local";
/** The demo user's calibration from supabase/seed.sql. */
const DEMO_CALIBRATION_ID = "ca1b0000-0000-4000-8000-000000000001";

const port = portFromEnv("LAB_GATEWAY_PORT", 54321);
const modelPort = portFromEnv("LAB_MODEL_PORT", 54330);
const passthrough = functionEnvFromProcess();
assertPortFree(port, "set LAB_GATEWAY_PORT to serve the lab on another port");
if (!passthrough.OPENAI_API_KEY) {
  assertPortFree(modelPort, "set LAB_MODEL_PORT to run the offline model server on another port");
}

const server = await openLabServer({ exclusive: true });
let stack: RunningStack | null = null;
let stopping = false;
// Registered before anything slow, so a Ctrl-C while starting still stops the database.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    if (stopping) return;
    stopping = true;
    await stack?.stop().catch(() => {});
    await server.close();
    Deno.exit(0);
  });
}
const target = server.target;
if (server.embedded) console.log(`Embedded PostgreSQL: ${new URL(target.adminUrl).host}.`);

if (await isLabDatabase(target)) {
  await migrate(target);
  console.log(`Database "${target.name}": up to date.`);
} else {
  await prepareDatabase(target, { seed: true });
  console.log(`Database "${target.name}": created (platform, migrations, seed).`);
}

stack = await startStack({
  databaseUrl: target.appUrl,
  port,
  modelPort,
  env: passthrough,
  workerTickMs: Number(Deno.env.get("LAB_WORKER_TICK_MS") ?? 5_000),
});

const userId = await ensureLocalUser(target.appUrl, DEMO_EMAIL);
const token = await issueAccessToken(target.appUrl, userId, {
  email: DEMO_EMAIL,
  expiresIn: 24 * 3600,
});

console.log(`
Lab is up.
  API URL       ${stack.url}
  Functions     ${stack.url}/functions/v1/{calibration,generate,exports,...}
  Worker        ${stack.url}/functions/v1/worker, swept every ${
  Deno.env.get("LAB_WORKER_TICK_MS") ?? 5_000
} ms
  Storage       ${stack.url}/storage/v1
  DB URL        ${target.appUrl}
  Model         ${
  stack.model ? `offline model server at ${stack.model.url}` : stack.env.OPENAI_BASE_URL ?? "OpenAI"
}
  anon key      ${stack.anonKey}
  demo user     ${DEMO_EMAIL}
  demo token    ${token}

Try:
  export TOKEN=${token}
  curl -s "${stack.url}/functions/v1/calibration?mode=quick" -H "Authorization: Bearer $TOKEN"
  curl -s -X POST "${stack.url}/functions/v1/generate" -H "Authorization: Bearer $TOKEN" \\
    -H "content-type: application/json" \\
    -d '{"prompt":"Write a haiku about tides","calibration_id":"${DEMO_CALIBRATION_ID}","numResponses":4}'
  npm run demo

Ctrl-C stops the lab.`);

/**
 * LOCAL STACK: the stack the client SDK's vitest suite talks to. Starts the
 * gateway (functions, Storage and PostgREST stand-ins) and the offline model
 * server against LAB_TEST_DATABASE_URL, plus a tiny admin endpoint for what a
 * test needs from outside the API:
 *
 * - `POST /users` `{ "email"?: string, "admin"?: boolean }` -> `{ id, email, token }` (a local
 *   user, made an admin first if asked, and its token issued through the access token hook);
 * - `POST /model/control` `<control update>` -> the model server's settings;
 * - `POST /model/reset` -> 204;
 * - `POST /jobs` `{ "userId": string, "kind": string, "total"?: number }` -> `{ id }` (a queued
   job of that user, created as the lab creates jobs; a kind no worker handles stays queued).
 *
 * When ready it prints ONE JSON line `{ url, anonKey, adminUrl, modelUrl }`
 * to stdout. Function settings come from its own environment (`LAB_*`,
 * `OPENAI_*`, e.g. LAB_GENERATE_RATE_LIMIT_PER_MINUTE). It stops on SIGTERM,
 * SIGINT, or when its stdin closes (the parent went away).
 */
import postgres from "postgres";
import { ensureLocalUser, grantLocalRole, issueAccessToken } from "./lib/local_auth.ts";
import { functionEnvFromProcess, startStack } from "./lib/stack.ts";

const databaseUrl = Deno.env.get("LAB_TEST_DATABASE_URL");
if (!databaseUrl) {
  console.error("Cannot start the test stack: LAB_TEST_DATABASE_URL is required");
  Deno.exit(2);
}

const passthrough = functionEnvFromProcess();
const storageDir = await Deno.makeTempDir({ prefix: "lab_client_storage_" });
// A test that kills its stack mid-job sets LAB_WORKER_TICK_MS, so the next stack's sweep takes the job over.
const tickMs = Number(Deno.env.get("LAB_WORKER_TICK_MS") ?? "0");
const stack = await startStack({
  databaseUrl,
  port: 0,
  env: passthrough,
  storageDir,
  ...(tickMs > 0 ? { workerTickMs: tickMs } : {}),
});

async function admin(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (request.method !== "POST") return Response.json({ error: "Use POST" }, { status: 405 });
  try {
    if (pathname === "/users") {
      const body = await request.json().catch(() => ({})) as { email?: unknown; admin?: unknown };
      const email = typeof body.email === "string"
        ? body.email
        : `client-${crypto.randomUUID().slice(0, 8)}@test.local`;
      const id = await ensureLocalUser(databaseUrl!, email);
      if (body.admin === true) await grantLocalRole(databaseUrl!, id, "admin");
      return Response.json({
        id,
        email,
        token: await issueAccessToken(databaseUrl!, id, { email }),
      });
    }
    if (pathname === "/jobs") {
      const body = await request.json() as { userId: string; kind: string; total?: number };
      const sql = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
      try {
        const [row] = await sql<{ id: string }[]>`
          select private.enqueue_job(${body.kind}, '{}'::jsonb, null, ${
          body.total ?? null
        }::bigint, 5,
                                     ${body.userId}::uuid) as id`;
        return Response.json(row);
      } finally {
        await sql.end();
      }
    }
    if (pathname === "/model/control" && stack.model) {
      return Response.json(stack.model.control.set(await request.json()));
    }
    if (pathname === "/model/reset" && stack.model) {
      stack.model.control.reset();
      return new Response(null, { status: 204 });
    }
    return Response.json({ error: `Not found: ${pathname}` }, { status: 404 });
  } catch (error) {
    return Response.json({ error: error instanceof Error ? error.message : String(error) }, {
      status: 400,
    });
  }
}

const adminServer = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, admin);

let stopping: Promise<void> | null = null;
/** Stops everything once, whichever of signal or stdin EOF comes first, then exits. */
async function stop(): Promise<never> {
  stopping ??= (async () => {
    await adminServer.shutdown();
    await stack.stop();
    await Deno.remove(storageDir, { recursive: true }).catch(() => {});
  })();
  await stopping;
  Deno.exit(0);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => void stop());
}

console.log(JSON.stringify({
  url: stack.url,
  anonKey: stack.anonKey,
  adminUrl: `http://127.0.0.1:${adminServer.addr.port}`,
  modelUrl: stack.model?.url ?? null,
}));

// The parent holds our stdin open; EOF means it is gone.
for await (const _ of Deno.stdin.readable) { /* keep reading until EOF */ }
await stop();

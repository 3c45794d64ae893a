/**
 * LOCAL STACK: everything `supabase start` would serve for the lab, on this
 * machine and without Docker — the gateway with the functions and the Storage
 * stand-in, and (unless a real OpenAI key is configured) the offline model
 * server. `npm start`, the integration tests, the client tests and the bench
 * all start it the same way.
 */
import { createGateway, type GatewayFunction } from "../gateway/gateway.ts";
import { loadFunctionsConfig } from "../gateway/functions_config.ts";
import { startLabFunction } from "../gateway/registry.ts";
import { createRestApi } from "../gateway/rest/api.ts";
import { createStorageApi } from "../gateway/storage/api.ts";
import { type RunningModelServer, startModelServer } from "../model_server/main.ts";
import { createRealtime } from "../realtime/server.ts";
import { flushBackground } from "../../supabase/functions/_shared/background.ts";
import type { StartedFunction } from "../../supabase/functions/_shared/runtime.ts";
import { LOCAL_ANON_KEY, LOCAL_JWT_SECRET, mintApiKey } from "./local_auth.ts";
import { repoRoot } from "./process.ts";

/**
 * The variables of this process meant for the functions: `OPENAI_*` and
 * `LAB_*`, less the scripts' own `LAB_TEST_*`.
 *
 * @example
 * await startStack({ databaseUrl, env: functionEnvFromProcess() });
 */
export function functionEnvFromProcess(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([key]) =>
      /^(OPENAI_|LAB_)/.test(key) && !key.startsWith("LAB_TEST_")
    ),
  );
}

/** Options for {@link startStack}. */
export interface StackOptions {
  /** App-role URL of a prepared lab database. */
  databaseUrl: string;
  /** Gateway port; 0 picks a free one. */
  port?: number;
  /** Offline model server port; 0 picks a free one. */
  modelPort?: number;
  /** Where the Storage stand-in keeps file bytes. */
  storageDir?: string;
  /** Extra variables for the functions (OPENAI_*, LAB_*). OPENAI_API_KEY set means a real endpoint. */
  env?: Record<string, string>;
  /**
   * Calls the worker every this many milliseconds, as Cron + pg_net do on
   * hosted Supabase (supabase/setup/worker_cron.sql): the sweep that picks
   * up jobs whose wake-up call was lost, retries and lapsed leases. Off when unset.
   */
  workerTickMs?: number;
}

/** A running local stack. */
export interface RunningStack {
  /** The SUPABASE_URL clients use (gateway base). */
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  /** The environment the functions were started with. */
  env: Record<string, string>;
  /** The offline model server, when no real endpoint is configured. */
  model: RunningModelServer | null;
  /** Waits for background work (telemetry, failure audits) to finish. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the stack.
 *
 * @example
 * const stack = await startStack({ databaseUrl: target.appUrl, port: 0 });
 * await fetch(`${stack.url}/functions/v1/calibration?mode=quick`, { headers });
 * await stack.stop();
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const extra = options.env ?? {};
  const model = extra.OPENAI_API_KEY
    ? null
    : await startModelServer({ port: options.modelPort ?? 0 });
  const storage = createStorageApi({
    databaseUrl: options.databaseUrl,
    jwtSecret: LOCAL_JWT_SECRET,
    rootDir: options.storageDir ?? `${repoRoot}/.lab/storage`,
  });
  const rest = createRestApi({ databaseUrl: options.databaseUrl, jwtSecret: LOCAL_JWT_SECRET });
  const realtime = createRealtime({
    databaseUrl: options.databaseUrl,
    jwtSecret: LOCAL_JWT_SECRET,
  });
  const serviceRoleKey = await mintApiKey("service_role");

  let handler: (request: Request) => Promise<Response> = () =>
    Promise.resolve(new Response(null, { status: 503 }));
  const server = Deno.serve(
    { port: options.port ?? 0, hostname: "127.0.0.1", onListen: () => {} },
    (request) => handler(request),
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  const env: Record<string, string> = {
    SUPABASE_URL: url,
    SUPABASE_DB_URL: options.databaseUrl,
    SUPABASE_JWT_SECRET: LOCAL_JWT_SECRET,
    SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
    SUPABASE_SERVICE_ROLE_KEY: serviceRoleKey,
    ...(model ? { OPENAI_API_KEY: "sk-offline-local", OPENAI_BASE_URL: model.url } : {}),
    ...extra,
  };

  const started: StartedFunction[] = [];
  const functions: Record<string, GatewayFunction> = {};
  for (const { name, verifyJwt } of await loadFunctionsConfig()) {
    const fn = await startLabFunction(name, env);
    if (!fn) continue;
    started.push(fn);
    functions[name] = { fetch: fn.app.fetch, verifyJwt };
  }
  handler = createGateway({
    functions,
    jwtSecret: LOCAL_JWT_SECRET,
    storage: storage.handler,
    rest: rest.handler,
    realtime: realtime.handler,
  });

  const sweep = options.workerTickMs
    ? startWorkerSweep(url, serviceRoleKey, options.workerTickMs)
    : null;

  return {
    url,
    anonKey: LOCAL_ANON_KEY,
    serviceRoleKey,
    env,
    model,
    flush: flushBackground,
    async stop() {
      await sweep?.stop();
      // WebSockets first: the server's shutdown waits for open connections.
      await realtime.close();
      await server.shutdown();
      await flushBackground();
      await Promise.all(started.map((fn) => fn.close()));
      await storage.close();
      await rest.close();
      await model?.shutdown();
    },
  };
}

/** The local stand-in for the Cron sweep: one worker call at a time, every `everyMs`. */
function startWorkerSweep(url: string, serviceRoleKey: string, everyMs: number) {
  let current: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    current = current.then(async () => {
      const response = await fetch(`${url}/functions/v1/worker?wait=true`, {
        method: "POST",
        headers: { authorization: `Bearer ${serviceRoleKey}`, apikey: serviceRoleKey },
      }).catch(() => null);
      await response?.body?.cancel();
    });
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}

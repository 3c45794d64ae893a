/**
 * LOCAL STACK: what the Realtime tests share: the stand-in behind the real
 * gateway on a port that survives a restart, users with tokens, supabase-js
 * clients for them, rows written the way the lab writes them, and waiting
 * for events.
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { createGateway } from "../gateway/gateway.ts";
import {
  ensureLocalUser,
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
  mintAccessToken,
} from "../lib/local_auth.ts";
import { createRealtime, type Realtime } from "./server.ts";

export { insertCalibration, insertExperiment } from "./fixtures.ts";

/** The throwaway database of `npm test`, or undefined (the tests are skipped). */
export const DATABASE_URL = Deno.env.get("LAB_TEST_DATABASE_URL");

/** The stand-in served by the gateway, restartable on the same port. */
export class RealtimeHarness {
  realtime!: Realtime;
  server!: Deno.HttpServer<Deno.NetAddr>;
  port = 0;
  readonly sql = postgres(DATABASE_URL!, { max: 2, onnotice: () => {} });

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts (or starts again, on the same port) the gateway with the stand-in. */
  start(): void {
    this.realtime = createRealtime({ databaseUrl: DATABASE_URL!, jwtSecret: LOCAL_JWT_SECRET });
    const gateway = createGateway({
      functions: {},
      jwtSecret: LOCAL_JWT_SECRET,
      realtime: this.realtime.handler,
    });
    this.server = Deno.serve(
      { port: this.port, hostname: "127.0.0.1", onListen: () => {} },
      gateway,
    );
    this.port = this.server.addr.port;
  }

  /** Stops the stand-in and the gateway; connected clients see the server drop them. */
  async stop(): Promise<void> {
    await this.realtime.close();
    await this.server.shutdown();
  }

  async close(): Promise<void> {
    await this.stop();
    await this.sql.end();
  }
}

/** A user with a token. */
export interface User {
  id: string;
  token: string;
}

/** A fresh local user; `expiresIn` in seconds. */
export async function createUser(expiresIn = 3600): Promise<User> {
  const email = `realtime-${crypto.randomUUID().slice(0, 8)}@test.local`;
  const id = await ensureLocalUser(DATABASE_URL!, email);
  return { id, token: await mintAccessToken(id, { email, expiresIn }) };
}

/**
 * A supabase-js client for `user` (anon key only when null), protocol `vsn`,
 * with its Realtime token set before any join, as the lab SDK does.
 */
export async function clientFor(
  harness: RealtimeHarness,
  user: User | null,
  options: { vsn?: "1.0.0" | "2.0.0"; token?: () => string } = {},
): Promise<SupabaseClient> {
  const client = createClient(harness.url, LOCAL_ANON_KEY, {
    ...(user ? { accessToken: () => Promise.resolve(options.token?.() ?? user.token) } : {}),
    realtime: { ...(options.vsn ? { vsn: options.vsn } : {}), reconnectAfterMs: () => 200 },
  });
  if (user) await client.realtime.setAuth();
  return client;
}

/** Resolves with the first value `predicate` accepts among those `record` collects. */
export function waitFor<T>(
  values: T[],
  predicate: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const found = values.find(predicate);
      if (found !== undefined) return resolve(found);
      if (Date.now() - started > timeoutMs) {
        return reject(new Error(`Timed out waiting for ${what}`));
      }
      setTimeout(check, 20);
    };
    check();
  });
}

/** Gives the stand-in time to deliver anything it would (wrongly) deliver. */
export function settle(ms = 500): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Test harness for function tests against the real database. `npm test`
 * provides a throwaway lab database in LAB_TEST_DATABASE_URL (app role) and
 * LAB_TEST_ADMIN_DATABASE_URL (superuser, for reading behind RLS); without
 * them, database tests are skipped (`ignore: !hasDatabase`).
 */
import postgres from "postgres";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { type RunningStack, startStack } from "../../../scripts/lib/stack.ts";
import {
  ensureLocalUser,
  grantLocalRole,
  issueAccessToken,
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
} from "../../../scripts/lib/local_auth.ts";

/** App-role URL of the test database, if any. */
export const databaseUrl = Deno.env.get("LAB_TEST_DATABASE_URL") ?? "";
/** Superuser URL of the test database, if any. */
export const adminDatabaseUrl = Deno.env.get("LAB_TEST_ADMIN_DATABASE_URL") ?? databaseUrl;
/** True when a test database is available. */
export const hasDatabase = databaseUrl !== "";

/**
 * Options for tests that need the database: skipped without one, and with
 * Deno's op/resource sanitizers off because postgres.js pools keep sockets and
 * timers alive between tests.
 */
export const dbTest = { ignore: !hasDatabase, sanitizeOps: false, sanitizeResources: false };

/** Environment for starting a function in-process against the test database. */
export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    SUPABASE_URL: "http://127.0.0.1:54321",
    SUPABASE_DB_URL: databaseUrl,
    SUPABASE_JWT_SECRET: LOCAL_JWT_SECRET,
    SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
    LAB_DB_POOL_SIZE: "4",
    ...extra,
  };
}

/** A signed-in test user. */
export interface TestUser {
  id: string;
  email: string;
  token: string;
  /** `{ authorization: "Bearer …" }` */
  headers: Record<string, string>;
}

/**
 * Creates a user with a unique email and an access token for it, issued
 * through the access token hook as Supabase Auth would; `admin: true` grants
 * the admin role first.
 *
 * @example
 * const alice = await createTestUser("alice");
 * const root = await createTestUser("root", { admin: true });
 */
export async function createTestUser(
  name = "user",
  options: { admin?: boolean } = {},
): Promise<TestUser> {
  const email = `${name}-${crypto.randomUUID().slice(0, 8)}@test.local`;
  const id = await ensureLocalUser(databaseUrl, email);
  if (options.admin) await grantLocalRole(databaseUrl, id, "admin");
  const token = await issueAccessToken(databaseUrl, id, { email });
  return { id, email, token, headers: { authorization: `Bearer ${token}` } };
}

/**
 * Runs `fn` with a superuser connection (reads behind RLS for assertions),
 * closing it afterwards.
 */
export async function withAdmin<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/**
 * Runs `fn` against the whole local stack (gateway, Storage and PostgREST
 * stand-ins, offline model server) on a free port, with a storage directory
 * of its own; stops and cleans up afterwards.
 *
 * @example
 * await withTestStack(async (stack) => { await fetch(`${stack.url}/functions/v1/calibration`); });
 */
export async function withTestStack<T>(fn: (stack: RunningStack) => Promise<T>): Promise<T> {
  const storageDir = await Deno.makeTempDir({ prefix: "lab-test-storage-" });
  const stack = await startStack({ databaseUrl, port: 0, storageDir });
  try {
    return await fn(stack);
  } finally {
    await stack.stop();
    await Deno.remove(storageDir, { recursive: true });
  }
}

/** A supabase-js client of the stack acting as `user` (or anonymous with the anon key). */
export function clientFor(stack: RunningStack, user: TestUser | null): SupabaseClient {
  return createClient(stack.url, stack.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    ...(user ? { global: { headers: { Authorization: `Bearer ${user.token}` } } } : {}),
  });
}

/** JSON request init with a user's token. */
export function jsonRequest(
  user: TestUser | null,
  body: unknown,
  init: RequestInit = {},
): RequestInit {
  return {
    method: "POST",
    ...init,
    headers: {
      "content-type": "application/json",
      ...(user?.headers ?? {}),
      ...(init.headers ?? {}),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

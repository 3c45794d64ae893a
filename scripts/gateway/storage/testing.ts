/**
 * LOCAL STACK: what the Storage stand-in's integration tests share — a
 * stand-in served on a free port over the throwaway database `npm test`
 * provides (LAB_TEST_DATABASE_URL / LAB_TEST_ADMIN_DATABASE_URL; tests are
 * ignored without it), supabase-js clients for fresh users, and buckets made
 * as the superuser with the policies a test needs.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import {
  ensureLocalUser,
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
  mintAccessToken,
} from "../../lib/local_auth.ts";
import { createStorageApi, type StorageApi, type StorageApiOptions } from "./api.ts";

export const APP_URL = Deno.env.get("LAB_TEST_DATABASE_URL");
export const ADMIN_URL = Deno.env.get("LAB_TEST_ADMIN_DATABASE_URL");
export const ignore = !APP_URL || !ADMIN_URL;

export const CSV = new TextEncoder().encode("id,score\n1,0.5\n2,0.75\n");

export interface Stack {
  url: string;
  rootDir: string;
  api: StorageApi;
  /** A supabase-js client acting with `token` (the anon key when omitted). */
  client(token?: string): SupabaseClient;
  /** A fresh user and a client signed in as them. */
  user(): Promise<{ id: string; client: SupabaseClient; token: string }>;
  admin: postgres.Sql;
}

export async function withStack(
  fn: (stack: Stack) => Promise<void>,
  options: Partial<StorageApiOptions> = {},
): Promise<void> {
  const rootDir = await Deno.makeTempDir({ prefix: "lab_storage_test_" });
  const api = createStorageApi({
    databaseUrl: APP_URL!,
    jwtSecret: LOCAL_JWT_SECRET,
    rootDir,
    ...options,
  });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, api.handler);
  const admin = postgres(ADMIN_URL!, { max: 1, onnotice: () => {} });
  const url = `http://127.0.0.1:${server.addr.port}`;
  const client = (token?: string) =>
    createClient(url, LOCAL_ANON_KEY, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      global: token ? { headers: { Authorization: `Bearer ${token}` } } : {},
    });
  const user = async () => {
    const email = `storage-${crypto.randomUUID()}@example.com`;
    const id = await ensureLocalUser(APP_URL!, email);
    const token = await mintAccessToken(id, { email });
    return { id, token, client: client(token) };
  };
  try {
    await fn({ url, rootDir, api, client, user, admin });
  } finally {
    await server.shutdown();
    await api.close();
    await admin.end();
    await Deno.remove(rootDir, { recursive: true });
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

export async function rowCount(admin: postgres.Sql, bucket: string, name: string): Promise<number> {
  const [{ count }] = await admin<{ count: number }[]>`
    select count(*)::int as count from storage.objects where bucket_id = ${bucket} and name = ${name}`;
  return count;
}

/** A bucket with permissive policies for authenticated users, made as the superuser. */
export async function createTestBucket(
  admin: postgres.Sql,
  options: {
    fileSizeLimit?: number;
    update?: boolean;
    delete?: boolean;
    public?: boolean;
    allowedMimeTypes?: string[];
  } = {},
): Promise<string> {
  const id = `test-${crypto.randomUUID().slice(0, 8)}`;
  await admin`insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
              values (${id}, ${id}, ${options.public ?? false}, ${options.fileSizeLimit ?? null},
                      ${options.allowedMimeTypes ?? null})`;
  const literal = `'${id}'`;
  await admin.unsafe(
    `create policy "${id} insert" on storage.objects for insert to authenticated with check (bucket_id = ${literal})`,
  );
  await admin.unsafe(
    `create policy "${id} select" on storage.objects for select to authenticated using (bucket_id = ${literal})`,
  );
  if (options.delete) {
    await admin.unsafe(
      `create policy "${id} delete" on storage.objects for delete to authenticated using (bucket_id = ${literal})`,
    );
  }
  if (options.update) {
    await admin.unsafe(
      `create policy "${id} update" on storage.objects for update to authenticated using (bucket_id = ${literal}) with check (bucket_id = ${literal})`,
    );
  }
  return id;
}

export async function bytesOf(blob: Blob | null): Promise<Uint8Array> {
  assert.ok(blob);
  return new Uint8Array(await blob.arrayBuffer());
}

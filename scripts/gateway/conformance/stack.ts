/**
 * LOCAL STACK: what the conformance suite runs against — the gateway with the
 * Storage and PostgREST stand-ins (no functions) on a free port over the
 * throwaway database `npm test` provides, unmodified supabase-js clients for
 * fresh users, and throwaway fixtures: tables, policies, functions and a
 * bucket made as the superuser with names of their own, dropped afterwards.
 *
 * @module
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import {
  ensureLocalUser,
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
  mintAccessToken,
} from "../../lib/local_auth.ts";
import { createGateway } from "../gateway.ts";
import { createRestApi } from "../rest/api.ts";
import { createStorageApi } from "../storage/api.ts";

const APP_URL = Deno.env.get("LAB_TEST_DATABASE_URL");
const ADMIN_URL = Deno.env.get("LAB_TEST_ADMIN_DATABASE_URL");
/** True when no throwaway database was provided. */
export const ignore = !APP_URL || !ADMIN_URL;

/** A user with a client signed in as them, as the lab's SDK builds it (`accessToken`). */
export interface User {
  id: string;
  token: string;
  client: SupabaseClient;
}

/** The names of one run's fixtures. */
export interface Fixtures {
  authors: string;
  books: string;
  add: string;
  authorsNamed: string;
  touch: string;
  bucket: string;
}

/** A running stack. */
export interface Conformance {
  url: string;
  anon: SupabaseClient;
  user(): Promise<User>;
  admin: postgres.Sql;
  fixtures: Fixtures;
}

function clientFor(url: string, token?: string): SupabaseClient {
  return createClient(url, LOCAL_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(token ? { accessToken: () => Promise.resolve(token) } : {}),
  });
}

/**
 * Creates this run's fixtures: what a feature's migration would, under RLS
 * with explicit grants. Other tests write the same database meanwhile, so
 * every statement here locks at most one shared table (no foreign key to
 * auth.users, each storage.objects policy on its own): a lock it waits for
 * can never be part of a cycle.
 */
async function createFixtures(admin: postgres.Sql): Promise<Fixtures> {
  const suffix = crypto.randomUUID().slice(0, 8);
  const f: Fixtures = {
    authors: `conf_${suffix}_authors`,
    books: `conf_${suffix}_books`,
    add: `conf_${suffix}_add`,
    authorsNamed: `conf_${suffix}_authors_named`,
    touch: `conf_${suffix}_touch`,
    bucket: `conf-${suffix}`,
  };
  await admin.unsafe(`
    create table public.${f.authors} (
      id bigint generated always as identity primary key,
      name text not null unique,
      owner uuid not null default auth.uid()
    );
    create table public.${f.books} (
      id bigint generated always as identity primary key,
      author_id bigint not null references public.${f.authors} (id),
      title text not null
    );
    alter table public.${f.authors} enable row level security;
    alter table public.${f.books} enable row level security;
    grant select on public.${f.authors}, public.${f.books} to anon;
    grant select, insert, update, delete on public.${f.authors}, public.${f.books} to authenticated;
    create policy "read" on public.${f.authors} for select to anon, authenticated using (true);
    create policy "insert" on public.${f.authors} for insert to authenticated
      with check (owner = (select auth.uid()));
    create policy "update" on public.${f.authors} for update to authenticated
      using (owner = (select auth.uid())) with check (owner = (select auth.uid()));
    create policy "delete" on public.${f.authors} for delete to authenticated
      using (owner = (select auth.uid()));
    create policy "read" on public.${f.books} for select to anon, authenticated using (true);
    create policy "insert" on public.${f.books} for insert to authenticated with check (
      exists (select 1 from public.${f.authors} a where a.id = author_id and a.owner = (select auth.uid())));
    create function public.${f.add}(a integer, b integer default 1) returns integer
      language sql immutable set search_path = '' as $$ select a + b $$;
    revoke execute on function public.${f.add}(integer, integer) from public, anon;
    grant execute on function public.${f.add}(integer, integer) to authenticated;
    create function public.${f.authorsNamed}(prefix text) returns setof public.${f.authors}
      language sql stable set search_path = '' as $$
        select * from public.${f.authors} where starts_with(name, prefix) $$;
    grant execute on function public.${f.authorsNamed}(text) to anon, authenticated;
    create function public.${f.touch}() returns void
      language sql volatile set search_path = '' as $$
        update public.${f.authors} set name = name where false $$;
    grant execute on function public.${f.touch}() to authenticated;
  `);
  await admin`insert into storage.buckets (id, name, public) values (${f.bucket}, ${f.bucket}, false)`;
  await withPolicyLock(admin, async () => {
    for (const op of ["insert", "select", "update", "delete"]) {
      const check =
        `bucket_id = '${f.bucket}' and (storage.foldername(name))[1] = (select auth.uid())::text`;
      const clause = op === "insert"
        ? `with check (${check})`
        : op === "update"
        ? `using (${check}) with check (${check})`
        : `using (${check})`;
      await admin.unsafe(
        `create policy "${f.bucket} ${op}" on storage.objects for ${op} to authenticated ${clause}`,
      );
    }
  });
  return f;
}

/**
 * Runs `fn` holding a session advisory lock that every test process takes
 * for policy DDL on storage.objects: two concurrent DROP POLICY statements
 * on one table can deadlock each other (seen: each waiting for the other's
 * AccessExclusiveLock), so they take turns.
 */
async function withPolicyLock(admin: postgres.Sql, fn: () => Promise<void>): Promise<void> {
  await admin`select pg_advisory_lock(${POLICY_DDL_LOCK})`;
  try {
    await fn();
  } finally {
    await admin`select pg_advisory_unlock(${POLICY_DDL_LOCK})`;
  }
}

/** The advisory lock key of policy DDL on storage.objects (any fixed number of the lab's own). */
const POLICY_DDL_LOCK = 7_415_204_312;

async function dropFixtures(admin: postgres.Sql, f: Fixtures): Promise<void> {
  await admin.unsafe(`
    drop function public.${f.add}(integer, integer);
    drop function public.${f.authorsNamed}(text);
    drop function public.${f.touch}();
    drop table public.${f.books};
    drop table public.${f.authors};
  `);
  await withPolicyLock(admin, async () => {
    for (const op of ["insert", "select", "update", "delete"]) {
      await admin.unsafe(`drop policy "${f.bucket} ${op}" on storage.objects`);
    }
  });
  await admin.begin(async (tx) => {
    await tx`select set_config('storage.allow_delete_query', 'true', true)`;
    await tx`delete from storage.objects where bucket_id = ${f.bucket}`;
    await tx`delete from storage.buckets where id = ${f.bucket}`;
  });
}

/**
 * Runs `fn` against a fresh gateway with the stand-ins and this run's fixtures.
 *
 * @example
 * await withConformance(async ({ user, fixtures }) => { ... });
 */
export async function withConformance(fn: (stack: Conformance) => Promise<void>): Promise<void> {
  const rootDir = await Deno.makeTempDir({ prefix: "lab_conformance_" });
  const storage = createStorageApi({ databaseUrl: APP_URL!, jwtSecret: LOCAL_JWT_SECRET, rootDir });
  const rest = createRestApi({ databaseUrl: APP_URL!, jwtSecret: LOCAL_JWT_SECRET });
  const handler = createGateway({
    functions: {},
    jwtSecret: LOCAL_JWT_SECRET,
    storage: storage.handler,
    rest: rest.handler,
  });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, handler);
  const admin = postgres(ADMIN_URL!, { max: 1, onnotice: () => {} });
  const url = `http://127.0.0.1:${server.addr.port}`;
  const fixtures = await createFixtures(admin);
  const user = async (): Promise<User> => {
    const email = `conformance-${crypto.randomUUID()}@example.com`;
    const id = await ensureLocalUser(APP_URL!, email);
    const token = await mintAccessToken(id, { email });
    return { id, token, client: clientFor(url, token) };
  };
  try {
    await fn({ url, anon: clientFor(url), user, admin, fixtures });
  } finally {
    await server.shutdown();
    await dropFixtures(admin, fixtures);
    await Promise.all([storage.close(), rest.close(), admin.end()]);
    await Deno.remove(rootDir, { recursive: true });
  }
}

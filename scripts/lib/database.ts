/**
 * LOCAL STACK: creating, preparing and dropping lab databases on a plain
 * PostgreSQL server. Used by db:reset, npm start, npm test and the bench;
 * never imported by function code.
 */
import postgres from "postgres";
import { embeddedOptionsFromEnv } from "./embedded/options.ts";
import { openEmbedded } from "./embedded/server.ts";
import { onFailure } from "./plain_errors.ts";
import { repoRoot } from "./process.ts";
import { supabaseCli } from "./supabase_cli.ts";

/**
 * The server `npm test` (and gen:types) make throwaway databases on when
 * DATABASE_URL is unset: the machine's PostgreSQL, which has pgTAP.
 */
export const TEST_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

/** The lab database's name on the embedded server. */
export const LAB_DATABASE = "lab";

/** The role that plays Supabase's non-superuser `postgres` (see scripts/platform.sql). */
export const APP_ROLE = "lab_postgres";

/** The parts of a database URL the scripts need. */
export interface DatabaseTarget {
  /** Superuser URL of the target database. */
  adminUrl: string;
  /** URL of the same database as the app role: migrations, pgTAP and functions use it. */
  appUrl: string;
  /** Database name. */
  name: string;
}

/**
 * Describes the database named by an admin URL.
 *
 * @example
 * const db = databaseTarget("postgresql://postgres@127.0.0.1:5432/lab");
 * db.appUrl; // "postgresql://lab_postgres@127.0.0.1:5432/lab"
 */
export function databaseTarget(adminUrl: string): DatabaseTarget {
  const url = new URL(adminUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new Error(`Invalid database name: "${name}" (use lowercase letters, digits and _)`);
  }
  const app = new URL(adminUrl);
  app.username = APP_ROLE;
  app.password = "";
  return { adminUrl, appUrl: app.toString(), name };
}

/** The lab database a script works on, and how to let go of its server. */
export interface LabServer {
  target: DatabaseTarget;
  /** True when it is the embedded server (DATABASE_URL unset). */
  embedded: boolean;
  /** Stops the embedded server if this process started it; otherwise does nothing. */
  close(): Promise<void>;
}

/**
 * The database named by DATABASE_URL, exactly as given; without it the `lab`
 * database on the embedded server, which is started unless another lab
 * command runs it. `exclusive` (npm start) insists on owning the server.
 *
 * @example
 * const server = await openLabServer();
 * try { await ensureLocalUser(server.target.appUrl, email); } finally { await server.close(); }
 */
export async function openLabServer(options: { exclusive?: boolean } = {}): Promise<LabServer> {
  const given = Deno.env.get("DATABASE_URL");
  if (given) {
    return {
      target: databaseTarget(given),
      embedded: false,
      close: () => Promise.resolve(),
    };
  }
  const server = await openEmbedded(embeddedOptionsFromEnv(), options);
  onFailure(server.stop);
  const url = new URL(server.url);
  url.pathname = `/${LAB_DATABASE}`;
  return { target: databaseTarget(url.toString()), embedded: true, close: server.stop };
}

/** The same server's maintenance database, for CREATE/DROP DATABASE. */
function maintenanceUrl(adminUrl: string): string {
  const url = new URL(adminUrl);
  url.pathname = "/postgres";
  return url.toString();
}

function connect(url: string) {
  return postgres(url, { max: 1, onnotice: () => {} });
}

/** Drops the database if it exists (terminating its connections). */
export async function dropDatabase(target: DatabaseTarget): Promise<void> {
  const sql = connect(maintenanceUrl(target.adminUrl));
  try {
    await sql.unsafe(`drop database if exists "${target.name}" with (force)`);
  } finally {
    await sql.end();
  }
}

/** Creates the database if it does not exist yet. */
export async function createDatabase(target: DatabaseTarget): Promise<void> {
  const sql = connect(maintenanceUrl(target.adminUrl));
  try {
    const [row] = await sql`select 1 as found from pg_database where datname = ${target.name}`;
    if (!row) await sql.unsafe(`create database "${target.name}"`);
  } finally {
    await sql.end();
  }
}

/** Key of the advisory lock that serializes platform.sql across the whole server. */
export const PLATFORM_LOCK = 7_415_204_311;

/**
 * Applies scripts/platform.sql when the database lacks the Supabase platform
 * (no auth.users, or no realtime.messages), then hands the database to the app
 * role. A database that has both, such as a real Supabase one, is left alone.
 *
 * Its roles are cluster-wide, and two sessions altering the same role at once
 * fail with "tuple concurrently updated" (two `npm test` runs, or a test run
 * and a `db:reset`, on one server). Advisory locks belong to one database, so
 * the lock is held in the server's `postgres` database, which every caller shares.
 */
export async function ensurePlatform(target: DatabaseTarget): Promise<"applied" | "present"> {
  const lock = connect(maintenanceUrl(target.adminUrl));
  const sql = connect(target.adminUrl);
  try {
    // A database made before a section was added (realtime) gets it on the next start.
    const [{ present }] = await sql`
      select to_regclass('auth.users') is not null and to_regclass('realtime.messages') is not null
        as present`;
    if (present) return "present";
    const platform = await Deno.readTextFile(`${repoRoot}/scripts/platform.sql`);
    await lock`select pg_advisory_lock(${PLATFORM_LOCK})`;
    await sql.unsafe(platform);
    await sql.unsafe(`alter database "${target.name}" owner to ${APP_ROLE}`);
    return "applied";
  } finally {
    await sql.end();
    await lock.end(); // ending the session releases the lock
  }
}

/** Creates an extension in the `extensions` schema (as Supabase keeps them), if missing. */
export async function createExtension(target: DatabaseTarget, name: string): Promise<void> {
  const sql = connect(target.adminUrl);
  try {
    await sql.unsafe(`create extension if not exists "${name}" with schema extensions`);
  } finally {
    await sql.end();
  }
}

/** Applies pending migrations with the real Supabase CLI, as the app role. */
export async function migrate(target: DatabaseTarget): Promise<void> {
  await supabaseCli(["migration", "up", `--remote=${target.appUrl}`, "--yes"]);
}

/** Loads supabase/seed.sql (local demo data) as the app role. */
export async function seed(target: DatabaseTarget): Promise<void> {
  const sql = connect(target.appUrl);
  try {
    await sql.unsafe(await Deno.readTextFile(`${repoRoot}/supabase/seed.sql`));
  } finally {
    await sql.end();
  }
}

/** True when the database exists and has the lab's tables. */
export async function isLabDatabase(target: DatabaseTarget): Promise<boolean> {
  const sql = connect(maintenanceUrl(target.adminUrl));
  try {
    const [row] = await sql`select 1 as found from pg_database where datname = ${target.name}`;
    if (!row) return false;
  } finally {
    await sql.end();
  }
  const db = connect(target.adminUrl);
  try {
    const [{ ready }] = await db`select to_regclass('public.experiments') is not null as ready`;
    return ready;
  } finally {
    await db.end();
  }
}

/** Create (if needed), platform (if missing), migrations: a database ready for the lab. */
export async function prepareDatabase(
  target: DatabaseTarget,
  options: { seed?: boolean } = {},
): Promise<void> {
  await createDatabase(target);
  await ensurePlatform(target);
  await migrate(target);
  if (options.seed) await seed(target);
}

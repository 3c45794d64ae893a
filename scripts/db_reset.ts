/**
 * `npm run db:reset` — recreates the lab database named by DATABASE_URL
 * (default postgresql://postgres@127.0.0.1:5432/lab): drop, create, the local
 * platform stand-in, every migration through the Supabase CLI, then seed.sql.
 * Refuses hosts other than this machine: a real project is migrated with
 * `supabase db push`, never reset from here.
 */
import {
  databaseTarget,
  DEFAULT_DATABASE_URL,
  dropDatabase,
  prepareDatabase,
} from "./lib/database.ts";

const target = databaseTarget(Deno.env.get("DATABASE_URL") ?? DEFAULT_DATABASE_URL);
const host = new URL(target.adminUrl).hostname;
if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
  console.error(`Refusing to reset a database on ${host}: db:reset only works on this machine.`);
  Deno.exit(1);
}

await dropDatabase(target);
await prepareDatabase(target, { seed: true });
console.log(`Database "${target.name}" recreated: platform, migrations and seed applied.`);

/**
 * `npm run db:reset` — recreates the lab database: DATABASE_URL's, or `lab` on
 * the embedded PostgreSQL (started for the reset unless `npm start` runs it):
 * drop, create, the local platform stand-in, every migration through the
 * Supabase CLI, then seed.sql. Refuses hosts other than this machine: a real
 * project is migrated with `supabase db push`, never reset from here.
 */
import { dropDatabase, openLabServer, prepareDatabase } from "./lib/database.ts";
import { installPlainErrors, PlainError } from "./lib/plain_errors.ts";

installPlainErrors();
const server = await openLabServer();
const target = server.target;
const host = new URL(target.adminUrl).hostname;
if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
  throw new PlainError(
    `Refusing to reset a database on ${host}: db:reset only works on this machine.`,
  );
}

await dropDatabase(target);
await prepareDatabase(target, { seed: true });
await server.close();
console.log(`Database "${target.name}" recreated: platform, migrations and seed applied.`);

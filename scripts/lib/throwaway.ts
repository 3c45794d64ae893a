/** LOCAL STACK: a uniquely named lab database that lives for one run. */
import {
  type DatabaseTarget,
  databaseTarget,
  dropDatabase,
  prepareDatabase,
  TEST_SERVER_URL,
} from "./database.ts";

/**
 * Creates a fresh database on the server of DATABASE_URL, or else the
 * machine's PostgreSQL on :5432 (platform and migrations applied), runs `fn`
 * with it, and drops it afterwards, whatever happened.
 *
 * @example
 * await withThrowawayDatabase("test", async (db) => console.log(db.appUrl));
 */
export async function withThrowawayDatabase<T>(
  purpose: string,
  fn: (target: DatabaseTarget) => Promise<T>,
): Promise<T> {
  const server = new URL(Deno.env.get("DATABASE_URL") ?? TEST_SERVER_URL);
  const suffix = crypto.randomUUID().slice(0, 8);
  server.pathname = `/lab_${purpose}_${suffix}`;
  const target = databaseTarget(server.toString());
  try {
    await prepareDatabase(target);
    return await fn(target);
  } finally {
    await dropDatabase(target);
  }
}

/**
 * LOCAL STACK: terminates a stack's database backends on a fixed beat, as a
 * failover, a pooler restart or a maintenance restart would. Only backends
 * whose application_name is the one given are touched, so other users of
 * the same server (parallel tests) are left alone.
 *
 * @module
 */
import postgres from "postgres";

/** A running terminator. */
export interface Terminator {
  /** Stops it; resolves with how many backends it terminated, over how many rounds. */
  stop(): Promise<{ rounds: number; terminated: number }>;
}

/**
 * Every `everyMs`, terminates each backend of the database at `adminUrl`
 * whose application_name is `applicationName`.
 *
 * @example
 * const terminator = startTerminator(adminUrl, "lab-fault-1a2b", { everyMs: 150 });
 * const { terminated } = await terminator.stop();
 */
export function startTerminator(
  adminUrl: string,
  applicationName: string,
  options: { everyMs?: number } = {},
): Terminator {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const everyMs = options.everyMs ?? 150;
  let rounds = 0;
  let terminated = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const [row] = await sql<{ n: number }[]>`
        select count(*) filter (where pg_terminate_backend(pid))::int as n
          from pg_stat_activity
         where datname = current_database() and application_name = ${applicationName}`
        .catch(() => [{ n: 0 }]);
      rounds++;
      terminated += row.n;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await sql.end({ timeout: 1 });
      return { rounds, terminated };
    },
  };
}

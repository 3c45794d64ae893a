/**
 * A connection lost inside a transaction, in a process of its own, because
 * postgres.js 3.4.9 as published dies of it (an uncaught TypeError from a
 * `setImmediate`). Run as `deno run -A connection_loss_child.ts <upstream|lab> <scenario>
 * <superuser url>`; prints one JSON line with what the transaction and the next query saw.
 *
 * Scenarios:
 * - `idle`: the backend is terminated between two statements of a transaction;
 * - `in-flight`: the backend is terminated while a statement of the transaction runs;
 * - `reconnected`: with one connection, another query reconnects it before the
 *   transaction's next statement, which must not run outside the transaction;
 * - `pool`: no transaction, a pooled query's backend is terminated while it runs;
 *   the next query must get a new session, not the dead one's error.
 *
 * @module
 */
import type postgres from "postgres";

const [driver, scenario, url] = Deno.args;
const module = driver === "upstream"
  ? await import("postgres-published")
  : await import("postgres");
const connect = module.default as typeof postgres;

/** Resolves when the pool reports a connection closed. */
let closedOnce: () => void = () => {};
const closed = new Promise<void>((resolve) => closedOnce = resolve);

const sql = connect(url, {
  max: scenario === "reconnected" || scenario === "pool" ? 1 : 2,
  onnotice: () => {},
  onclose: () => closedOnce(),
});
const admin = connect(url, { max: 1, onnotice: () => {} });
const probe = `lab_connection_loss_${crypto.randomUUID().replaceAll("-", "")}`;
await admin.unsafe(`create table public.${probe} (n int)`);

function codeOf(error: unknown): string {
  return String((error as { code?: unknown })?.code ?? (error as Error)?.message ?? error);
}

let transaction = "committed";
let steps: Promise<void> = Promise.resolve();
if (scenario === "pool") {
  const [{ pid }] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const running = sql`select pg_sleep(5)`.execute();
  running.catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 50));
  await admin`select pg_terminate_backend(${pid})`;
  transaction = await running.then(() => "succeeded", codeOf);
} else {
  try {
    await sql.begin((tx) =>
      steps = (async () => {
        const [{ pid }] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
        if (scenario === "in-flight") {
          const running = tx`select pg_sleep(5)`.execute();
          running.catch(() => {});
          await admin`select pg_terminate_backend(${pid})`;
          await running;
        }
        await admin`select pg_terminate_backend(${pid})`;
        await closed;
        if (scenario === "reconnected") await sql`select 1`;
        await new Promise((resolve) => setTimeout(resolve, 50));
        await tx.unsafe(`insert into public.${probe} values (1)`);
      })()
    );
  } catch (error) {
    transaction = codeOf(error);
  }
}
// The transaction's callback runs on after the transaction has failed: wait for its last statement.
const afterLoss = await steps.then(() => "succeeded", codeOf);

let next: string;
try {
  const [{ one }] = await sql<{ one: number }[]>`select 1 as one`;
  next = String(one);
} catch (error) {
  next = codeOf(error);
}
const [{ n }] = await admin.unsafe<{ n: number }[]>(
  `select count(*)::int as n from public.${probe}`,
);
await admin.unsafe(`drop table public.${probe}`);
console.log(JSON.stringify({ transaction, afterLoss, next, written: n }));
await sql.end({ timeout: 1 });
await admin.end({ timeout: 1 });

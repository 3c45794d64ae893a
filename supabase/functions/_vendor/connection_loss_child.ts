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
 *   the next query must get a new session, not the dead one's error;
 * - `error-then-close`: a statement in flight fails with the socket's error (EPIPE, as a
 *   write after a terminated backend's FIN does) and the socket's close comes a moment
 *   later; the rollback sent in between must fail with the dead session, not wait in the
 *   connection for the next session's answers (the next transaction must still work);
 * - `committed`: the session dies right after the server answered COMMIT, before
 *   its ReadyForQuery (as a backend terminated at that moment does: the server
 *   commits, answers CommandComplete, then sends FATAL 57P01 and closes); the
 *   transaction committed, so it must not fail. A proxy between the driver and
 *   the server cuts the session at that exact message.
 *
 * @module
 */
import net from "node:net";
import type postgres from "postgres";

const [driver, scenario, url] = Deno.args;
const module = driver === "upstream"
  ? await import("postgres-published")
  : await import("postgres");
const connect = module.default as typeof postgres;

/** Resolves when the pool reports a connection closed. */
let closedOnce: () => void = () => {};
const closed = new Promise<void>((resolve) => closedOnce = resolve);

/**
 * Forwards a port to the server of `target`; once `armed`, the first
 * CommandComplete "COMMIT" it relays is followed by a FATAL 57P01 and the
 * end of both connections, as pg_terminate_backend at that moment does.
 */
function cutAfterCommit(target: string) {
  const server = new URL(target);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const control = { armed: false, cut: 0 };
  const fatal = (() => {
    const fields = new TextEncoder().encode(
      "SFATAL\0VFATAL\0C57P01\0Mterminating connection due to administrator command\0\0",
    );
    const message = new Uint8Array(5 + fields.length);
    message[0] = 0x45; // 'E'
    new DataView(message.buffer).setInt32(1, 4 + fields.length);
    message.set(fields, 5);
    return message;
  })();
  (async () => {
    for await (const client of listener) {
      const upstream = await Deno.connect({
        hostname: server.hostname,
        port: Number(server.port || 5432),
      });
      client.readable.pipeTo(upstream.writable).catch(() => {});
      (async () => {
        let pending = new Uint8Array(0);
        const writer = client.writable.getWriter();
        try {
          for await (const chunk of upstream.readable) {
            const joined = new Uint8Array(pending.length + chunk.length);
            joined.set(pending);
            joined.set(chunk, pending.length);
            let at = 0;
            while (joined.length - at >= 5) {
              const length = new DataView(joined.buffer, at + 1, 4).getInt32(0);
              if (joined.length - at < 1 + length) break;
              const message = joined.subarray(at, at + 1 + length);
              at += 1 + length;
              const tag = new TextDecoder().decode(message.subarray(5, message.length - 1));
              if (control.armed && message[0] === 0x43 && tag === "COMMIT") {
                control.armed = false;
                control.cut++;
                await writer.write(message);
                await writer.write(fatal);
                await writer.close();
                upstream.close();
                return;
              }
              await writer.write(message);
            }
            pending = joined.slice(at);
          }
        } catch {
          // either side went away
        }
      })();
    }
  })();
  const proxied = new URL(target);
  proxied.hostname = "127.0.0.1";
  proxied.port = String((listener.addr as Deno.NetAddr).port);
  return { url: proxied.toString(), control, close: () => listener.close() };
}

const proxy = scenario === "committed" ? cutAfterCommit(url) : null;
/** The socket of the pool's connection (`error-then-close` opens them itself). */
let current: net.Socket | null = null;
const sql = connect(proxy?.url ?? url, {
  ...(scenario === "error-then-close"
    ? {
      socket: () => {
        const { hostname, port } = new URL(url);
        return current = net.connect(Number(port || 5432), hostname);
      },
    }
    : {}),
  max: ["reconnected", "pool", "error-then-close"].includes(scenario) ? 1 : 2,
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
if (scenario === "error-then-close") {
  const failing = sql.begin(async (tx) => {
    await tx`select pg_sleep(0.3)`;
  }).then(() => "committed", codeOf);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const socket = current!;
  socket.emit(
    "error",
    Object.assign(new Error("This socket has been ended by the other party"), { code: "EPIPE" }),
  );
  // The close event follows on a later turn, after the transaction has sent its rollback.
  await new Promise((resolve) => setTimeout(resolve, 20));
  socket.emit("close", true);
  socket.destroy();
  transaction = await failing;
  if (transaction === "EPIPE") transaction = "CONNECTION_CLOSED";
} else if (scenario === "committed") {
  proxy!.control.armed = true;
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(`insert into public.${probe} values (1)`);
    });
  } catch (error) {
    transaction = codeOf(error);
  }
  if (proxy!.control.cut !== 1) throw new Error("The proxy did not cut the session after COMMIT");
} else if (scenario === "pool") {
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
  // A transaction whose statement has a parameter: it needs its Bind after the server's
  // description, which a connection still waiting for a dead session's answer never sends.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const [{ one }] = await Promise.race([
    sql.begin((tx) => tx<{ one: number }[]>`select ${1}::int as one`),
    new Promise<never>((_, reject) => timer = setTimeout(() => reject(new Error("HUNG")), 3000)),
  ]);
  clearTimeout(timer);
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
proxy?.close();

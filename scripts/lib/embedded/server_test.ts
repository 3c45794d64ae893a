import assert from "node:assert/strict";
import postgres from "postgres";
import type { EmbeddedOptions } from "./options.ts";
import { openEmbedded } from "./server.ts";
import { exists } from "../path.ts";
import { PlainError } from "../plain_errors.ts";

/** A data folder of its own, reachable by the server's user when running as root. */
async function options(): Promise<EmbeddedOptions> {
  const dir = await Deno.makeTempDir({ prefix: "lab_embedded_" });
  await Deno.chmod(dir, 0o755);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return { port, dataDir: `${dir}/postgres`, logFile: `${dir}/postgres.log` };
}

async function query<T>(url: string, text: string): Promise<T[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await sql.unsafe(text) as unknown as T[];
  } finally {
    await sql.end();
  }
}

Deno.test("the embedded server starts with logical decoding, is shared, stops cleanly and keeps its data", async () => {
  const opts = await options();
  const first = await openEmbedded(opts, { exclusive: true });
  try {
    assert.equal(first.owned, true);
    const [settings] = await query<{ wal_level: string; slots: string }>(
      first.url,
      "select current_setting('wal_level') as wal_level, current_setting('max_replication_slots') as slots",
    );
    assert.deepEqual(settings, { wal_level: "logical", slots: "10" });
    await query(first.url, "create table kept (note text); insert into kept values ('still here')");

    const shared = await openEmbedded(opts);
    assert.equal(shared.owned, false);
    await shared.stop();
    await assert.rejects(
      openEmbedded(opts, { exclusive: true }),
      (error) =>
        error instanceof PlainError && /is in use by another lab command/.test(error.message),
    );
  } finally {
    await first.stop();
  }
  const pidFile = await exists(`${opts.dataDir}/postmaster.pid`);
  assert.equal(pidFile, false, "a clean stop leaves no lock behind");

  const second = await openEmbedded(opts, { exclusive: true });
  try {
    const rows = await query<{ note: string }>(second.url, "select note from kept");
    assert.deepEqual(rows.map((r) => r.note), ["still here"]);
  } finally {
    await second.stop();
    await Deno.remove(opts.dataDir.replace(/\/postgres$/, ""), { recursive: true });
  }
});

Deno.test("the embedded server refuses a port another program holds, naming LAB_DB_PORT", async () => {
  const opts = await options();
  const holder = Deno.listen({ hostname: "127.0.0.1", port: opts.port });
  try {
    await assert.rejects(
      openEmbedded(opts),
      new PlainError(
        `Port ${opts.port} is in use by another program: set LAB_DB_PORT to run the embedded database ` +
          "on another port, or DATABASE_URL to use an existing server.",
      ),
    );
  } finally {
    holder.close();
    await Deno.remove(opts.dataDir.replace(/\/postgres$/, ""), { recursive: true });
  }
});

/**
 * BENCH: the machine and versions a run is measured on.
 *
 * @module
 */
import postgres from "postgres";
import { supabaseCli } from "../lib/supabase_cli.ts";
import type { RunEnvironment } from "./report.ts";

/** Total memory from /proc/meminfo, in MB; null where there is none. */
async function memoryMb(): Promise<number | null> {
  const text = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const match = /^MemTotal:\s+(\d+) kB/m.exec(text);
  return match ? Math.round(Number(match[1]) / 1024) : null;
}

/**
 * Cores (`navigator.hardwareConcurrency`, what `nproc` prints), memory, the
 * Deno, PostgreSQL and Supabase CLI versions, and the date.
 *
 * @example
 * const environment = await describeEnvironment(target.adminUrl, "full");
 */
export async function describeEnvironment(
  databaseUrl: string,
  mode: "quick" | "full",
): Promise<RunEnvironment> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  let server = "unknown";
  try {
    const [row] = await sql<{ server_version: string }[]>`show server_version`;
    server = row.server_version;
  } finally {
    await sql.end();
  }
  const cli = await supabaseCli(["--version"]).then((r) => r.stdout.trim(), () => "unknown");
  return {
    date: new Date().toISOString(),
    cores: navigator.hardwareConcurrency,
    memoryMb: await memoryMb(),
    deno: Deno.version.deno,
    postgres: server,
    supabaseCli: cli,
    mode,
  };
}

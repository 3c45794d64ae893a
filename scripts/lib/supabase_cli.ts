/** LOCAL STACK: the real Supabase CLI (from npm), pointed at this machine's server. */
import { run, type RunResult } from "./process.ts";

/**
 * Runs `supabase <args>` quietly. The local server has no TLS, so
 * PGSSLMODE=disable keeps the CLI from printing a TLS warning into the
 * output (which `gen types` writes to stdout).
 *
 * @example
 * await supabaseCli(["migration", "up", `--remote=${url}`, "--yes"]);
 */
export function supabaseCli(args: string[]): Promise<RunResult> {
  return run(["npx", "--no-install", "supabase", ...args], {
    quiet: true,
    env: { PGSSLMODE: "disable" },
  });
}

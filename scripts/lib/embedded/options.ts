/** LOCAL STACK: where the embedded server runs — its port and data folder (LAB_DB_PORT, LAB_DB_DIR). */
import { portFromEnv } from "../ports.ts";
import { repoRoot } from "../process.ts";

/** `supabase start` serves its database on this port too. */
export const DEFAULT_EMBEDDED_PORT = 54322;

/** Where and on which port the embedded server runs. */
export interface EmbeddedOptions {
  port: number;
  dataDir: string;
  logFile: string;
}

/** LAB_DB_PORT and LAB_DB_DIR, or the defaults. */
export function embeddedOptionsFromEnv(): EmbeddedOptions {
  const port = portFromEnv("LAB_DB_PORT", DEFAULT_EMBEDDED_PORT);
  const dataDir = Deno.env.get("LAB_DB_DIR") ?? `${repoRoot}/.lab/postgres`;
  return { port, dataDir, logFile: `${dataDir}.log` };
}

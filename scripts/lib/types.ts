/** LOCAL STACK: database type generation with the Supabase CLI. */
import type { DatabaseTarget } from "./database.ts";
import { repoRoot } from "./process.ts";
import { supabaseCli } from "./supabase_cli.ts";

/** Where the generated types are committed (shared by functions and client). */
export const TYPES_PATH = `${repoRoot}/supabase/functions/_shared/db/database.types.ts`;

/** Generates the TypeScript types of the public schema of a database. */
export async function generateTypes(target: DatabaseTarget): Promise<string> {
  const { stdout } = await supabaseCli([
    "gen",
    "types",
    "typescript",
    `--remote=${target.appUrl}`,
    "--schema",
    "public",
  ]);
  return stdout;
}

/**
 * LOCAL STACK: which functions exist and whether the gateway verifies their
 * JWT, read from supabase/config.toml exactly as `supabase functions serve`
 * does (`[functions.NAME] verify_jwt`, default true; `enabled`, default true).
 */
import { parse } from "smol-toml";
import { repoRoot } from "../lib/process.ts";

/** One function's gateway settings. */
export interface FunctionConfig {
  name: string;
  verifyJwt: boolean;
}

/** Parses the `[functions.*]` tables of a config.toml text. */
export function parseFunctionsConfig(toml: string): FunctionConfig[] {
  const config = parse(toml) as {
    functions?: Record<string, { verify_jwt?: boolean; enabled?: boolean }>;
  };
  return Object.entries(config.functions ?? {})
    .filter(([, settings]) => settings.enabled !== false)
    .map(([name, settings]) => ({ name, verifyJwt: settings.verify_jwt ?? true }));
}

/** The functions of this repository's supabase/config.toml. */
export async function loadFunctionsConfig(): Promise<FunctionConfig[]> {
  return parseFunctionsConfig(await Deno.readTextFile(`${repoRoot}/supabase/config.toml`));
}

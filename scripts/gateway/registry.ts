/**
 * LOCAL STACK: the lab's functions as the gateway starts them. A function
 * NAME lives in supabase/functions/NAME/app.ts and exports its
 * `FunctionModule` under its name in camelCase (`export const generate`,
 * `export const systemMetrics` for system-metrics); it is started from an
 * environment of its own, validated exactly as `index.ts` validates Deno.env.
 */
import type { BaseEnv } from "../../supabase/functions/_shared/env.ts";
import {
  type FunctionModule,
  type StartedFunction,
  startFunction,
} from "../../supabase/functions/_shared/runtime.ts";

/**
 * Imports function NAME and starts it with `env`; null when the function has
 * no app module yet.
 *
 * @example
 * const fn = await startLabFunction("calibration", env);
 */
export async function startLabFunction(
  name: string,
  env: Record<string, string>,
): Promise<StartedFunction | null> {
  if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new Error(`Invalid function name: "${name}"`);
  const url = new URL(`../../supabase/functions/${name}/app.ts`, import.meta.url);
  const exists = await Deno.stat(url).then(() => true, () => false);
  if (!exists) return null;
  const module = (await import(url.href)) as Record<string, FunctionModule<BaseEnv> | undefined>;
  const exported = exportName(name);
  const fn = module[exported];
  if (!fn) throw new Error(`supabase/functions/${name}/app.ts does not export "${exported}"`);
  return startFunction(fn, env);
}

/**
 * The export that holds function NAME's module: NAME in camelCase.
 *
 * @example
 * exportName("system-metrics"); // "systemMetrics"
 */
export function exportName(name: string): string {
  return name.replace(/[-_]([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * BENCH: one lab function alone in its own process (`--name exports`), so
 * its peak memory (VmHWM) is its own. The function gets the same
 * environment the stack would give it, from BENCH_FUNCTION_ENV (JSON).
 *
 * @module
 */
import { startLabFunction } from "../gateway/registry.ts";
import { announceReady, stopOnSignal } from "./child.ts";

const index = Deno.args.indexOf("--name");
const name = index === -1 ? "" : Deno.args[index + 1];
const env = JSON.parse(Deno.env.get("BENCH_FUNCTION_ENV") ?? "{}") as Record<string, string>;
const fn = await startLabFunction(name, env);
if (!fn) throw new Error(`Cannot serve function: supabase/functions/${name}/app.ts does not exist`);
const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, fn.app.fetch);
announceReady({ url: `http://127.0.0.1:${server.addr.port}/${name}` });
stopOnSignal(async () => {
  await server.shutdown();
  await fn.close();
});

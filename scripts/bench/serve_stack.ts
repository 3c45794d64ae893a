/**
 * BENCH: the local stack (gateway, functions, Storage stand-in) in a process
 * of its own, pointed at a model server given by the bench. Environment:
 * BENCH_DATABASE_URL (app-role URL), BENCH_MODEL_URL (OpenAI base URL), and
 * BENCH_FUNCTION_ENV (JSON, extra variables for the functions).
 *
 * @module
 */
import { startStack } from "../lib/stack.ts";
import { announceReady, stopOnSignal } from "./child.ts";

const databaseUrl = Deno.env.get("BENCH_DATABASE_URL");
const modelUrl = Deno.env.get("BENCH_MODEL_URL");
if (!databaseUrl || !modelUrl) {
  throw new Error("Cannot start the stack: BENCH_DATABASE_URL and BENCH_MODEL_URL are required");
}
const extra = JSON.parse(Deno.env.get("BENCH_FUNCTION_ENV") ?? "{}") as Record<string, string>;
const storageDir = await Deno.makeTempDir({ prefix: "lab-bench-storage-" });
const stack = await startStack({
  databaseUrl,
  port: 0,
  storageDir,
  env: { OPENAI_API_KEY: "sk-offline-bench", OPENAI_BASE_URL: modelUrl, ...extra },
});
announceReady({ url: stack.url, anonKey: stack.anonKey });
stopOnSignal(async () => {
  await stack.stop();
  await Deno.remove(storageDir, { recursive: true });
});

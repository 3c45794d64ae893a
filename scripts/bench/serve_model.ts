/**
 * BENCH: the offline model server in a process of its own, answering after
 * a fixed delay (`--latency-ms N`, default 0), so the model's own work never
 * shares the lab's event loop.
 *
 * @module
 */
import { startModelServer } from "../model_server/main.ts";
import { announceReady, stopOnSignal } from "./child.ts";

const index = Deno.args.indexOf("--latency-ms");
const latencyMs = index === -1 ? 0 : Number(Deno.args[index + 1]);
if (!Number.isInteger(latencyMs) || latencyMs < 0) {
  throw new Error(`Invalid --latency-ms: ${Deno.args[index + 1]}`);
}
const model = await startModelServer({ port: 0 });
model.control.set({ latencyMs });
announceReady({ url: model.url });
stopOnSignal(() => model.shutdown());

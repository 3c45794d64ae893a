import { startFunction } from "../_shared/runtime.ts";
import { systemMetrics } from "./app.ts";

Deno.serve(startFunction(systemMetrics).app.fetch);

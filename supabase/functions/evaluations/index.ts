import { startFunction } from "../_shared/runtime.ts";
import { evaluations } from "./app.ts";

Deno.serve(startFunction(evaluations).app.fetch);

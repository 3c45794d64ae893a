import { startFunction } from "../_shared/runtime.ts";
import { arenas } from "./app.ts";

Deno.serve(startFunction(arenas).app.fetch);

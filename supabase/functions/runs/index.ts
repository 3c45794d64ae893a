import { startFunction } from "../_shared/runtime.ts";
import { runs } from "./app.ts";

Deno.serve(startFunction(runs).app.fetch);

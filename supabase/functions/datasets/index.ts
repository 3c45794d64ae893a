import { startFunction } from "../_shared/runtime.ts";
import { datasets } from "./app.ts";

Deno.serve(startFunction(datasets).app.fetch);

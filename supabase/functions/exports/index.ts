import { startFunction } from "../_shared/runtime.ts";
import { exports } from "./app.ts";

Deno.serve(startFunction(exports).app.fetch);

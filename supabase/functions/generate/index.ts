import { startFunction } from "../_shared/runtime.ts";
import { generate } from "./app.ts";

Deno.serve(startFunction(generate).app.fetch);

import { startFunction } from "../_shared/runtime.ts";
import { health } from "./app.ts";

Deno.serve(startFunction(health).app.fetch);

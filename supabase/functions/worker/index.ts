import { startFunction } from "../_shared/runtime.ts";
import { worker } from "./app.ts";

Deno.serve(startFunction(worker).app.fetch);

import { startFunction } from "../_shared/runtime.ts";
import { calibration } from "./app.ts";

Deno.serve(startFunction(calibration).app.fetch);

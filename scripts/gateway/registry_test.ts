import { equal } from "node:assert/strict";
import { exportName } from "./registry.ts";

Deno.test("a function's module is exported under its name in camelCase", () => {
  equal(exportName("generate"), "generate");
  equal(exportName("system-metrics"), "systemMetrics");
  equal(exportName("a-b_c"), "aBC");
});

import { deepEqual } from "node:assert/strict";
import { loadFunctionsConfig, parseFunctionsConfig } from "./functions_config.ts";

Deno.test("verify_jwt defaults to true and disabled functions are left out", () => {
  const config = parseFunctionsConfig(`
[functions.a]
verify_jwt = false
[functions.b]
enabled = true
[functions.c]
enabled = false
`);
  deepEqual(config, [{ name: "a", verifyJwt: false }, { name: "b", verifyJwt: true }]);
});

Deno.test("the repository's config declares the three lab functions with verify_jwt on", async () => {
  const names = (await loadFunctionsConfig()).map((f) => `${f.name}:${f.verifyJwt}`).sort();
  deepEqual(names, ["calibration:true", "exports:true", "generate:true"]);
});

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

Deno.test("the repository's config declares every function folder, the user-facing ones with verify_jwt on, health without", async () => {
  const config = await loadFunctionsConfig();
  const folders: string[] = [];
  for await (const entry of Deno.readDir(new URL("../../supabase/functions/", import.meta.url))) {
    const index = new URL(`../../supabase/functions/${entry.name}/index.ts`, import.meta.url);
    if (entry.isDirectory && await Deno.stat(index).then(() => true, () => false)) {
      folders.push(entry.name);
    }
  }
  deepEqual(config.map((f) => f.name).sort(), folders.sort());
  const userFacing = [
    "arenas",
    "calibration",
    "evaluations",
    "exports",
    "generate",
    "system-metrics",
    "worker",
  ];
  deepEqual(
    config.filter((f) => userFacing.includes(f.name)).map((f) => `${f.name}:${f.verifyJwt}`).sort(),
    userFacing.map((name) => `${name}:true`),
  );
  deepEqual(config.find((f) => f.name === "health"), { name: "health", verifyJwt: false });
});

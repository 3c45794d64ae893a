import { equal, ok as assert } from "node:assert/strict";
import { defaultCode } from "../errors.ts";
import { ERROR_CODES, isErrorCode } from "./error_codes.ts";

Deno.test("isErrorCode knows the lab's codes and nothing else", () => {
  for (const code of Object.keys(ERROR_CODES)) assert(isErrorCode(code), code);
  for (const value of ["", "toString", "constructor", "Not_Found", 404, null]) {
    equal(isErrorCode(value), false, String(value));
  }
});

Deno.test("every code the migrations raise is one of the lab's codes", async () => {
  const dir = new URL("../../../migrations/", import.meta.url);
  for await (const entry of Deno.readDir(dir)) {
    const sql = await Deno.readTextFile(new URL(entry.name, dir));
    for (const [, code] of sql.matchAll(/raise_http_error\(\s*\d+,\s*'([a-z_]+)'/g)) {
      assert(isErrorCode(code), `${entry.name}: ${code}`);
    }
  }
});

Deno.test("every status's default code is one of the lab's codes", () => {
  for (let status = 400; status <= 599; status++) {
    assert(isErrorCode(defaultCode(status)), `status ${status}`);
  }
});

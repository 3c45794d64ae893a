import { equal, ok as assert } from "node:assert/strict";
import { defaultCode } from "../errors.ts";
import { ERROR_CODES, isErrorCode } from "./error_codes.ts";

Deno.test("isErrorCode knows the lab's codes and nothing else", () => {
  for (const code of Object.keys(ERROR_CODES)) assert(isErrorCode(code), code);
  for (const value of ["", "toString", "constructor", "Not_Found", 404, null]) {
    equal(isErrorCode(value), false, String(value));
  }
});

Deno.test("every status's default code is one of the lab's codes", () => {
  for (let status = 400; status <= 599; status++) {
    assert(isErrorCode(defaultCode(status)), `status ${status}`);
  }
});

import { equal } from "node:assert/strict";
import { isIdempotencyKey, MAX_IDEMPOTENCY_KEY_LENGTH } from "./idempotency.ts";

Deno.test("isIdempotencyKey takes 1-255 visible ASCII characters", () => {
  equal(isIdempotencyKey(crypto.randomUUID()), true);
  equal(isIdempotencyKey("~!".repeat(MAX_IDEMPOTENCY_KEY_LENGTH / 2) + "x"), true);
  for (
    const key of ["", "two words", "tab\there", "ü", "x".repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1)]
  ) {
    equal(isIdempotencyKey(key), false, JSON.stringify(key));
  }
});

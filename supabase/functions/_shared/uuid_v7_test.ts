import assert from "node:assert/strict";
import { isUuid } from "./http/correlation.ts";
import { uuidV7 } from "./uuid_v7.ts";

Deno.test("uuidV7 writes the time in the first 48 bits, then version 7 and the RFC variant", () => {
  const id = uuidV7(0x0193a4c27d1e);
  assert.ok(isUuid(id));
  assert.ok(id.startsWith("0193a4c2-7d1e-7"), id);
  assert.match(id[19], /[89ab]/);
});

Deno.test("uuidV7 ids of later milliseconds sort after earlier ones", () => {
  const ids = [1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000].map((t) => uuidV7(t));
  assert.deepEqual([...ids].sort(), ids);
});

Deno.test("uuidV7 ids of the same millisecond differ", () => {
  assert.notEqual(uuidV7(1_700_000_000_000), uuidV7(1_700_000_000_000));
});

Deno.test("uuidV7 refuses times outside 48 bits", () => {
  assert.throws(() => uuidV7(-1), /0 to 2\^48 - 1 milliseconds, got -1/);
  assert.throws(() => uuidV7(2 ** 48), RangeError);
});

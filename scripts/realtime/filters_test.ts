import assert from "node:assert/strict";
import { parseFilter, passesFilter } from "./filters.ts";

Deno.test("parseFilter reads column=op.value for every documented operator", () => {
  for (const op of ["eq", "neq", "lt", "lte", "gt", "gte"]) {
    assert.deepEqual(parseFilter(`score=${op}.5`), { column: "score", op, values: ["5"] });
  }
  assert.deepEqual(parseFilter('id=in.(a,"b,c",d)'), {
    column: "id",
    op: "in",
    values: ["a", "b,c", "d"],
  });
  assert.equal(parseFilter(undefined), null);
  assert.equal(parseFilter("  "), null);
});

Deno.test("parseFilter refuses unknown operators and bad lists with Realtime's reason", () => {
  assert.equal(parseFilter("subject=foo.hey"), 'Error parsing `filter` params: ["foo", "hey"]');
  assert.equal(parseFilter("undefined"), 'Error parsing `filter` params: ["undefined"]');
  assert.match(String(parseFilter("id=in.a,b")), /^Error parsing `filter` params: /);
  assert.match(
    String(parseFilter(`id=in.(${Array.from({ length: 101 }, (_, i) => i)})`)),
    /1 to 100/,
  );
});

Deno.test("passesFilter compares numbers as numbers and text as text; NULL never passes", () => {
  const gt = parseFilter("n=gt.9");
  assert.ok(gt && typeof gt !== "string");
  assert.equal(passesFilter(gt, "10", "int4"), true);
  assert.equal(passesFilter(gt, "10", "text"), false);
  assert.equal(passesFilter(gt, null, "int4"), false);
  const inList = parseFilter("id=in.(a,b)");
  assert.ok(inList && typeof inList !== "string");
  assert.equal(passesFilter(inList, "b", "text"), true);
  assert.equal(passesFilter(inList, "c", "text"), false);
  const neq = parseFilter("user_id=neq.u1");
  assert.ok(neq && typeof neq !== "string");
  assert.equal(passesFilter(neq, "u2", "uuid"), true);
  assert.equal(passesFilter(neq, "u1", "uuid"), false);
});

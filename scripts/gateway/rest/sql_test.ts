import assert from "node:assert/strict";
import { RestError } from "./errors.ts";
import { parseRestQuery } from "./query.ts";
import { buildSelect, buildUpdate, type TableInfo } from "./sql.ts";

const table: TableInfo = {
  name: "experiments",
  columns: new Map([["id", "uuid"], ["saved", "boolean"], ["parameters", "jsonb"], [
    "created_at",
    "timestamp with time zone",
  ]]),
};

Deno.test("buildSelect binds every value and quotes only known columns", () => {
  const statement = buildSelect(
    table,
    parseRestQuery(
      new URLSearchParams(
        "select=id,saved&id=eq.x'); drop table t;--&order=created_at.desc&limit=2",
      ),
    ),
  );
  assert.deepEqual(statement.params, ["x'); drop table t;--"]);
  assert.match(
    statement.text,
    /select "id", "saved" from public\."experiments" where "id" = cast\(\$1::text as uuid\)/,
  );
  assert.match(statement.text, /order by "created_at" desc limit 2/);
  assert.doesNotMatch(statement.text, /drop table/);
});

Deno.test("buildSelect passes an in-list as one JSON parameter", () => {
  const statement = buildSelect(table, parseRestQuery(new URLSearchParams("id=in.(a,b)")));
  assert.deepEqual(statement.params, ['["a","b"]']);
  assert.match(
    statement.text,
    /"id" in \(select cast\(v as uuid\) from jsonb_array_elements_text\(\$1/,
  );
});

Deno.test("buildSelect rejects an unknown column with PostgREST's 42703", () => {
  assert.throws(
    () => buildSelect(table, parseRestQuery(new URLSearchParams("select=nope"))),
    (error: unknown) =>
      error instanceof RestError && error.code === "42703" && error.status === 400,
  );
  assert.throws(
    () => buildSelect(table, parseRestQuery(new URLSearchParams("nope=eq.1"))),
    (error: unknown) => error instanceof RestError && error.code === "42703",
  );
});

Deno.test("buildUpdate casts body values to the column types, JSON as JSON", () => {
  const statement = buildUpdate(table, parseRestQuery(new URLSearchParams("id=eq.1")), {
    saved: true,
    parameters: { a: 1 },
  });
  assert.deepEqual(statement.params, ["true", '{"a":1}', "1"]);
  assert.match(
    statement.text,
    /set "saved" = cast\(\$1::text as boolean\), "parameters" = cast\(\$2::text as jsonb\)/,
  );
  assert.match(statement.text, /where "id" = cast\(\$3::text as uuid\) returning \*/);
});

Deno.test("buildUpdate rejects an unknown body column with PGRST204", () => {
  assert.throws(
    () => buildUpdate(table, parseRestQuery(new URLSearchParams("")), { nope: 1 }),
    (error: unknown) =>
      error instanceof RestError && error.code === "PGRST204" && error.status === 400,
  );
});

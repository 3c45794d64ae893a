import assert from "node:assert/strict";
import { RestError } from "./errors.ts";
import { parseRestQuery, type RestQuery } from "./query.ts";
import {
  buildDelete,
  buildInsert,
  buildSelect as build,
  buildUpdate,
  type ResolvedItem,
  type TableInfo,
} from "./sql.ts";

const table: TableInfo = {
  name: "experiments",
  columns: new Map([["id", "uuid"], ["saved", "boolean"], ["parameters", "jsonb"], [
    "created_at",
    "timestamp with time zone",
  ]]),
  primaryKey: ["id"],
};

/** Plain selects (no embeds) resolve to themselves. */
function buildSelect(info: TableInfo, query: RestQuery, count = false) {
  return build(info, query.select as ResolvedItem[], query, {
    count,
    page: { limit: query.limit, offset: query.offset },
  });
}

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
    /select "t0"\."id", "t0"\."saved" from public\."experiments" as "t0" where "t0"\."id" = cast\(\$1::text as uuid\)/,
  );
  assert.match(statement.text, /order by "t0"\."created_at" desc limit 2/);
  assert.doesNotMatch(statement.text, /drop table/);
});

Deno.test("buildSelect passes an in-list as one JSON parameter", () => {
  const statement = buildSelect(table, parseRestQuery(new URLSearchParams("id=in.(a,b)")));
  assert.deepEqual(statement.params, ['["a","b"]']);
  assert.match(
    statement.text,
    /"t0"\."id" in \(select cast\(v as uuid\) from jsonb_array_elements_text\(\$1/,
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
  const query = parseRestQuery(new URLSearchParams("id=eq.1"));
  const statement = buildUpdate(table, query, {
    saved: true,
    parameters: { a: 1 },
  }, query.select as ResolvedItem[]);
  assert.deepEqual(statement.params, ["true", '{"a":1}', "1"]);
  assert.match(
    statement.text,
    /set "saved" = cast\(\$1::text as boolean\), "parameters" = cast\(\$2::text as jsonb\)/,
  );
  assert.match(statement.text, /where "t0"\."id" = cast\(\$3::text as uuid\) returning "t0"\.\*/);
});

Deno.test("buildUpdate rejects an unknown body column with PGRST204", () => {
  assert.throws(
    () => buildUpdate(table, parseRestQuery(new URLSearchParams("")), { nope: 1 }, null),
    (error: unknown) =>
      error instanceof RestError && error.code === "PGRST204" && error.status === 400,
  );
});

Deno.test("buildSelect with count adds the exact total over the same filters, without the page", () => {
  const statement = buildSelect(
    table,
    parseRestQuery(new URLSearchParams("saved=eq.true&limit=2")),
    true,
  );
  assert.match(
    statement.text,
    /\(select count\(\*\) from public\."experiments" as "t0" where "t0"\."saved" = cast\(\$1::text as boolean\)\)::int as total/,
  );
});

Deno.test("buildInsert reads the rows as one JSON parameter; upserts merge or ignore on the key", () => {
  const rows = [{ id: "a", saved: true }, { id: "b", saved: false }];
  const plain = buildInsert(
    table,
    rows,
    { resolution: null, onConflict: null, columns: null },
    null,
  );
  assert.deepEqual(plain.params, [JSON.stringify(rows)]);
  assert.equal(plain.shape, "plain");
  assert.match(
    plain.text,
    /insert into public\."experiments" as "t0" \("id", "saved"\) select "id", "saved" from json_populate_recordset\(null::public\."experiments", \$1::text::json\)$/,
  );
  const merge = buildInsert(table, rows, { resolution: "merge", onConflict: null, columns: null }, [
    { kind: "star" },
  ]);
  assert.match(
    merge.text,
    /on conflict \("id"\) do update set "saved" = excluded\."saved" returning "t0"\.\*/,
  );
  const ignore = buildInsert(table, rows, {
    resolution: "ignore",
    onConflict: ["saved"],
    columns: null,
  }, null);
  assert.match(ignore.text, /on conflict \("saved"\) do nothing$/);
  assert.throws(
    () =>
      buildInsert(table, [{ id: "a" }, { saved: true }], {
        resolution: null,
        onConflict: null,
        columns: null,
      }, null),
    (error: unknown) => error instanceof RestError && error.code === "PGRST102",
  );
});

Deno.test("buildDelete filters like a read and returns rows only when asked", () => {
  const query = parseRestQuery(new URLSearchParams("id=eq.1"));
  const statement = buildDelete(table, query, null);
  assert.equal(
    statement.text,
    `delete from public."experiments" as "t0" where "t0"."id" = cast($1::text as uuid)`,
  );
  assert.equal(statement.shape, "plain");
});

import assert from "node:assert/strict";
import { RestError } from "./errors.ts";
import { parseList, parseRestQuery, parseSelect } from "./query.ts";

Deno.test("parseRestQuery reads select, filters, order, limit and offset as supabase-js writes them", () => {
  const query = parseRestQuery(
    new URLSearchParams(
      "select=id,saved&user_id=eq.abc&id=in.(a,%22b,c%22)&order=created_at.desc.nullslast,id.asc&limit=5&offset=10",
    ),
  );
  assert.deepEqual(query, {
    select: [{ kind: "column", name: "id" }, { kind: "column", name: "saved" }],
    filters: [
      { column: "user_id", operator: "eq", value: "abc" },
      { column: "id", operator: "in", values: ["a", "b,c"] },
    ],
    order: [
      { column: "created_at", ascending: false, nulls: "last" },
      { column: "id", ascending: true },
    ],
    limit: 5,
    offset: 10,
  });
});

Deno.test("parseRestQuery keeps a value's own dots and reads is.null", () => {
  const query = parseRestQuery(
    new URLSearchParams("created_at=gte.2026-01-01T00:00:00.5Z&error=is.NULL"),
  );
  assert.deepEqual(query.filters, [
    { column: "created_at", operator: "gte", value: "2026-01-01T00:00:00.5Z" },
    { column: "error", operator: "is", value: "null" },
  ]);
  assert.deepEqual(query.select, [{ kind: "star" }]);
});

Deno.test("parseRestQuery refuses what it cannot express safely with PGRST100", () => {
  for (
    const bad of [
      "select=id::text",
      "select=id,calibrations(*",
      "id=like.a*",
      "id=abc",
      "order=id.sideways",
      "limit=-1",
      'bad"col=eq.1',
      "id=is.maybe",
    ]
  ) {
    assert.throws(
      () => parseRestQuery(new URLSearchParams(bad)),
      (error: unknown) =>
        error instanceof RestError && error.code === "PGRST100" && error.status === 400,
      bad,
    );
  }
});

Deno.test("parseList honours quotes and escapes and allows an empty list", () => {
  assert.deepEqual(parseList('(1, 2,"x\\"y",  z )'), ["1", "2", 'x"y', "z"]);
  assert.deepEqual(parseList("()"), []);
  assert.throws(() => parseList('("open)'), RestError);
  assert.throws(() => parseList("1,2"), RestError);
});

Deno.test("parseSelect reads aliases and embedded resources as supabase-js writes them", () => {
  assert.deepEqual(parseSelect("*,label:name,author:authors(name),books!inner(*,tags(id))"), [
    { kind: "star" },
    { kind: "column", name: "name", alias: "label" },
    {
      kind: "embed",
      relation: "authors",
      alias: "author",
      inner: false,
      select: [{ kind: "column", name: "name" }],
    },
    {
      kind: "embed",
      relation: "books",
      alias: undefined,
      inner: true,
      select: [{ kind: "star" }, {
        kind: "embed",
        relation: "tags",
        alias: undefined,
        inner: false,
        select: [{ kind: "column", name: "id" }],
      }],
    },
  ]);
});

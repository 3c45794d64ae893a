/**
 * LOCAL STACK: turning a parsed PostgREST request into one SQL statement.
 * Identifiers come only from the catalog (catalog.ts) and are double-quoted;
 * every value is a bound parameter cast to the column's own type (or read by
 * `json_populate_recordset` for inserts), so nothing from the URL or body is
 * spliced into SQL. Statements return the rows as a JSON array built by
 * Postgres (`json_agg`), as PostgREST does, plus the row count and, when
 * asked, the exact total.
 *
 * @module
 */
import type { Relationship, TableInfo } from "./catalog.ts";
import { REST_ERRORS } from "./errors.ts";
import type { Filter, RestQuery, SelectItem } from "./query.ts";

export type { TableInfo } from "./catalog.ts";

/**
 * A statement and its parameters. `json` statements return one row
 * `{body, rows[, total]}`; a `plain` one returns nothing and is counted by the driver.
 */
export interface Statement {
  text: string;
  params: (string | null)[];
  shape: "json" | "plain";
}

/** A select list whose embeds have been resolved against the catalog. */
export type ResolvedItem =
  | { kind: "star" }
  | { kind: "column"; name: string; alias?: string }
  | {
    kind: "embed";
    name: string;
    inner: boolean;
    relationship: Relationship;
    select: ResolvedItem[];
  };

/** Resolves a parsed select list's embeds with `find` (catalog.ts findRelationship). */
export async function resolveSelect(
  table: TableInfo,
  items: SelectItem[],
  find: (parent: TableInfo, target: string) => Promise<Relationship>,
): Promise<ResolvedItem[]> {
  const resolved: ResolvedItem[] = [];
  for (const item of items) {
    if (item.kind !== "embed") {
      if (item.kind === "column") column(table, item.name);
      resolved.push(item);
      continue;
    }
    const relationship = await find(table, item.relation);
    resolved.push({
      kind: "embed",
      name: item.alias ?? item.relation,
      inner: item.inner,
      relationship,
      select: await resolveSelect(relationship.target, item.select, find),
    });
  }
  return resolved;
}

const COMPARE: Record<string, string> = {
  eq: "=",
  neq: "<>",
  gt: ">",
  gte: ">=",
  lt: "<",
  lte: "<=",
};

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function column(table: TableInfo, name: string): { sql: string; type: string } {
  const type = table.columns.get(name);
  if (type === undefined) throw REST_ERRORS.columnNotFound(table.name, name);
  return { sql: quote(name), type };
}

function joinCondition(relationship: Relationship, parent: string, child: string): string {
  return relationship.join
    .map(([from, to]) => `${child}.${quote(to)} = ${parent}.${quote(from)}`)
    .join(" and ");
}

/** The select list over alias `t<depth>`, embeds as correlated subqueries (run under RLS too). */
function selectList(table: TableInfo, items: ResolvedItem[], depth: number): string {
  const self = `"t${depth}"`;
  return items.map((item) => {
    if (item.kind === "star") return `${self}.*`;
    if (item.kind === "column") {
      const { sql } = column(table, item.name);
      return item.alias ? `${self}.${sql} as ${quote(item.alias)}` : `${self}.${sql}`;
    }
    const child = `"t${depth + 1}"`;
    const target = item.relationship.target;
    const inner = `select ${selectList(target, item.select, depth + 1)} from public.${
      quote(target.name)
    } as ${child} where ${joinCondition(item.relationship, self, child)}`;
    const value = item.relationship.cardinality === "many-to-one"
      ? `(select row_to_json("e") from (${inner}) as "e")`
      : `coalesce((select json_agg("e") from (${inner}) as "e"), '[]'::json)`;
    return `${value} as ${quote(item.name)}`;
  }).join(", ");
}

/** `exists` conditions for `!inner` embeds: a parent row without a match is left out. */
function innerJoins(items: ResolvedItem[]): string[] {
  return items.flatMap((item) => {
    if (item.kind !== "embed" || !item.inner) return [];
    const target = item.relationship.target;
    return [
      `exists (select 1 from public.${quote(target.name)} as "t1" where ${
        joinCondition(item.relationship, `"t0"`, `"t1"`)
      })`,
    ];
  });
}

function filterSql(table: TableInfo, filter: Filter, params: (string | null)[]): string {
  const { sql, type } = column(table, filter.column);
  const target = `"t0".${sql}`;
  if (filter.operator === "is") return `${target} is ${filter.value}`;
  if (filter.operator === "in") {
    params.push(JSON.stringify(filter.values));
    return `${target} in (select cast(v as ${type}) from jsonb_array_elements_text($${params.length}::text::jsonb) as v)`;
  }
  params.push(filter.value);
  return `${target} ${COMPARE[filter.operator]} cast($${params.length}::text as ${type})`;
}

function whereSql(
  table: TableInfo,
  query: RestQuery,
  params: (string | null)[],
  extra: string[] = [],
): string {
  const conditions = [...query.filters.map((f) => filterSql(table, f, params)), ...extra];
  return conditions.length === 0 ? "" : ` where ${conditions.join(" and ")}`;
}

function orderSql(table: TableInfo, query: RestQuery): string {
  if (query.order.length === 0) return "";
  const terms = query.order.map((term) => {
    const nulls = term.nulls ? ` nulls ${term.nulls}` : "";
    return `"t0".${column(table, term.column).sql} ${term.ascending ? "asc" : "desc"}${nulls}`;
  });
  return ` order by ${terms.join(", ")}`;
}

function pageSql(page: { limit?: number; offset?: number }): string {
  return (page.limit !== undefined ? ` limit ${page.limit}` : "") +
    (page.offset ? ` offset ${page.offset}` : "");
}

const AGGREGATE = `coalesce(json_agg("r"), '[]'::json)::text as body, count(*)::int as rows`;

/** Options of a read. */
export interface ReadOptions {
  /** Also compute the exact number of matching rows (`Prefer: count=exact`). */
  count: boolean;
  /** The effective page (query `limit`/`offset` within the `Range` header). */
  page: { limit?: number; offset?: number };
}

/**
 * `GET /rest/v1/<table>?...` as one statement returning `body` (JSON array
 * text), `rows` and, with `count`, `total`.
 *
 * @example
 * buildSelect(table, select, parseRestQuery(url.searchParams), { count: false, page: {} });
 */
export function buildSelect(
  table: TableInfo,
  select: ResolvedItem[],
  query: RestQuery,
  options: ReadOptions,
): Statement {
  const params: (string | null)[] = [];
  const where = whereSql(table, query, params, innerJoins(select));
  const from = `from public.${quote(table.name)} as "t0"${where}`;
  const inner = `select ${selectList(table, select, 0)} ${from}${orderSql(table, query)}${
    pageSql(options.page)
  }`;
  const total = options.count ? `, (select count(*) ${from})::int as total` : "";
  return { text: `select ${AGGREGATE}${total} from (${inner}) as "r"`, params, shape: "json" };
}

/** Only plain columns may come back from a write (PostgREST embeds after writes; the stand-in does not). */
function returningList(table: TableInfo, select: ResolvedItem[]): string {
  if (select.some((item) => item.kind === "embed")) {
    throw REST_ERRORS.parse("select", "embedding after insert, update or delete is not supported");
  }
  return selectList(table, select, 0);
}

function withReturning(write: string, returning: string | null, params: (string | null)[]) {
  if (returning === null) return { text: write, params, shape: "plain" as const };
  return {
    text: `with "r" as (${write} returning ${returning}) select ${AGGREGATE} from "r"`,
    params,
    shape: "json" as const,
  };
}

/** A JSON body value as the text Postgres casts to the column's type. */
function valueText(value: unknown, type: string): string | null {
  if (value === null) return null;
  if (type === "json" || type === "jsonb") return JSON.stringify(value);
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/**
 * `PATCH /rest/v1/<table>?...` with a JSON object body; `select` null for
 * `return=minimal`. Order and limit are not applied to updates.
 *
 * @example
 * buildUpdate(table, parseRestQuery(url.searchParams), { discarded: true }, null);
 */
export function buildUpdate(
  table: TableInfo,
  query: RestQuery,
  body: Record<string, unknown>,
  select: ResolvedItem[] | null,
): Statement {
  const params: (string | null)[] = [];
  const assignments = Object.entries(body).map(([name, value]) => {
    const type = table.columns.get(name);
    if (type === undefined) throw REST_ERRORS.bodyColumnNotFound(table.name, name);
    params.push(valueText(value, type));
    return `${quote(name)} = cast($${params.length}::text as ${type})`;
  });
  const write = `update public.${quote(table.name)} as "t0" set ${assignments.join(", ")}` +
    whereSql(table, query, params);
  return withReturning(write, select && returningList(table, select), params);
}

/** How an insert treats rows that collide with existing ones. */
export interface InsertOptions {
  /** `merge-duplicates` updates, `ignore-duplicates` skips, null fails with 23505. */
  resolution: "merge" | "ignore" | null;
  /** Conflict columns (`on_conflict`), else the primary key. */
  onConflict: string[] | null;
  /** The columns to insert (`columns=`), else the first row's keys. */
  columns: string[] | null;
}

/**
 * `POST /rest/v1/<table>` with an object or array body, as one
 * `insert ... select ... from json_populate_recordset(...)`: only the given
 * columns are inserted, so the others get their defaults, as in PostgREST.
 *
 * @example
 * buildInsert(table, [{ label: "a" }], { resolution: null, onConflict: null, columns: null }, select);
 */
export function buildInsert(
  table: TableInfo,
  rows: Record<string, unknown>[],
  options: InsertOptions,
  select: ResolvedItem[] | null,
): Statement {
  const keys = options.columns ?? Object.keys(rows[0] ?? {});
  if (!options.columns) {
    for (const row of rows) {
      const rowKeys = Object.keys(row);
      if (rowKeys.length !== keys.length || !rowKeys.every((key) => keys.includes(key))) {
        throw REST_ERRORS.keysMismatch();
      }
    }
  }
  for (const key of keys) {
    if (!table.columns.has(key)) throw REST_ERRORS.bodyColumnNotFound(table.name, key);
  }
  const params: (string | null)[] = [JSON.stringify(rows)];
  const target = `public.${quote(table.name)}`;
  const list = keys.map(quote).join(", ");
  let write = keys.length === 0
    ? `insert into ${target} as "t0" default values`
    : `insert into ${target} as "t0" (${list}) select ${list} from json_populate_recordset(null::${target}, $1::text::json)`;
  if (options.resolution) {
    const conflict = options.onConflict ?? table.primaryKey;
    if (conflict.length === 0) throw REST_ERRORS.noConflictTarget(table.name);
    for (const name of conflict) column(table, name);
    const updates = keys.filter((key) => !conflict.includes(key));
    write += ` on conflict (${conflict.map(quote).join(", ")}) do ` +
      (options.resolution === "ignore" || updates.length === 0
        ? "nothing"
        : `update set ${
          updates.map((key) => `${quote(key)} = excluded.${quote(key)}`).join(", ")
        }`);
  }
  return withReturning(write, select && returningList(table, select), params);
}

/**
 * `DELETE /rest/v1/<table>?...`; `select` null for `return=minimal`.
 *
 * @example
 * buildDelete(table, parseRestQuery(url.searchParams), null);
 */
export function buildDelete(
  table: TableInfo,
  query: RestQuery,
  select: ResolvedItem[] | null,
): Statement {
  const params: (string | null)[] = [];
  const write = `delete from public.${quote(table.name)} as "t0"` + whereSql(table, query, params);
  return withReturning(write, select && returningList(table, select), params);
}

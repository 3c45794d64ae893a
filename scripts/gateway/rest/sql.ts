/**
 * LOCAL STACK: turning a parsed PostgREST request into one SQL statement.
 * Identifiers come only from the table's real columns (looked up in the
 * catalog) and are double-quoted; every value is a bound parameter cast to
 * the column's own type, so nothing from the URL or body is spliced into SQL.
 * The statement returns the rows as a JSON array built by Postgres
 * (`json_agg`), as PostgREST does, plus the row count.
 *
 * @module
 */
import { REST_ERRORS } from "./errors.ts";
import type { Filter, RestQuery } from "./query.ts";

/** A relation of the `public` schema: its name and each column's SQL type. */
export interface TableInfo {
  name: string;
  /** Column name -> `format_type` of its type (e.g. `uuid`, `jsonb`). */
  columns: Map<string, string>;
}

/** A statement and its parameters (all strings or null). */
export interface Statement {
  text: string;
  params: (string | null)[];
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

function selectList(table: TableInfo, select: RestQuery["select"]): string {
  if (select === "*") return "*";
  return select.map((name) => column(table, name).sql).join(", ");
}

function filterSql(table: TableInfo, filter: Filter, params: (string | null)[]): string {
  const { sql, type } = column(table, filter.column);
  if (filter.operator === "is") return `${sql} is ${filter.value}`;
  if (filter.operator === "in") {
    params.push(JSON.stringify(filter.values));
    return `${sql} in (select cast(v as ${type}) from jsonb_array_elements_text($${params.length}::text::jsonb) as v)`;
  }
  params.push(filter.value);
  return `${sql} ${COMPARE[filter.operator]} cast($${params.length}::text as ${type})`;
}

function whereSql(table: TableInfo, query: RestQuery, params: (string | null)[]): string {
  if (query.filters.length === 0) return "";
  return ` where ${query.filters.map((f) => filterSql(table, f, params)).join(" and ")}`;
}

function tailSql(table: TableInfo, query: RestQuery): string {
  let sql = "";
  if (query.order.length > 0) {
    const terms = query.order.map((term) => {
      const nulls = term.nulls ? ` nulls ${term.nulls}` : "";
      return `${column(table, term.column).sql} ${term.ascending ? "asc" : "desc"}${nulls}`;
    });
    sql += ` order by ${terms.join(", ")}`;
  }
  if (query.limit !== undefined) sql += ` limit ${query.limit}`;
  if (query.offset !== undefined) sql += ` offset ${query.offset}`;
  return sql;
}

/**
 * `GET /rest/v1/<table>?...` as one statement returning `body` (JSON array
 * text) and `rows`.
 *
 * @example
 * buildSelect(table, parseRestQuery(url.searchParams));
 */
export function buildSelect(table: TableInfo, query: RestQuery): Statement {
  const params: (string | null)[] = [];
  const inner = `select ${selectList(table, query.select)} from public.${quote(table.name)}` +
    whereSql(table, query, params) + tailSql(table, query);
  return {
    text:
      `select coalesce(json_agg(t), '[]'::json)::text as body, count(*)::int as rows from (${inner}) as t`,
    params,
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
 * `PATCH /rest/v1/<table>?...` with a JSON object body as one statement
 * returning the updated rows (`select` columns, all by default) as `body` and
 * their count as `rows`. Order and limit are not applied to updates.
 *
 * @example
 * buildUpdate(table, parseRestQuery(url.searchParams), { discarded: true });
 */
export function buildUpdate(
  table: TableInfo,
  query: RestQuery,
  body: Record<string, unknown>,
): Statement {
  const params: (string | null)[] = [];
  const assignments = Object.entries(body).map(([name, value]) => {
    const type = table.columns.get(name);
    if (type === undefined) throw REST_ERRORS.bodyColumnNotFound(table.name, name);
    params.push(valueText(value, type));
    return `${quote(name)} = cast($${params.length}::text as ${type})`;
  });
  const update = `update public.${quote(table.name)} set ${assignments.join(", ")}` +
    whereSql(table, query, params) + ` returning ${selectList(table, query.select)}`;
  return {
    text:
      `with t as (${update}) select coalesce(json_agg(t), '[]'::json)::text as body, count(*)::int as rows from t`,
    params,
  };
}

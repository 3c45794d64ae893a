/**
 * LOCAL STACK: `rpc()` in the PostgREST stand-in — `POST /rest/v1/rpc/<fn>`
 * with the arguments as a JSON object, or `GET` with them in the query string
 * (read-only, so a function that writes fails with 25006 -> 405, as in
 * PostgREST). The function runs as the caller, so its `grant execute` decides
 * (42501 -> 401/403). A set-returning function's rows take a select list,
 * order, limit and eq/neq/in/is filters like a table; a scalar or composite
 * comes back as its JSON value; `void` as 204.
 *
 * @module
 */
import type { FunctionInfo } from "./catalog.ts";
import type { RestQuery } from "./query.ts";
import type { Statement } from "./sql.ts";
import { REST_ERRORS } from "./errors.ts";

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function argumentText(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  if (type === "json" || type === "jsonb") return JSON.stringify(value);
  if (typeof value === "string") return value;
  if (Array.isArray(value) && type.endsWith("[]")) {
    return `{${value.map((v) => `"${String(v).replace(/["\\]/g, "\\$&")}"`).join(",")}}`;
  }
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * The call as one statement returning `{body, rows}`: `body` is a JSON array
 * for a set, the bare JSON value otherwise.
 *
 * @example
 * buildCall(fn, { a: 1, b: 2 }, parseRestQuery(new URLSearchParams()));
 */
export function buildCall(
  fn: FunctionInfo,
  args: Record<string, unknown>,
  query: RestQuery,
): Statement {
  const params: (string | null)[] = [];
  const named = fn.args.filter((arg) => arg.name in args).map((arg) => {
    params.push(argumentText(args[arg.name], arg.type));
    return `${quote(arg.name)} => cast($${params.length}::text as ${arg.type})`;
  });
  const call = `public.${quote(fn.name)}(${named.join(", ")})`;
  if (fn.returns !== "set") {
    if (query.filters.length > 0 || query.order.length > 0) {
      throw REST_ERRORS.parse("filter", "filters apply only to functions that return rows");
    }
    return {
      text: `select to_json(${call})::text as body, 1 as rows`,
      params,
      shape: "json",
    };
  }
  const conditions = query.filters.map((filter) => {
    const target = `"t0".${quote(filter.column)}`;
    if (filter.operator === "is") return `${target} is ${filter.value}`;
    if (filter.operator === "in") {
      params.push(JSON.stringify(filter.values));
      return `${target}::text in (select jsonb_array_elements_text($${params.length}::text::jsonb))`;
    }
    // The result's column types are not in the catalog for `returns table`, so compare as text.
    if (filter.operator !== "eq" && filter.operator !== "neq") {
      throw REST_ERRORS.parse(
        "filter",
        `"${filter.operator}" on rpc results is not supported here`,
      );
    }
    params.push(filter.value);
    return `${target}::text ${filter.operator === "eq" ? "=" : "<>"} $${params.length}::text`;
  });
  const where = conditions.length ? ` where ${conditions.join(" and ")}` : "";
  const columns = query.select.some((item) => item.kind === "star")
    ? `"t0"`
    : query.select.map((item) => {
      if (item.kind !== "column") {
        throw REST_ERRORS.parse("select", "embedding on rpc results is not supported");
      }
      return `"t0".${quote(item.name)}${item.alias ? ` as ${quote(item.alias)}` : ""}`;
    }).join(", ");
  const order = query.order.length
    ? ` order by ${
      query.order.map((t) =>
        `"t0".${quote(t.column)} ${t.ascending ? "asc" : "desc"}${
          t.nulls ? ` nulls ${t.nulls}` : ""
        }`
      ).join(", ")
    }`
    : "";
  const page = (query.limit !== undefined ? ` limit ${query.limit}` : "") +
    (query.offset ? ` offset ${query.offset}` : "");
  const inner = `select ${
    columns === `"t0"` ? "*" : columns
  } from ${call} as "t0"${where}${order}${page}`;
  return {
    text:
      `select coalesce(json_agg("r"), '[]'::json)::text as body, count(*)::int as rows from (${inner}) as "r"`,
    params,
    shape: "json",
  };
}

/**
 * LOCAL STACK: parsing the part of PostgREST's URL grammar
 * (docs.postgrest.org references/api/tables_views) that supabase-js emits for
 * the lab's reads and updates: `select=*|a,b`, horizontal filters
 * `col=op.value` with eq, neq, gt, gte, lt, lte, `in.(a,"b,c")` and
 * `is.null|true|false`, `order=col.asc|desc[.nullsfirst|.nullslast],...`,
 * `limit` and `offset`. Anything else is PostgREST's `PGRST100` parse error.
 * Only the shape is checked here; column names are checked against the table.
 *
 * @module
 */
import { REST_ERRORS } from "./errors.ts";

/** A comparison operator the stand-in supports. */
export type FilterOperator = "eq" | "neq" | "gt" | "gte" | "lt" | "lte" | "in" | "is";

/** One horizontal filter. */
export type Filter =
  | { column: string; operator: Exclude<FilterOperator, "in" | "is">; value: string }
  | { column: string; operator: "in"; values: string[] }
  | { column: string; operator: "is"; value: "null" | "true" | "false" };

/** One `order` term. */
export interface OrderTerm {
  column: string;
  ascending: boolean;
  nulls?: "first" | "last";
}

/** A parsed request query. */
export interface RestQuery {
  /** `"*"` or the selected column names. */
  select: "*" | string[];
  filters: Filter[];
  order: OrderTerm[];
  limit?: number;
  offset?: number;
}

const COMPARISONS = new Set(["eq", "neq", "gt", "gte", "lt", "lte"]);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Parameters PostgREST reads that are not filters. */
const IGNORED = new Set(["columns", "on_conflict"]);

/**
 * Parses a request's query string.
 *
 * @example
 * parseRestQuery(new URLSearchParams("select=*&id=eq.1&order=created_at.desc&limit=5"));
 */
export function parseRestQuery(params: URLSearchParams): RestQuery {
  const query: RestQuery = { select: "*", filters: [], order: [] };
  for (const [key, value] of params) {
    if (key === "select") query.select = parseSelect(value);
    else if (key === "order") query.order = parseOrder(value);
    else if (key === "limit") query.limit = parseCount("limit", value);
    else if (key === "offset") query.offset = parseCount("offset", value);
    else if (!IGNORED.has(key)) query.filters.push(parseFilter(key, value));
  }
  return query;
}

function identifier(what: string, name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw REST_ERRORS.parse(what, `unexpected "${name}": expected a column name`);
  }
  return name;
}

function parseSelect(value: string): "*" | string[] {
  const items = value.split(",").map((item) => item.trim()).filter((item) => item !== "");
  if (items.length === 0 || items.includes("*")) {
    if (items.length > 1) throw REST_ERRORS.parse("select", "mix of * and columns");
    return "*";
  }
  return items.map((item) => identifier("select", item));
}

function parseOrder(value: string): OrderTerm[] {
  return value.split(",").map((term) => {
    const [column, ...modifiers] = term.split(".");
    const order: OrderTerm = { column: identifier("order", column), ascending: true };
    for (const modifier of modifiers) {
      if (modifier === "asc" || modifier === "desc") order.ascending = modifier === "asc";
      else if (modifier === "nullsfirst") order.nulls = "first";
      else if (modifier === "nullslast") order.nulls = "last";
      else throw REST_ERRORS.parse("order", `unexpected "${modifier}"`);
    }
    return order;
  });
}

function parseCount(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw REST_ERRORS.parse(name, `"${value}" is not a number`);
  return Number(value);
}

function parseFilter(column: string, value: string): Filter {
  identifier("filter", column);
  const dot = value.indexOf(".");
  const operator = dot < 0 ? value : value.slice(0, dot);
  const operand = dot < 0 ? "" : value.slice(dot + 1);
  if (dot < 0) throw REST_ERRORS.parse("filter", `"${value}" has no operator`);
  if (COMPARISONS.has(operator)) {
    return {
      column,
      operator: operator as Exclude<FilterOperator, "in" | "is">,
      value: operand,
    };
  }
  if (operator === "in") return { column, operator, values: parseList(operand) };
  if (operator === "is") {
    const normalized = operand.toLowerCase();
    if (normalized !== "null" && normalized !== "true" && normalized !== "false") {
      throw REST_ERRORS.parse("filter", `is.${operand}: expected null, true or false`);
    }
    return { column, operator, value: normalized };
  }
  throw REST_ERRORS.parse("filter", `operator "${operator}" is not supported here`);
}

/** `(a,"b,c",d)` -> ["a", "b,c", "d"]; double quotes protect commas, `\` escapes. */
export function parseList(operand: string): string[] {
  if (!operand.startsWith("(") || !operand.endsWith(")")) {
    throw REST_ERRORS.parse("filter", `in.${operand}: expected a list in parentheses`);
  }
  const body = operand.slice(1, -1);
  const values: string[] = [];
  let current = "";
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (char === "\\" && quoted && i + 1 < body.length) {
      current += body[++i];
    } else if (char === '"') {
      quoted = !quoted;
      wasQuoted = true;
    } else if (char === "," && !quoted) {
      values.push(wasQuoted ? current : current.trim());
      current = "";
      wasQuoted = false;
    } else {
      current += char;
    }
  }
  if (quoted) throw REST_ERRORS.parse("filter", `in.${operand}: unterminated quote`);
  if (body !== "" || wasQuoted) values.push(wasQuoted ? current : current.trim());
  return values;
}

/**
 * LOCAL STACK: parsing the part of PostgREST's URL grammar
 * (docs.postgrest.org references/api/tables_views) that supabase-js emits for
 * the lab's reads and writes: `select=*,a,alias:b,rel(cols)`, horizontal filters
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

/** One item of `select`: all columns, one column (optionally renamed), or an embedded relation. */
export type SelectItem =
  | { kind: "star" }
  | { kind: "column"; name: string; alias?: string }
  | { kind: "embed"; relation: string; alias?: string; inner: boolean; select: SelectItem[] };

/** A parsed request query. */
export interface RestQuery {
  /** The select list; `[{kind: "star"}]` by default. */
  select: SelectItem[];
  filters: Filter[];
  order: OrderTerm[];
  limit?: number;
  offset?: number;
}

const COMPARISONS = new Set(["eq", "neq", "gt", "gte", "lt", "lte"]);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Parameters PostgREST reads that are not filters (handled by the caller). */
const IGNORED = new Set(["columns", "on_conflict"]);

/**
 * Parses a request's query string.
 *
 * @example
 * parseRestQuery(new URLSearchParams("select=*&id=eq.1&order=created_at.desc&limit=5"));
 */
export function parseRestQuery(
  params: URLSearchParams,
  options: { ignore?: ReadonlySet<string> } = {},
): RestQuery {
  const query: RestQuery = { select: [{ kind: "star" }], filters: [], order: [] };
  for (const [key, value] of params) {
    if (options.ignore?.has(key)) continue;
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

/** Splits on commas outside parentheses. */
function splitTop(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of value) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (depth < 0) throw REST_ERRORS.parse("select", `unexpected ")"`);
    if (char === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  if (depth !== 0) throw REST_ERRORS.parse("select", `unexpected end of input: expected ")"`);
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== "");
}

/**
 * `select=*,id,label:name,author:authors(name),books!inner(*)` -> items.
 * Casts, JSON paths and aggregates are refused with PGRST100.
 */
export function parseSelect(value: string): SelectItem[] {
  const items = splitTop(value);
  if (items.length === 0) return [{ kind: "star" }];
  return items.map((item): SelectItem => {
    if (item === "*") return { kind: "star" };
    const open = item.indexOf("(");
    const head = open === -1 ? item : item.slice(0, open);
    const colon = head.indexOf(":");
    if (head.includes("::")) {
      throw REST_ERRORS.parse("select", `casts are not supported: "${item}"`);
    }
    const alias = colon === -1 ? undefined : identifier("select", head.slice(0, colon).trim());
    let name = (colon === -1 ? head : head.slice(colon + 1)).trim();
    let inner = false;
    if (open !== -1) {
      if (!item.endsWith(")")) throw REST_ERRORS.parse("select", `unexpected text after ")"`);
      const bang = name.indexOf("!");
      if (bang !== -1) {
        const hint = name.slice(bang + 1);
        if (hint !== "inner" && hint !== "left") {
          throw REST_ERRORS.parse("select", `embedding hints other than !inner/!left: "${hint}"`);
        }
        inner = hint === "inner";
        name = name.slice(0, bang);
      }
      const select = parseSelect(item.slice(open + 1, -1));
      return { kind: "embed", relation: identifier("select", name), alias, inner, select };
    }
    return { kind: "column", name: identifier("select", name), ...(alias ? { alias } : {}) };
  });
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

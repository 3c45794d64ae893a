/**
 * LOCAL STACK: Postgres Changes filters, `column=op.value`, with the
 * operators Supabase documents: eq, neq, lt, lte, gt, gte and in
 * (`in.(a,b)`, at most 100 values). Values are compared as the column's
 * type compares them: numbers as numbers, everything else as text.
 */

/** The documented operators. */
export type FilterOp = "eq" | "neq" | "lt" | "lte" | "gt" | "gte" | "in";

/** One parsed filter. */
export interface Filter {
  column: string;
  op: FilterOp;
  /** One value, or the list of `in`. */
  values: string[];
}

const OPS = new Set<FilterOp>(["eq", "neq", "lt", "lte", "gt", "gte", "in"]);

/**
 * Parses a filter string; a string error is Realtime's reason for refusing it.
 *
 * @example
 * parseFilter("calibration_id=eq.9b1d…"); // { column: "calibration_id", op: "eq", values: ["9b1d…"] }
 */
export function parseFilter(filter: string | undefined): Filter | null | string {
  if (filter === undefined || filter.trim() === "") return null;
  const trimmed = filter.trim();
  const equals = trimmed.indexOf("=");
  const dot = trimmed.indexOf(".", equals + 1);
  const column = equals > 0 ? trimmed.slice(0, equals) : "";
  const op = dot > equals ? trimmed.slice(equals + 1, dot) : "";
  if (!column || !OPS.has(op as FilterOp)) {
    const parts = equals > 0 ? trimmed.slice(equals + 1).split(".") : [trimmed];
    return `Error parsing \`filter\` params: [${parts.map((p) => JSON.stringify(p)).join(", ")}]`;
  }
  const raw = trimmed.slice(dot + 1);
  if (op !== "in") return { column, op: op as FilterOp, values: [unquote(raw)] };
  const list = /^\((.*)\)$/.exec(raw);
  const values = list ? splitList(list[1]) : [];
  if (!list || values.length === 0 || values.length > 100) {
    return `Error parsing \`filter\` params: ${
      JSON.stringify(raw)
    } is not a list of 1 to 100 values`;
  }
  return { column, op: "in", values };
}

function unquote(value: string): string {
  return /^".*"$/.test(value) ? value.slice(1, -1).replace(/\\(.)/g, "$1") : value;
}

function splitList(list: string): string[] {
  const values: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < list.length; i++) {
    const char = list[i];
    if (char === "\\" && quoted) current += list[++i] ?? "";
    else if (char === '"') quoted = !quoted;
    else if (char === "," && !quoted) {
      values.push(current.trim());
      current = "";
    } else current += char;
  }
  values.push(current.trim());
  return values.filter((value) => value !== "");
}

const NUMERIC = new Set(["int2", "int4", "int8", "float4", "float8", "numeric", "oid"]);

/**
 * True when the row's value passes the filter. A NULL never passes (SQL
 * comparison with NULL is not true), nor does a filter on a missing column.
 */
export function passesFilter(filter: Filter, value: string | null | undefined, typeName: string) {
  if (value === null || value === undefined) return false;
  const numeric = NUMERIC.has(typeName);
  const compare = (other: string) => {
    if (numeric) return Math.sign(Number(value) - Number(other));
    if (typeName === "bool") return normalBool(value) === normalBool(other) ? 0 : 1;
    return value < other ? -1 : value > other ? 1 : 0;
  };
  switch (filter.op) {
    case "eq":
      return compare(filter.values[0]) === 0;
    case "neq":
      return compare(filter.values[0]) !== 0;
    case "lt":
      return compare(filter.values[0]) < 0;
    case "lte":
      return compare(filter.values[0]) <= 0;
    case "gt":
      return compare(filter.values[0]) > 0;
    case "gte":
      return compare(filter.values[0]) >= 0;
    case "in":
      return filter.values.some((other) => compare(other) === 0);
  }
}

function normalBool(value: string): boolean {
  return ["t", "true", "y", "yes", "on", "1"].includes(value.toLowerCase());
}

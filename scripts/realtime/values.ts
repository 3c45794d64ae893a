/**
 * LOCAL STACK: a column's text value as JSON, as hosted Realtime's
 * `realtime.cast` makes it with `to_jsonb(value::type)`: numbers and
 * booleans as JSON, json/jsonb parsed, timestamps in ISO form, the rest as
 * strings. Arrays stay in their text form (realtime-js converts `_type`
 * columns itself).
 */

const NUMBERS = new Set(["int2", "int4", "int8", "float4", "float8", "numeric", "oid"]);

/**
 * Converts one value.
 *
 * @example
 * toJsonValue("t", "bool"); // true
 * toJsonValue("2026-12-01 21:00:00.5+00", "timestamptz"); // "2026-12-01T21:00:00.5+00:00"
 */
export function toJsonValue(text: string | null, typeName: string): unknown {
  if (text === null) return null;
  if (NUMBERS.has(typeName)) {
    const value = Number(text);
    return Number.isFinite(value) ? value : text;
  }
  if (typeName === "bool") return text === "t";
  if (typeName === "json" || typeName === "jsonb") return JSON.parse(text);
  if (typeName === "timestamptz") return text.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00");
  if (typeName === "timestamp") return text.replace(" ", "T");
  return text;
}

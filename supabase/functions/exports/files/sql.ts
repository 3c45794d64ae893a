/**
 * The SQL every file spec is written in: expressions that turn a row's
 * values into the text the export holds, byte for byte like the reference
 * formatters (testing/reference.ts), so Postgres formats the file and the
 * function only passes its bytes on. Each expression is fixed SQL text: no
 * user input is ever spliced in (the selection is read from a setting, see
 * read/selection.ts).
 *
 * @module
 */

/** One CSV column: its header and the SQL text of its cell (text, or null for an empty cell). */
export interface CsvColumn {
  header: string;
  sql: string;
}

/**
 * The header line of a CSV with these columns (headers are plain names, so
 * they need no quoting).
 *
 * @example
 * csvHeader([{ header: "a", sql: "1" }, { header: "b", sql: "2" }]); // "a,b\r\n"
 */
export function csvHeader(columns: readonly CsvColumn[]): string {
  return `${columns.map((column) => column.header).join(",")}\r\n`;
}

/** The string at a jsonb expression, or null (like the reference's `stringAt`). */
export function jsonString(value: string): string {
  return `(case when jsonb_typeof(${value}) = 'string' then ${value} #>> '{}' end)`;
}

/**
 * The number at a jsonb expression, or null (like `numberAt`), without
 * trailing zeros (`0.20` -> `0.2`): that is JavaScript's `String(number)`
 * for every number JavaScript wrote, except in exponent form, where it is
 * the same number written out (a float8 cast would match that too, at a far
 * higher cost per cell).
 */
export function jsonNumber(value: string): string {
  return `(case when jsonb_typeof(${value}) = 'number' then trim_scale((${value})::numeric)::text end)`;
}

/** A JavaScript boolean's text. */
export function bool(value: string): string {
  return `(case when ${value} then 'true' else 'false' end)`;
}

/** `Date.toISOString()` of a timestamptz (milliseconds, UTC). */
export function isoTime(value: string): string {
  return `to_char(${value} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** Text `value` with `'` before a formula start (the reference's `neutralizeFormula`). */
export function neutralized(value: string): string {
  return `(case when left(${value}, 1) in ('=', '+', '-', '@', E'\\t', E'\\r') then '''' || ${value} else ${value} end)`;
}

/**
 * True when text `value` holds no quote, comma, CR or LF (four `strpos`
 * scans, far cheaper than one regex match).
 */
function isPlain(value: string): string {
  return `strpos(${value}, '"') + strpos(${value}, ',') + strpos(${value}, E'\\r') + strpos(${value}, E'\\n') = 0`;
}

/**
 * A text cell quoted in SQL: neutralized, then quoted when it holds a quote,
 * comma, CR or LF (a neutralized text that was plain stays plain). `value`
 * appears more than once, so it must be cheap to repeat (a column).
 */
export function quotedText(value: string): string {
  const neutral = neutralized(value);
  return `(case when ${isPlain(value)} then ${neutral}
     else '"' || replace(${neutral}, '"', '""') || '"' end)`;
}

/**
 * A text cell for COPY's CSV to quote: neutralized, and an empty text as
 * null (COPY would quote an empty string, the reference writes nothing).
 */
export function copiedText(value: string): string {
  return `nullif(${neutralized(value)}, '')`;
}

/** One CSV line (CRLF-terminated) of cells that are SQL text or null (an empty cell). */
export function csvLine(cells: readonly string[]): string {
  return `concat(${cells.join(", ',', ")}, E'\\r\\n')`;
}

/** A JSON object's text with these keys in this order, each value an SQL expression. */
export function jsonObject(fields: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(fields).map(([key, sql]) => `'${key}', ${sql}`);
  return `json_build_object(\n  ${pairs.join(", ")})::text`;
}

/**
 * The export's text, formatted by Postgres: SQL expressions that turn a row
 * of `public.experiments e` (or `public.audit_logs a`) into CSV lines and
 * JSON items byte for byte like the JavaScript formatters in csv.ts (RFC 4180
 * quoting, CRLF record ends, formula neutralization, numbers and booleans as
 * JavaScript writes them), so an export streams text from the database
 * instead of parsing every row into objects and formatting it again. The
 * response CSV's COPY (copy_sql.ts) builds on the same value expressions.
 *
 * The expressions are fixed SQL text (no user input is ever spliced in).
 *
 * @module
 */

/** A jsonb value at `path` (SQL text path, e.g. `'usage' -> 'promptTokens'`) of `json`. */
function at(json: string, path: string): string {
  return `(${json} -> ${path})`;
}

/** The string at a jsonb expression, or null (like `stringAt`). */
export function jsonString(value: string): string {
  return `(case when jsonb_typeof(${value}) = 'string' then ${value} #>> '{}' end)`;
}

/**
 * The number at a jsonb expression, or null (like `numberAt`), without
 * trailing zeros (`0.20` -> `0.2`). For numbers written by JavaScript
 * (`JSON.stringify`) that is `String(number)` except in exponent form (`1e-7`
 * comes back as `0.0000001`): the same number either way. (A float8 cast
 * would match the exponents too, but triples the cost of every number cell.)
 */
export function jsonNumber(value: string): string {
  return `(case when jsonb_typeof(${value}) = 'number' then trim_scale((${value})::numeric)::text end)`;
}

/** A JavaScript boolean's text. */
function bool(value: string): string {
  return `(case when ${value} then 'true' else 'false' end)`;
}

/** `Date.toISOString()` of a timestamptz (milliseconds, UTC). */
export function isoTime(value: string): string {
  return `to_char(${value} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * True when text `value` holds no quote, comma, CR or LF: four `strpos`
 * scans cost a fraction of one regex match.
 */
function isPlain(value: string): string {
  return `strpos(${value}, '"') + strpos(${value}, ',') + strpos(${value}, E'\\r') + strpos(${value}, E'\\n') = 0`;
}

/** Text `value` with `'` before a formula start (csv.ts `neutralizeFormula`). */
export function neutralized(value: string): string {
  return `(case when left(${value}, 1) in ('=', '+', '-', '@', E'\\t', E'\\r') then '''' || ${value} else ${value} end)`;
}

/**
 * A text cell: `'` before a formula start (csv.ts `neutralizeFormula`), then
 * quoted when it holds a quote, comma, CR or LF. `value` must be cheap to
 * repeat (a column of a subquery), since it appears more than once. A plain
 * text needs no quotes once neutralized (`'` is not special, and a text
 * starting with CR is not plain).
 */
function textCell(value: string): string {
  const neutral = neutralized(value);
  return `(case when ${isPlain(value)} then ${neutral}
     else '"' || replace(${neutral}, '"', '""') || '"' end)`;
}

/** One CSV line (CRLF-terminated) of cells that are SQL text or null (an empty cell). */
function csvLine(cells: string[]): string {
  return `concat(${cells.join(", ',', ")}, E'\\r\\n')`;
}

/** The experiment's text values, computed once per experiment. Reads `e`. */
const EXPERIMENT_VALUES = `
  select e.model, e.prompt, e.status, ${jsonString(at("e.parameters", "'design'"))} as design
  offset 0`;

/**
 * SQL text: the experiment CSV line of `e` (like EXPERIMENT_COLUMNS); reads
 * its text values from `x` ({@link EXPERIMENT_VALUES_SQL}).
 */
export const EXPERIMENT_LINE_SQL = csvLine([
  "e.id::text",
  isoTime("e.created_at"),
  "e.calibration_id::text",
  textCell("x.model"),
  jsonNumber(at("e.parameters", "'seed'")),
  textCell("x.design"),
  textCell("x.prompt"),
  textCell("x.status"),
  bool("e.saved"),
  bool("e.discarded"),
  "e.latency_ms::text",
  "jsonb_array_length(e.responses)::text",
  `(select count(*) from jsonb_array_elements(e.responses) s(value)
     where s.value -> 'status' = '"succeeded"'::jsonb)::text`,
  "e.correlation_id::text",
]);

/** SQL text: a lateral subquery `x` of `e`'s text values, for the lines above. */
export const EXPERIMENT_VALUES_SQL = `lateral (${EXPERIMENT_VALUES}) x`;

/**
 * SQL text: the JSON item of experiment `e` (like serialize.ts
 * `experimentJson`: the same keys in the same order, responses as stored).
 */
export const EXPERIMENT_JSON_SQL = `json_build_object(
  'id', e.id, 'createdAt', ${isoTime("e.created_at")}, 'calibrationId', e.calibration_id,
  'prompt', e.prompt, 'model', e.model, 'parameters', e.parameters, 'status', e.status,
  'saved', e.saved, 'discarded', e.discarded, 'latencyMs', e.latency_ms,
  'correlationId', e.correlation_id, 'responses', e.responses)::text`;

/** SQL text: the JSON item of audit event `a` (like zip_package.ts `auditJson`). */
export const AUDIT_JSON_SQL = `json_build_object(
  'id', a.id, 'eventType', a.event_type, 'eventData', a.event_data, 'source', a.source,
  'correlationId', a.correlation_id, 'createdAt', ${isoTime("a.created_at")})::text`;

/**
 * The tests' oracle: every export file written in plain JavaScript from
 * records, the way the specs in files/ have Postgres write it. CSV for
 * spreadsheet users is RFC 4180 (csv-stringify; CRLF records, fields with a
 * comma, quote, CR or LF quoted, quotes doubled) and safe against formula
 * injection: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a
 * carriage return gets a leading `'` (OWASP "CSV Injection"), so a
 * spreadsheet shows it as text. Numbers and booleans are written as they are.
 *
 * @module
 */
import { stringify } from "csv-stringify/sync";
import type { Json, JsonObject } from "../read/rows.ts";

/** One experiment as stored. */
export interface ExperimentRecord {
  id: string;
  createdAt: Date;
  calibrationId: string;
  prompt: string;
  model: string;
  /** `{ model, seed, design, numResponses, sets }` as stored. */
  parameters: JsonObject;
  /** The stored responses, in order. */
  responses: JsonObject[];
  /** completed, partial or failed. */
  status: string;
  saved: boolean;
  discarded: boolean;
  latencyMs: number;
  correlationId: string | null;
}

/** An audit event of the exported experiments. */
export interface AuditRecord {
  id: string;
  eventType: string;
  eventData: JsonObject;
  source: string;
  correlationId: string | null;
  createdAt: Date;
}

/** One response of one experiment, the unit of a response CSV row. */
export interface ResponseRow {
  experiment: ExperimentRecord;
  response: JsonObject;
  /** Position in `responses`, used when the element has no `index`. */
  position: number;
}

/**
 * The value at `path` inside a JSON value, or undefined.
 *
 * @example
 * jsonAt({ usage: { promptTokens: 12 } }, "usage", "promptTokens"); // 12
 */
export function jsonAt(value: Json | undefined, ...path: string[]): Json | undefined {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The number at `path`, or null. */
export function numberAt(value: Json | undefined, ...path: string[]): number | null {
  const found = jsonAt(value, ...path);
  return typeof found === "number" && Number.isFinite(found) ? found : null;
}

/** The string at `path`, or null. */
export function stringAt(value: Json | undefined, ...path: string[]): string | null {
  const found = jsonAt(value, ...path);
  return typeof found === "string" ? found : null;
}

/** The responses of experiments, flattened in order. */
export function responseRows(experiments: ExperimentRecord[]): ResponseRow[] {
  return experiments.flatMap((experiment) =>
    experiment.responses.map((response, position) => ({ experiment, response, position }))
  );
}

/** A cell before formatting. */
export type Cell = string | number | boolean | null;

/** One column: its header and how to read its cell from a row. */
export interface CsvColumn<R> {
  header: string;
  value(row: R): Cell;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Prefixes `'` to text a spreadsheet would evaluate as a formula.
 *
 * @example
 * neutralizeFormula("=HYPERLINK(\"http://x\")"); // "'=HYPERLINK(\"http://x\")"
 * neutralizeFormula("plain text"); // "plain text"
 */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * Formats rows as CSV text (CRLF line ends), with the header line first when
 * `header` is set, so a file can be written page by page.
 *
 * @example
 * csvText([{ a: 1 }], [{ header: "a", value: (r) => r.a }], { header: true }); // "a\r\n1\r\n"
 */
export function csvText<R>(
  rows: R[],
  columns: CsvColumn<R>[],
  options: { header: boolean },
): string {
  const records: Cell[][] = rows.map((row) => columns.map((column) => safeCell(column.value(row))));
  if (options.header) records.unshift(columns.map((column) => column.header));
  if (records.length === 0) return "";
  return stringify(records, {
    record_delimiter: "windows",
    // csv-stringify quotes the delimiter, quotes and the record delimiter, but not a bare CR or LF.
    quoted_match: /[\r\n]/,
    cast: { boolean: (value: boolean) => (value ? "true" : "false") },
  });
}

function safeCell(cell: Cell): Cell {
  return typeof cell === "string" ? neutralizeFormula(cell) : cell;
}

/** The columns of a response CSV: one row per response, with its experiment's columns. */
export const RESPONSE_COLUMNS: CsvColumn<ResponseRow>[] = [
  { header: "experiment_id", value: (r) => r.experiment.id },
  { header: "created_at", value: (r) => r.experiment.createdAt.toISOString() },
  { header: "calibration_id", value: (r) => r.experiment.calibrationId },
  { header: "model", value: (r) => r.experiment.model },
  { header: "seed", value: (r) => numberAt(r.experiment.parameters, "seed") },
  { header: "design", value: (r) => stringAt(r.experiment.parameters, "design") },
  { header: "prompt", value: (r) => r.experiment.prompt },
  { header: "saved", value: (r) => r.experiment.saved },
  { header: "discarded", value: (r) => r.experiment.discarded },
  { header: "experiment_status", value: (r) => r.experiment.status },
  { header: "response_index", value: (r) => numberAt(r.response, "index") ?? r.position },
  { header: "response_status", value: (r) => stringAt(r.response, "status") },
  { header: "temperature", value: (r) => numberAt(r.response, "parameters", "temperature") },
  { header: "top_p", value: (r) => numberAt(r.response, "parameters", "top_p") },
  { header: "max_tokens", value: (r) => numberAt(r.response, "parameters", "max_tokens") },
  {
    header: "frequency_penalty",
    value: (r) => numberAt(r.response, "parameters", "frequency_penalty"),
  },
  { header: "finish_reason", value: (r) => stringAt(r.response, "finishReason") },
  { header: "latency_ms", value: (r) => numberAt(r.response, "latencyMs") },
  { header: "prompt_tokens", value: (r) => tokens(r, "promptTokens", "prompt_tokens") },
  { header: "completion_tokens", value: (r) => tokens(r, "completionTokens", "completion_tokens") },
  { header: "creativity", value: (r) => numberAt(r.response, "metrics", "creativity") },
  { header: "coherence", value: (r) => numberAt(r.response, "metrics", "coherence") },
  { header: "structure", value: (r) => numberAt(r.response, "metrics", "structure") },
  { header: "completeness", value: (r) => numberAt(r.response, "metrics", "completeness") },
  { header: "text", value: (r) => stringAt(r.response, "text") },
  { header: "error_code", value: (r) => stringAt(r.response, "error", "code") },
];

/** Token usage under the camelCase key generate stores, or the provider's snake_case one. */
function tokens(row: ResponseRow, camel: string, snake: string): number | null {
  return numberAt(row.response, "usage", camel) ?? numberAt(row.response, "usage", snake);
}

/** The columns of an experiment CSV: one row per experiment. */
export const EXPERIMENT_COLUMNS: CsvColumn<ExperimentRecord>[] = [
  { header: "experiment_id", value: (e) => e.id },
  { header: "created_at", value: (e) => e.createdAt.toISOString() },
  { header: "calibration_id", value: (e) => e.calibrationId },
  { header: "model", value: (e) => e.model },
  { header: "seed", value: (e) => numberAt(e.parameters, "seed") },
  { header: "design", value: (e) => stringAt(e.parameters, "design") },
  { header: "prompt", value: (e) => e.prompt },
  { header: "status", value: (e) => e.status },
  { header: "saved", value: (e) => e.saved },
  { header: "discarded", value: (e) => e.discarded },
  { header: "latency_ms", value: (e) => e.latencyMs },
  { header: "response_count", value: (e) => e.responses.length },
  {
    header: "succeeded_count",
    value: (e) => e.responses.filter((r) => jsonAt(r, "status") === "succeeded").length,
  },
  { header: "correlation_id", value: (e) => e.correlationId },
];

/** An experiment as `experiments.json` holds it, its responses nested as stored. */
export function experimentJson(experiment: ExperimentRecord) {
  return {
    id: experiment.id,
    createdAt: experiment.createdAt.toISOString(),
    calibrationId: experiment.calibrationId,
    prompt: experiment.prompt,
    model: experiment.model,
    parameters: experiment.parameters,
    status: experiment.status,
    saved: experiment.saved,
    discarded: experiment.discarded,
    latencyMs: experiment.latencyMs,
    correlationId: experiment.correlationId,
    responses: experiment.responses,
  };
}

/** An audit event as `audit.json` holds it. */
export function auditJson(a: AuditRecord) {
  return {
    id: a.id,
    eventType: a.eventType,
    eventData: a.eventData,
    source: a.source,
    correlationId: a.correlationId,
    createdAt: a.createdAt.toISOString(),
  };
}

/** One score of an exported response as `ratings.csv` holds it (any source). */
export interface RatingRecord {
  experimentId: string;
  responseIndex: number;
  configId: string;
  configName: string;
  source: "human" | "judge" | "heuristic";
  raterId: string | null;
  judgeVersionId: string | null;
  value: number;
  label: string | null;
  comment: string | null;
  revision: number | null;
  ratedAt: Date;
  correlationId: string | null;
}

/** The columns of `ratings.csv`: one row per score. */
export const RATING_COLUMNS: CsvColumn<RatingRecord>[] = [
  { header: "experiment_id", value: (r) => r.experimentId },
  { header: "response_index", value: (r) => r.responseIndex },
  { header: "config_id", value: (r) => r.configId },
  { header: "config_name", value: (r) => r.configName },
  { header: "source", value: (r) => r.source },
  { header: "rater_id", value: (r) => r.raterId },
  { header: "judge_version_id", value: (r) => r.judgeVersionId },
  { header: "value", value: (r) => r.value },
  { header: "label", value: (r) => r.label },
  { header: "comment", value: (r) => r.comment },
  { header: "revision", value: (r) => r.revision },
  { header: "rated_at", value: (r) => r.ratedAt.toISOString() },
  { header: "correlation_id", value: (r) => r.correlationId },
];

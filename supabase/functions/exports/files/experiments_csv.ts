/**
 * `experiments.csv` (an entry of the ZIP): one line per experiment, each
 * line formatted and quoted whole by Postgres (read/source.ts reads it with
 * the experiment's tally columns in one pass).
 *
 * @module
 */
import {
  bool,
  type CsvColumn,
  csvHeader,
  csvLine,
  isoTime,
  jsonNumber,
  quotedText,
} from "./sql.ts";

/**
 * The columns, in file order: `e` is the experiment, `x` its text values
 * computed once (read/source.ts `EXPERIMENT_VALUES`).
 */
const COLUMNS: readonly CsvColumn[] = [
  { header: "experiment_id", sql: "e.id::text" },
  { header: "created_at", sql: isoTime("e.created_at") },
  { header: "calibration_id", sql: "e.calibration_id::text" },
  { header: "model", sql: quotedText("x.model") },
  { header: "seed", sql: jsonNumber("(e.parameters -> 'seed')") },
  { header: "design", sql: quotedText("x.design") },
  { header: "prompt", sql: quotedText("x.prompt") },
  { header: "status", sql: quotedText("x.status") },
  { header: "saved", sql: bool("e.saved") },
  { header: "discarded", sql: bool("e.discarded") },
  { header: "latency_ms", sql: "e.latency_ms::text" },
  { header: "response_count", sql: "jsonb_array_length(e.responses)::text" },
  {
    header: "succeeded_count",
    sql: `(select count(*) from jsonb_array_elements(e.responses) s(value)
     where s.value -> 'status' = '"succeeded"'::jsonb)::text`,
  },
  { header: "correlation_id", sql: "e.correlation_id::text" },
];

/** `experiments.csv`. */
export const EXPERIMENTS_CSV = {
  name: "experiments.csv",
  columns: COLUMNS,
  /** The header line. */
  header: csvHeader(COLUMNS),
  /** SQL text: experiment `e`'s line, CRLF-terminated. */
  item: csvLine(COLUMNS.map((column) => column.sql)),
} as const;

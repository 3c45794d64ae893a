/**
 * `responses.csv` (the CSV export, and an entry of the ZIP): one line per
 * response, with its experiment's columns. Postgres computes each cell's
 * text in the SELECT and COPY's CSV quotes it (RFC 4180, as the reference
 * does); COPY's LF record ends become CRLF as the file is assembled.
 *
 * @module
 */
import { MATCHING } from "../read/selection.ts";
import { copiedText, type CsvColumn, csvHeader, isoTime, jsonNumber, jsonString } from "./sql.ts";

/** The number at `key` of the jsonb object column `object` of `r`. */
function nested(object: string, key: string): string {
  return jsonNumber(`(r.${object} -> '${key}')`);
}

/** A text cell from the jsonb string at `value`. */
function jsonText(value: string): string {
  return copiedText(`(${jsonString(value)})`);
}

/** The columns, in file order: `e` is the experiment (its cells below), `r` one of its responses. */
const COLUMNS: readonly CsvColumn[] = [
  { header: "experiment_id", sql: "e.id" },
  { header: "created_at", sql: "e.created_at" },
  { header: "calibration_id", sql: "e.calibration_id" },
  { header: "model", sql: "e.model" },
  { header: "seed", sql: "e.seed" },
  { header: "design", sql: "e.design" },
  { header: "prompt", sql: "e.prompt" },
  { header: "saved", sql: "e.saved" },
  { header: "discarded", sql: "e.discarded" },
  { header: "experiment_status", sql: "e.status" },
  { header: "response_index", sql: `coalesce(${jsonNumber("r.index")}, (r.position - 1)::text)` },
  { header: "response_status", sql: jsonText("r.status") },
  { header: "temperature", sql: nested("parameters", "temperature") },
  { header: "top_p", sql: nested("parameters", "top_p") },
  { header: "max_tokens", sql: nested("parameters", "max_tokens") },
  { header: "frequency_penalty", sql: nested("parameters", "frequency_penalty") },
  { header: "finish_reason", sql: jsonText('r."finishReason"') },
  { header: "latency_ms", sql: jsonNumber('r."latencyMs"') },
  {
    header: "prompt_tokens",
    sql: `coalesce(${nested("usage", "promptTokens")}, ${nested("usage", "prompt_tokens")})`,
  },
  {
    header: "completion_tokens",
    sql: `coalesce(${nested("usage", "completionTokens")}, ${
      nested("usage", "completion_tokens")
    })`,
  },
  { header: "creativity", sql: nested("metrics", "creativity") },
  { header: "coherence", sql: nested("metrics", "coherence") },
  { header: "structure", sql: nested("metrics", "structure") },
  { header: "completeness", sql: nested("metrics", "completeness") },
  { header: "text", sql: jsonText("r.text") },
  { header: "error_code", sql: jsonText("(r.error -> 'code')") },
];

/**
 * The experiment cells, computed once per experiment rather than once per
 * response; this subquery's sort is the file's order.
 */
const EXPERIMENTS = `(
  select e.id, ${isoTime("e.created_at")} as created_at,
         e.calibration_id, ${copiedText("e.model")} as model,
         ${jsonNumber("(e.parameters -> 'seed')")} as seed,
         ${copiedText(`(${jsonString("(e.parameters -> 'design')")})`)} as design,
         ${
  copiedText("e.prompt")
} as prompt, e.saved::text as saved, e.discarded::text as discarded,
         ${copiedText("e.status")} as status,
         -- jsonb_to_recordset needs objects: an element that is not one reads as {}.
         case when e.responses @? '$[*] ? (@.type() != "object")'
           then (select jsonb_agg(case when jsonb_typeof(x.value) = 'object' then x.value else '{}' end
                                  order by x.position)
                   from jsonb_array_elements(e.responses) with ordinality as x(value, position))
           else e.responses end as responses
    from public.experiments e
   where ${MATCHING}
   order by e.created_at, e.id
) e`;

/** Each response's top-level fields in one pass per experiment, in stored order (`position`, 1-based). */
const RESPONSES = `lateral rows from (jsonb_to_recordset(e.responses) as (
    index jsonb, status jsonb, parameters jsonb, "finishReason" jsonb, "latencyMs" jsonb,
    usage jsonb, metrics jsonb, text jsonb, error jsonb
  )) with ordinality as r(index, status, parameters, "finishReason", "latencyMs", usage, metrics, text, error, position)`;

/** `responses.csv`. */
export const RESPONSES_CSV = {
  name: "responses.csv",
  columns: COLUMNS,
  /** The header line. */
  header: csvHeader(COLUMNS),
  /** SQL text: every line of the selection (no header) in the file's order, cells for COPY's CSV. */
  select: `select ${COLUMNS.map((column) => column.sql).join(",\n         ")}
    from ${EXPERIMENTS}
   cross join ${RESPONSES}`,
} as const;

/**
 * The response CSV as one `COPY (select …) TO STDOUT WITH (FORMAT csv)`:
 * the SELECT computes each cell's text the way csv.ts writes it (numbers and
 * strings only where the stored JSON has that type, booleans as `true` and
 * `false`, times as `toISOString()`, `'` before a formula start, an empty
 * text as an empty cell), and COPY does the quoting and row assembly in C.
 * COPY's quoting is csv.ts's (RFC 4180: a cell with a quote, comma, CR or LF
 * is quoted, its quotes doubled; COPY quotes an empty string, hence the
 * `nullif`); its LF record ends become CRLF in crlf_records.ts.
 *
 * COPY takes no bind parameters, so the selection is not spliced in either:
 * it is read from the transaction's `app.export_selection` setting
 * ({@link selectionSetting}), set with a parameter just before.
 *
 * @module
 */
import type { Selection } from "../read/selection.ts";
import { isoTime, jsonNumber, jsonString, neutralized } from "./sql.ts";

/** The setting that holds the selection of {@link RESPONSES_COPY_SQL}. */
export const SELECTION_SETTING = "app.export_selection";

/**
 * The JSON the COPY reads its selection from.
 *
 * @example
 * await tx`select set_config(${SELECTION_SETTING}, ${selectionSetting(selection)}, true)`;
 */
export function selectionSetting(selection: Selection): string {
  return JSON.stringify({
    ids: selection.ids ?? null,
    calibrationId: selection.calibrationId ?? null,
    saved: selection.saved ?? null,
    includeDiscarded: selection.includeDiscarded,
    from: selection.from ?? null,
    to: selection.to ?? null,
  });
}

/** A value of the selection setting, read once per statement (an init plan). */
function chosen(key: string, type: string): string {
  return `(select (current_setting('${SELECTION_SETTING}')::jsonb ->> '${key}')::${type})`;
}

/** The selection's condition on `public.experiments e` (selection.ts `matching`, from the setting). */
export const MATCHING = `e.user_id = (select auth.uid())
   and (${chosen("ids", "text")} is null or e.id = any(array(
        select jsonb_array_elements_text(current_setting('${SELECTION_SETTING}')::jsonb -> 'ids')::uuid)))
   and (${chosen("calibrationId", "uuid")} is null or e.calibration_id = ${
  chosen("calibrationId", "uuid")
})
   and (${chosen("saved", "boolean")} is null or e.saved = ${chosen("saved", "boolean")})
   and (${chosen("includeDiscarded", "boolean")} or not e.discarded)
   and (${chosen("from", "timestamptz")} is null or e.created_at >= ${
  chosen("from", "timestamptz")
})
   and (${chosen("to", "timestamptz")} is null or e.created_at < ${chosen("to", "timestamptz")})`;

/** Text `value` with `'` before a formula start; an empty text as null (COPY would quote it). */
function text(value: string): string {
  return `nullif(${neutralized(value)}, '')`;
}

/** The number at `key` of the jsonb object column `object` of `r`. */
function nested(object: string, key: string): string {
  return jsonNumber(`(r.${object} -> '${key}')`);
}

/**
 * Each experiment's cells, computed once per experiment (not once per
 * response), in csv.ts's order, with its responses; the sort in this
 * subquery is the file's order.
 */
const EXPERIMENTS = `(
  select e.id, ${isoTime("e.created_at")} as created_at,
         e.calibration_id, ${text("e.model")} as model,
         ${jsonNumber("(e.parameters -> 'seed')")} as seed,
         ${text(`(${jsonString("(e.parameters -> 'design')")})`)} as design,
         ${text("e.prompt")} as prompt, e.saved::text as saved, e.discarded::text as discarded,
         ${text("e.status")} as status,
         -- jsonb_to_recordset needs objects: an element that is not one reads as {}, as in sql_format.ts.
         case when e.responses @? '$[*] ? (@.type() != "object")'
           then (select jsonb_agg(case when jsonb_typeof(x.value) = 'object' then x.value else '{}' end
                                  order by x.position)
                   from jsonb_array_elements(e.responses) with ordinality as x(value, position))
           else e.responses end as responses
    from public.experiments e
   where ${MATCHING}
   order by e.created_at, e.id
) e`;

/**
 * Each response's top-level fields, read in one pass per experiment, in
 * stored order (`position`, 1-based).
 */
const RESPONSES = `lateral rows from (jsonb_to_recordset(e.responses) as (
    index jsonb, status jsonb, parameters jsonb, "finishReason" jsonb, "latencyMs" jsonb,
    usage jsonb, metrics jsonb, text jsonb, error jsonb
  )) with ordinality as r(index, status, parameters, "finishReason", "latencyMs", usage, metrics, text, error, position)`;

/** The cells of one response line (csv.ts RESPONSE_COLUMNS, same order). */
const CELLS = [
  "e.id",
  "e.created_at",
  "e.calibration_id",
  "e.model",
  "e.seed",
  "e.design",
  "e.prompt",
  "e.saved",
  "e.discarded",
  "e.status",
  `coalesce(${jsonNumber("r.index")}, (r.position - 1)::text)`,
  text(`(${jsonString("r.status")})`),
  nested("parameters", "temperature"),
  nested("parameters", "top_p"),
  nested("parameters", "max_tokens"),
  nested("parameters", "frequency_penalty"),
  text(`(${jsonString('r."finishReason"')})`),
  jsonNumber('r."latencyMs"'),
  `coalesce(${nested("usage", "promptTokens")}, ${nested("usage", "prompt_tokens")})`,
  `coalesce(${nested("usage", "completionTokens")}, ${nested("usage", "completion_tokens")})`,
  nested("metrics", "creativity"),
  nested("metrics", "coherence"),
  nested("metrics", "structure"),
  nested("metrics", "completeness"),
  text(`(${jsonString("r.text")})`),
  text(`(${jsonString("(r.error -> 'code')")})`),
];

/**
 * SQL text: the COPY of every response line of the selection (no header), in
 * the file's order: experiments by created_at and id, responses as stored.
 */
export const RESPONSES_COPY_SQL = `copy (
  select ${CELLS.join(",\n         ")}
    from ${EXPERIMENTS}
   cross join ${RESPONSES}
) to stdout with (format csv)`;

/** SQL text: how many experiments the selection holds (the export's tally). */
export const SELECTION_COUNT_SQL = `select count(*)::int as experiments
  from public.experiments e where ${MATCHING}`;

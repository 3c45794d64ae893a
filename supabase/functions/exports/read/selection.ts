/**
 * Which experiments an export holds, and reading them (with their
 * calibrations, analytics and audit events) inside the caller's RLS
 * transaction: experiments and audit events each as one binary COPY of the
 * text Postgres formats (sql_format.ts, copy_rows.ts), streamed with
 * backpressure (a cursor pass per page held ~40 MB more of the function's
 * memory); the response CSV as one CSV COPY (copy_sql.ts, copy_out.ts). The
 * COPYs read the selection from a setting (copy_sql.ts). Rows come raw: their
 * text stays the bytes Postgres sent, so postgres.js makes no string per row
 * (those strings were most of the function's heap growth during an export).
 *
 * @module
 */
import type { Tx } from "../../_shared/db/client.ts";
import { type RangeColumns, rangesFromColumns } from "../../_shared/lab/parameters.ts";
import type { CreateExportRequest } from "../../_shared/contracts/exports.ts";
import type {
  AnalyticsRecord,
  CalibrationRecord,
  ExperimentFile,
  FormattedExperiment,
  JsonObject,
  Pages,
} from "../assemble/tally.ts";
import {
  AUDIT_JSON_SQL,
  EXPERIMENT_JSON_SQL,
  EXPERIMENT_LINE_SQL,
  EXPERIMENT_VALUES_SQL,
} from "../files/sql.ts";
import { copyOut } from "./copy.ts";
import { copyRows } from "./copy_rows.ts";
import {
  MATCHING,
  RESPONSES_COPY_SQL,
  SELECTION_COUNT_SQL,
  SELECTION_SETTING,
  selectionSetting,
} from "../files/responses_csv.ts";
import { crlfRecords } from "../assemble/csv.ts";
import { csvHeader } from "../assemble/json.ts";
import { RESPONSE_COLUMNS } from "../testing/reference.ts";
import { type ByteSink, writeText } from "../assemble/measure.ts";
import type { PackageSource } from "../assemble/zip.ts";

/** The experiments of one export: every given condition holds. */
export interface Selection {
  /** Exactly these experiments (lowercase, unique). */
  ids?: string[];
  calibrationId?: string;
  saved?: boolean;
  includeDiscarded: boolean;
  /** Inclusive lower bound on created_at (ISO timestamp). */
  from?: string;
  /** Exclusive upper bound on created_at (ISO timestamp). */
  to?: string;
}

/**
 * The selection a request asks for. Discarded experiments are left out unless
 * asked for, or unless they were selected by id.
 *
 * @example
 * selectionOf({ format: "csv", selectedIds: [id] }); // { ids: [id], includeDiscarded: true }
 */
export function selectionOf(request: CreateExportRequest): Selection {
  const filter = request.filter ?? {};
  const ids = request.selectedIds
    ? [...new Set(request.selectedIds.map((id) => id.toLowerCase()))]
    : undefined;
  const selection: Selection = { includeDiscarded: filter.includeDiscarded ?? ids !== undefined };
  if (ids) selection.ids = ids;
  if (filter.calibrationId) selection.calibrationId = filter.calibrationId.toLowerCase();
  if (filter.saved !== undefined) selection.saved = filter.saved;
  if (filter.from) selection.from = filter.from;
  if (filter.to) selection.to = filter.to;
  return selection;
}

/** The SQL condition on `public.experiments e` for a selection. */
function matching(tx: Tx, s: Selection) {
  const none = tx``;
  return tx`e.user_id = (select auth.uid())
    ${s.ids ? tx`and e.id = any(${s.ids}::uuid[])` : none}
    ${s.calibrationId ? tx`and e.calibration_id = ${s.calibrationId}::uuid` : none}
    ${s.saved !== undefined ? tx`and e.saved = ${s.saved}` : none}
    ${s.includeDiscarded ? none : tx`and not e.discarded`}
    ${s.from ? tx`and e.created_at >= ${s.from}::timestamptz` : none}
    ${s.to ? tx`and e.created_at < ${s.to}::timestamptz` : none}`;
}

/**
 * How many of `ids` the caller cannot see (unknown or someone else's: RLS
 * makes the two indistinguishable).
 *
 * @example
 * if (await countInvisible(tx, selection.ids) > 0) throw notFound();
 */
export async function countInvisible(tx: Tx, ids: string[]): Promise<number> {
  const [{ found }] = await tx<{ found: number }[]>`
    select count(*)::int as found from public.experiments e where e.id = any(${ids}::uuid[])`;
  return ids.length - found;
}

/**
 * How many experiments and responses the selection holds right now.
 *
 * @example
 * const { experiments } = await countSelection(tx, selection);
 */
export async function countSelection(
  tx: Tx,
  selection: Selection,
): Promise<{ experiments: number; responses: number }> {
  const [row] = await tx<{ experiments: number; responses: number }[]>`
    select count(*)::int as experiments, coalesce(sum(jsonb_array_length(e.responses)), 0)::int as responses
      from public.experiments e
     where ${matching(tx, selection)}`;
  return row;
}

/** An experiment row in raw mode: each column's text as the bytes Postgres sent (null for null). */
type RawRow = (Uint8Array | null)[];

const decoder = new TextDecoder();

function formattedRow(
  [text, responses, model, calibrationId, design]: RawRow,
): FormattedExperiment {
  return {
    text: text ?? new Uint8Array(0),
    responses: Number(decoder.decode(responses!)),
    model: decoder.decode(model!),
    calibrationId: decoder.decode(calibrationId!),
    design: design === null ? null : decoder.decode(design),
  };
}

async function* formattedPages(pages: Pages<RawRow>): Pages<FormattedExperiment> {
  for await (const page of pages) yield page.map(formattedRow);
}

/** What each {@link ExperimentFile} selects per experiment, in SQL (fixed text, see sql_format.ts). */
const FILE_TEXT: Readonly<Record<ExperimentFile, string>> = {
  "experiments.csv": EXPERIMENT_LINE_SQL,
  "experiments.json": EXPERIMENT_JSON_SQL,
};

/**
 * Settings for the export's snapshot transaction: no JIT, whose compile time
 * for the wide formatting expressions (~0.7 s) costs more than it saves.
 *
 * @example
 * await prepareSnapshot(tx);
 */
export async function prepareSnapshot(tx: Tx): Promise<void> {
  await tx`set local jit = off`;
}

/**
 * Reads a selection within `tx`; every `experiments()` or `auditJson()` call
 * is a new COPY pass, whose rows Postgres has already formatted, streamed
 * as they arrive. Run it in a repeatable-read transaction so passes agree.
 *
 * @example
 * const source = selectionSource(tx, selection);
 * for await (const page of source.experiments("experiments.csv")) console.log(page.length);
 */
export function selectionSource(
  tx: Tx,
  selection: Selection,
): PackageSource {
  /** Puts the selection where the COPYs read it (see copy_sql.ts). */
  const choose = () =>
    tx`select set_config(${SELECTION_SETTING}, ${selectionSetting(selection)}, true)`;
  /** The rows of `select` (fixed SQL text, selection from the setting) by binary COPY. */
  async function* copyPages(select: string): Pages<RawRow> {
    await choose();
    yield* copyRows(copyOut(tx.unsafe(`copy (${select}) to stdout with (format binary)`)));
  }
  const calibrationIds = () =>
    tx`select e.calibration_id from public.experiments e where ${matching(tx, selection)}`;
  return {
    experiments(file: ExperimentFile): Pages<FormattedExperiment> {
      // Binary COPY rows: the text stays the UTF-8 bytes Postgres sent, no string per row.
      return formattedPages(copyPages(`
        select ${FILE_TEXT[file]} as text, jsonb_array_length(e.responses)::text,
               e.model, e.calibration_id::text, x.design
          from public.experiments e
         cross join ${EXPERIMENT_VALUES_SQL}
         where ${MATCHING}
         order by e.created_at, e.id`));
    },
    async responsesCsv(sink: ByteSink) {
      await choose();
      const [{ experiments }] = await tx.unsafe<{ experiments: number }[]>(SELECTION_COUNT_SQL);
      await writeText(sink, csvHeader(RESPONSE_COLUMNS));
      const out = crlfRecords(sink);
      for await (const chunk of copyOut(tx.unsafe(RESPONSES_COPY_SQL))) await out.write(chunk);
      await out.flush();
      return { experiments, responses: out.records };
    },
    async calibrations() {
      const rows = await tx<CalibrationRow[]>`
        select c.id, c.mode, c.questionnaire_version as "questionnaireVersion", c.answers, c.insights,
               c.temperature_min::float8 as temperature_min, c.temperature_max::float8 as temperature_max,
               c.top_p_min::float8 as top_p_min, c.top_p_max::float8 as top_p_max,
               c.max_tokens_min, c.max_tokens_max,
               c.frequency_penalty_min::float8 as frequency_penalty_min,
               c.frequency_penalty_max::float8 as frequency_penalty_max,
               c.correlation_id as "correlationId", c.created_at as "createdAt"
          from public.calibrations c
         where c.id in (${calibrationIds()})
         order by c.created_at, c.id`;
      return rows.map(calibrationRecord);
    },
    async analytics() {
      return await tx<AnalyticsRecord[]>`
        select a.calibration_id as "calibrationId", a.experiment_count as "experimentCount",
               a.response_count as "responseCount", a.metrics_summary as "metricsSummary",
               a.updated_at as "updatedAt"
          from public.analytics_summaries a
         where a.user_id = (select auth.uid()) and a.calibration_id in (${calibrationIds()})
         order by a.calibration_id`;
    },
    auditJson(): Pages<Uint8Array> {
      return textPages(copyPages(`
        with chosen as (
          select e.id, e.correlation_id from public.experiments e where ${MATCHING}
        )
        select ${AUDIT_JSON_SQL} as text
          from public.audit_logs a
         where a.user_id = (select auth.uid())
           and (a.correlation_id in (select c.correlation_id from chosen c)
                or a.event_data ->> 'experimentId' in (select c.id::text from chosen c))
         order by a.created_at, a.id`));
    },
  };
}

async function* textPages(pages: Pages<RawRow>): Pages<Uint8Array> {
  for await (const page of pages) yield page.map(([text]) => text!);
}

interface CalibrationRow extends RangeColumns {
  id: string;
  mode: string;
  questionnaireVersion: string;
  answers: JsonObject;
  insights: CalibrationRecord["insights"];
  correlationId: string | null;
  createdAt: Date;
}

function calibrationRecord(row: CalibrationRow): CalibrationRecord {
  return {
    id: row.id,
    mode: row.mode,
    questionnaireVersion: row.questionnaireVersion,
    answers: row.answers,
    ranges: rangesFromColumns(row),
    insights: row.insights,
    correlationId: row.correlationId,
    createdAt: row.createdAt,
  };
}

/**
 * Reading an export's selection inside the caller's RLS transaction, each
 * file from its spec (files/): the experiments and audit events as binary
 * COPYs of the text Postgres formats (and so every item file: ratings,
 * score configs, judge versions and verdicts), the response CSV as one CSV
 * COPY, calibrations and analytics as rows. COPY streams with backpressure, and
 * rows stay the bytes Postgres sent, so memory does not grow with the export.
 *
 * @module
 */
import type { Tx } from "../../_shared/db/client.ts";
import { ANALYTICS_JSON, type AnalyticsRecord } from "../files/analytics_json.ts";
import { AUDIT_JSON } from "../files/audit_json.ts";
import {
  type CalibrationRecord,
  type CalibrationRow,
  CALIBRATIONS_JSON,
} from "../files/calibrations_json.ts";
import { EXPERIMENTS_CSV } from "../files/experiments_csv.ts";
import { EXPERIMENTS_JSON } from "../files/experiments_json.ts";
import { RESPONSES_CSV } from "../files/responses_csv.ts";
import { jsonString } from "../files/sql.ts";
import { copyOut, type CopyRow, copyRows } from "./copy.ts";
import type { ExperimentFile, FormattedExperiment, ItemFile, Pages } from "./rows.ts";
import {
  chooseSelection as choose,
  MATCHING,
  type PageBounds,
  type PageKey,
  pageKeyColumns,
  type Selection,
} from "./selection.ts";

/** Everything an export is read from; each call is a fresh pass over one snapshot. */
export interface PackageSource {
  /** The experiments, each already formatted for `file`. */
  experiments(file: ExperimentFile): Pages<FormattedExperiment>;
  /** How many experiments the selection holds. */
  countExperiments(): Promise<number>;
  /** The response CSV's lines as COPY sends them: one LF-terminated record per chunk, no header. */
  responseRecords(): AsyncIterable<Uint8Array>;
  calibrations(): Promise<CalibrationRecord[]>;
  analytics(): Promise<AnalyticsRecord[]>;
  /** The audit events, each already JSON text or its UTF-8 bytes. */
  auditJson(): Pages<string | Uint8Array>;
  /** The items of `file` (ratings, score configs, judge versions, verdicts), each already its text. */
  items(file: ItemFile): Pages<string | Uint8Array>;
}

/** The rows a page is counted in: experiments, or the audit events of the whole selection. */
export type PagedRows = "experiments" | "audit";

/**
 * A selection read a page at a time, each page in whatever transaction the
 * caller holds then: pages are ranges of keys, so reading them in order gives
 * the rows a single pass would, in the same order.
 */
export interface PagedSource {
  /** The key of the `size`-th row after `after`, or null when fewer are left (the page runs to the end). */
  pageEnd(rows: PagedRows, after: PageKey | null, size: number): Promise<PageKey | null>;
  /** Everything an export is read from, restricted to one page. */
  page(bounds: PageBounds): PackageSource;
}

/** What each {@link ExperimentFile} selects per experiment. */
const FILE_TEXT: Readonly<Record<ExperimentFile, string>> = {
  [EXPERIMENTS_CSV.name]: EXPERIMENTS_CSV.item,
  [EXPERIMENTS_JSON.name]: EXPERIMENTS_JSON.item,
};

/** SQL text: a lateral subquery `x` of experiment `e`'s text values, computed once per experiment. */
const EXPERIMENT_VALUES = `lateral (
  select e.model, e.prompt, e.status, ${jsonString("(e.parameters -> 'design')")} as design
  offset 0) x`;

/**
 * Settings for the export's snapshot transaction: no JIT, whose compile time
 * for the wide formatting expressions costs more than it saves.
 *
 * @example
 * await prepareSnapshot(tx);
 */
export async function prepareSnapshot(tx: Tx): Promise<void> {
  await tx`set local jit = off`;
}

const decoder = new TextDecoder();

function formattedRow(
  [text, responses, model, calibrationId, design]: CopyRow,
): FormattedExperiment {
  return {
    text: text ?? new Uint8Array(0),
    responses: Number(decoder.decode(responses!)),
    model: decoder.decode(model!),
    calibrationId: decoder.decode(calibrationId!),
    design: design === null ? null : decoder.decode(design),
  };
}

async function* formattedPages(pages: Pages<CopyRow>): Pages<FormattedExperiment> {
  for await (const page of pages) yield page.map(formattedRow);
}

async function* textPages(pages: Pages<CopyRow>): Pages<Uint8Array> {
  for await (const page of pages) yield page.map(([text]) => text!);
}

/**
 * Reads a selection within `tx`; every pass is a new query, so run it in a
 * repeatable-read transaction for the passes to agree.
 *
 * @example
 * const source = selectionSource(tx, selection);
 * for await (const page of source.experiments("experiments.csv")) console.log(page.length);
 */
export function selectionSource(
  tx: Tx,
  selection: Selection,
  page: PageBounds = {},
): PackageSource {
  const chooseSelection = (tx: Tx, selection: Selection) => choose(tx, selection, page);
  /** The rows of `select` by binary COPY. */
  async function* copyPages(select: string): Pages<CopyRow> {
    await chooseSelection(tx, selection);
    yield* copyRows(copyOut(tx.unsafe(`copy (${select}) to stdout with (format binary)`)));
  }
  return {
    experiments(file) {
      return formattedPages(copyPages(`
        select ${FILE_TEXT[file]} as text, jsonb_array_length(e.responses)::text,
               e.model, e.calibration_id::text, x.design
          from public.experiments e
         cross join ${EXPERIMENT_VALUES}
         where ${MATCHING}
         order by e.created_at, e.id`));
    },
    async countExperiments() {
      await chooseSelection(tx, selection);
      const [{ experiments }] = await tx.unsafe<{ experiments: number }[]>(
        `select count(*)::int as experiments from public.experiments e where ${MATCHING}`,
      );
      return experiments;
    },
    async *responseRecords() {
      await chooseSelection(tx, selection);
      yield* copyOut(tx.unsafe(`copy (${RESPONSES_CSV.select}) to stdout with (format csv)`));
    },
    async calibrations() {
      await chooseSelection(tx, selection);
      const rows = await tx.unsafe<CalibrationRow[]>(CALIBRATIONS_JSON.select);
      return rows.map(CALIBRATIONS_JSON.record);
    },
    async analytics() {
      await chooseSelection(tx, selection);
      return [...await tx.unsafe<AnalyticsRecord[]>(ANALYTICS_JSON.select)];
    },
    auditJson() {
      return textPages(copyPages(AUDIT_JSON.select));
    },
    items(file) {
      return textPages(copyPages(file.select));
    },
  };
}

/**
 * Reads a selection page by page within `tx` (read/selection.ts `PageBounds`).
 *
 * @example
 * const paged = pagedSelectionSource(tx, selection);
 * const upTo = await paged.pageEnd("experiments", null, 500);
 * for await (const page of paged.page({ experiments: { after: null, upTo } }).experiments("experiments.csv")) {}
 */
export function pagedSelectionSource(tx: Tx, selection: Selection): PagedSource {
  return {
    async pageEnd(rows, after, size) {
      const range = { after, upTo: null };
      await choose(
        tx,
        selection,
        rows === "experiments" ? { experiments: range } : { audit: range },
      );
      const keys = rows === "experiments"
        ? `select ${pageKeyColumns("e")} from public.experiments e where ${MATCHING}
            order by e.created_at, e.id`
        : AUDIT_JSON.keys;
      const [key] = await tx.unsafe<PageKey[]>(
        `${keys} offset ${Math.max(0, Math.floor(size) - 1)} limit 1`,
      );
      return key ? { at: key.at, id: key.id } : null;
    },
    page(bounds) {
      return selectionSource(tx, selection, bounds);
    },
  };
}

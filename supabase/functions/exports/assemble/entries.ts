/**
 * The files of an export as segments: each file is written a page of rows
 * at a time, and each call writes the next segment of its text from where
 * the last one stopped (a cursor of plain JSON). Segment boundaries depend
 * only on the data (a page is a fixed number of rows in the file's order),
 * so a file written in one pass and one written across many invocations,
 * each taking up the cursor the last one saved, are the same bytes.
 *
 * @module
 */
import { type BufferedWriter, bufferedWriter } from "../../_shared/byte_writer.ts";
import type { ManifestFile } from "../files/manifest_json.ts";
import { EXPERIMENTS_CSV } from "../files/experiments_csv.ts";
import { EXPERIMENTS_JSON } from "../files/experiments_json.ts";
import { RESPONSES_CSV } from "../files/responses_csv.ts";
import { AUDIT_JSON } from "../files/audit_json.ts";
import type { ExperimentFile, Json } from "../read/rows.ts";
import type { PageKey } from "../read/selection.ts";
import type { PackageSource, PagedRows, PagedSource } from "../read/source.ts";
import { writeResponseLines } from "./csv.ts";
import type { ItemFileSpec } from "./items.ts";
import { jsonClosing, jsonOpening, writeJsonItem } from "./json.ts";
import type { Tally } from "./tally.ts";

/** Where a file's writing stands between segments. */
export interface EntryCursor {
  /** The last row written; null before the first page. */
  after: PageKey | null;
  /** Rows written so far. */
  written: number;
}

/** Who the export is for, as its files' heads and the manifest say. */
export interface EntryMeta {
  formatVersion: number;
  exportId: string;
  userId: string;
  /** ISO time of the export's creation. */
  createdAt: string;
  request: Json;
}

/** What the segments of every file of one export share and add to. */
export interface EntryContext {
  meta: EntryMeta;
  tally: Tally;
  /** Counts the manifest reports (calibrations, analyticsSummaries, auditEvents, …). */
  counts: Record<string, number>;
  /** The files finished so far, measured (the ZIP's manifest lists them). */
  files: readonly ManifestFile[];
  /** Rows per page. */
  pageSize: number;
}

/** A segment's text and the cursor after it (null once the file is complete). */
export interface Segment {
  text: Uint8Array;
  next: EntryCursor | null;
}

/** One file of an export. */
export interface ExportEntry {
  name: string;
  /** True when it is written from what the other files left (their measures): never read ahead. */
  final?: boolean;
  /** Writes the segment after `cursor` (null: the file's first). */
  segment(source: PagedSource, cursor: EntryCursor | null, context: EntryContext): Promise<Segment>;
}

/** Audit events per page, per experiment per page: an experiment has a few small events. */
const AUDIT_PAGE_FACTOR = 4;

/**
 * The text `write` writes, as one array.
 *
 * @example
 * const text = await collect((out) => out.write("a,b\r\n"));
 */
export async function collect(write: (out: BufferedWriter) => Promise<void>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const out = bufferedWriter({
    write(chunk) {
      chunks.push(chunk.slice());
      size += chunk.byteLength;
      return Promise.resolve();
    },
  });
  await write(out);
  await out.flush();
  if (chunks.length === 1) return chunks[0];
  const text = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    text.set(chunk, at);
    at += chunk.byteLength;
  }
  return text;
}

/**
 * A file written a page of `rows` at a time: `head` before the first page,
 * `page` for each (it returns how many rows it wrote), `tail` after the last.
 */
function pagedEntry(
  name: string,
  /** What the pages count; null: the whole file is one page. */
  rows: PagedRows | null,
  parts: {
    head(context: EntryContext): string;
    page(
      page: PackageSource,
      out: BufferedWriter,
      written: number,
      context: EntryContext,
    ): Promise<number>;
    tail(written: number): string;
  },
): ExportEntry {
  return {
    name,
    async segment(source, cursor, context) {
      const after = cursor?.after ?? null;
      let written = cursor?.written ?? 0;
      const size = rows === "audit" ? context.pageSize * AUDIT_PAGE_FACTOR : context.pageSize;
      const upTo = rows === null ? null : await source.pageEnd(rows, after, size);
      const range = { after, upTo };
      const page = source.page(
        rows === null ? {} : rows === "experiments" ? { experiments: range } : { audit: range },
      );
      const text = await collect(async (out) => {
        if (cursor === null) await out.write(parts.head(context));
        written += await parts.page(page, out, written, context);
        if (upTo === null) await out.write(parts.tail(written));
      });
      return { text, next: upTo === null ? null : { after: upTo, written } };
    },
  };
}

/** Adds `experiments` of one page to the tally. */
function tallyPage(
  tally: Tally,
  experiment: { responses: number; model: string; calibrationId: string; design: string | null },
) {
  tally.experiments += 1;
  tally.responses += experiment.responses;
  tally.models.add(experiment.model);
  tally.calibrationIds.add(experiment.calibrationId);
  if (experiment.design !== null) tally.designs.add(experiment.design);
}

/** A file of one item per experiment (`experiments.csv` or `experiments.json`). */
function experimentItems(
  file: ExperimentFile,
  options: { tally: boolean; json: boolean },
) {
  return async (
    page: PackageSource,
    out: BufferedWriter,
    written: number,
    context: EntryContext,
  ) => {
    let n = 0;
    for await (const rows of page.experiments(file)) {
      for (const row of rows) {
        if (options.json) await writeJsonItem(out, row.text, written + n);
        else await out.write(row.text);
        if (options.tally) tallyPage(context.tally, row);
        n += 1;
      }
    }
    return n;
  };
}

/**
 * `experiments.csv`: its header, then a line per experiment.
 *
 * @example
 * const entry = experimentsCsvEntry({ tally: true }); // the ZIP counts its experiments here
 */
export function experimentsCsvEntry(options: { tally: boolean }): ExportEntry {
  return pagedEntry(EXPERIMENTS_CSV.name, "experiments", {
    head: () => EXPERIMENTS_CSV.header,
    page: experimentItems(EXPERIMENTS_CSV.name, { tally: options.tally, json: false }),
    tail: () => "",
  });
}

/**
 * `experiments.json`: `{ formatVersion, exportId, exportedAt, experiments: [...] }`.
 *
 * @example
 * const entry = experimentsJsonEntry({ tally: true }); // the JSON export counts here
 */
export function experimentsJsonEntry(options: { tally: boolean }): ExportEntry {
  return pagedEntry(EXPERIMENTS_JSON.name, "experiments", {
    head: ({ meta }) =>
      jsonOpening({
        formatVersion: meta.formatVersion,
        exportId: meta.exportId,
        exportedAt: meta.createdAt,
      }, EXPERIMENTS_JSON.key),
    page: experimentItems(EXPERIMENTS_JSON.name, { tally: options.tally, json: true }),
    tail: jsonClosing,
  });
}

/**
 * `responses.csv`: its header, then a line per response; with `tally`, the
 * export's counts are the experiments and responses it holds (the CSV export).
 *
 * @example
 * const entry = responsesCsvEntry({ tally: false }); // in the ZIP, experiments.csv counts
 */
export function responsesCsvEntry(options: { tally: boolean }): ExportEntry {
  return pagedEntry(RESPONSES_CSV.name, "experiments", {
    head: () => RESPONSES_CSV.header,
    async page(page, out, _written, context) {
      const lines = await writeResponseLines(page.responseRecords(), out);
      if (options.tally) {
        context.tally.experiments += await page.countExperiments();
        context.tally.responses += lines;
      }
      return lines;
    },
    tail: () => "",
  });
}

/** The head of the package's JSON documents. */
function packageHead(meta: EntryMeta): Record<string, Json> {
  return { formatVersion: meta.formatVersion, exportId: meta.exportId };
}

/**
 * `audit.json`: the audit events of the selection, a page of events at a time.
 *
 * @example
 * const entry = auditEntry();
 */
export function auditEntry(): ExportEntry {
  return pagedEntry(AUDIT_JSON.name, "audit", {
    head: ({ meta }) => jsonOpening(packageHead(meta), AUDIT_JSON.key),
    async page(page, out, written, context) {
      let n = 0;
      for await (const events of page.auditJson()) {
        for (const event of events) await writeJsonItem(out, event, written + n++);
      }
      context.counts.auditEvents = (context.counts.auditEvents ?? 0) + n;
      return n;
    },
    tail: jsonClosing,
  });
}

/**
 * A small JSON document of the package, written in one segment: `read`
 * gives its items as they go in the file; `count` names the manifest count.
 *
 * @example
 * documentEntry(CALIBRATIONS_JSON, "calibrations", async (s) => (await s.calibrations()).map(CALIBRATIONS_JSON.item));
 */
export function documentEntry(
  spec: { name: string; key: string },
  count: string,
  read: (page: PackageSource) => Promise<unknown[]>,
): ExportEntry {
  return {
    name: spec.name,
    async segment(source, _cursor, context) {
      const items = await read(source.page({}));
      context.counts[count] = items.length;
      const text = await collect(async (out) => {
        await out.write(jsonOpening(packageHead(context.meta), spec.key));
        for (const [i, item] of items.entries()) await writeJsonItem(out, JSON.stringify(item), i);
        await out.write(jsonClosing(items.length));
      });
      return { text, next: null };
    },
  };
}

/**
 * A file written in one segment from what the others left in the context (the manifest).
 *
 * @example
 * finalEntry(MANIFEST_JSON.name, (context) => MANIFEST_JSON.text(manifestOf(context)));
 */
export function finalEntry(name: string, text: (context: EntryContext) => string): ExportEntry {
  return {
    name,
    final: true,
    segment(_source, _cursor, context) {
      return Promise.resolve({ text: new TextEncoder().encode(text(context)), next: null });
    },
  };
}

/**
 * A file whose items Postgres writes whole (assemble/items.ts): a CSV
 * header or a JSON document's opening, the items, and its closing; with
 * `paged`, a page of experiments at a time (its items must be in
 * experiment order), else in one segment.
 *
 * @example
 * itemEntry(RATINGS_CSV, { paged: true });
 */
export function itemEntry(spec: ItemFileSpec, options: { paged: boolean }): ExportEntry {
  const csv = "header" in spec;
  return pagedEntry(spec.name, options.paged ? "experiments" : null, {
    head: ({ meta }) => ("header" in spec ? spec.header : jsonOpening(packageHead(meta), spec.key)),
    async page(page, out, written, context) {
      let n = 0;
      for await (const items of page.items(spec)) {
        for (const item of items) {
          if (csv) await out.write(item);
          else await writeJsonItem(out, item, written + n);
          n += 1;
        }
      }
      context.counts[spec.count] = (context.counts[spec.count] ?? 0) + n;
      return n;
    },
    tail: (written) => (csv ? "" : jsonClosing(written)),
  });
}

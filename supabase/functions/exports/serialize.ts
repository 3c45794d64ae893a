/**
 * Page-by-page serializers: each reads one pass of a {@link Pages} source and
 * writes text to a {@link ByteSink} as it goes, holding one page at a time.
 *
 * @module
 */
import { type CsvColumn, csvText, EXPERIMENT_COLUMNS, RESPONSE_COLUMNS } from "./csv.ts";
import { type ExperimentRecord, type Json, type Pages, responseRows } from "./records.ts";
import { type ByteSink, writeText } from "./sink.ts";

/**
 * Writes a CSV file from pages of rows: the header, then each page's lines.
 *
 * @example
 * await writeCsv(source.experiments(), sink, EXPERIMENT_COLUMNS);
 */
export async function writeCsv<R>(
  pages: Pages<R>,
  sink: ByteSink,
  columns: CsvColumn<R>[],
): Promise<void> {
  await writeText(sink, csvText([], columns, { header: true }));
  for await (const page of pages) {
    await writeText(sink, csvText(page, columns, { header: false }));
  }
}

/**
 * The response CSV: one row per response, with its experiment's columns.
 *
 * @example
 * await writeResponsesCsv(source.experiments(), file);
 */
export async function writeResponsesCsv(
  pages: Pages<ExperimentRecord>,
  sink: ByteSink,
): Promise<void> {
  await writeCsv(mapPages(pages, responseRows), sink, RESPONSE_COLUMNS);
}

/**
 * The experiment CSV: one row per experiment.
 *
 * @example
 * await writeExperimentsCsv(source.experiments(), entry);
 */
export function writeExperimentsCsv(pages: Pages<ExperimentRecord>, sink: ByteSink): Promise<void> {
  return writeCsv(pages, sink, EXPERIMENT_COLUMNS);
}

/**
 * Writes one JSON object: the `head` fields, then `key` holding the items of
 * every page, one item per line.
 *
 * @example
 * await writeJsonDocument(sink, { formatVersion: 1 }, { key: "events", pages, item: auditJson });
 * // {"formatVersion":1,"events":[
 * // {...},
 * // {...}
 * // ]}
 */
export async function writeJsonDocument<T>(
  sink: ByteSink,
  head: Record<string, Json>,
  list: { key: string; pages: Pages<T>; item: (value: T) => unknown },
): Promise<void> {
  const opening = JSON.stringify(head).slice(0, -1);
  const separator = opening === "{" ? "" : ",";
  await writeText(sink, `${opening}${separator}${JSON.stringify(list.key)}:[`);
  let first = true;
  for await (const page of list.pages) {
    if (page.length === 0) continue;
    const lines = page.map((value) => JSON.stringify(list.item(value)));
    await writeText(sink, `${first ? "\n" : ",\n"}${lines.join(",\n")}`);
    first = false;
  }
  await writeText(sink, `${first ? "" : "\n"}]}\n`);
}

/**
 * An experiment as exported in JSON, its responses nested as stored.
 *
 * @example
 * experimentJson(record).responses[0].metrics.creativity;
 */
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

/** Metadata at the top of an experiments JSON document. */
export interface JsonExportHead {
  formatVersion: number;
  exportId: string;
  exportedAt: string;
}

/**
 * The JSON export: `{ formatVersion, exportId, exportedAt, experiments: [...] }`.
 *
 * @example
 * await writeExperimentsJson(source.experiments(), file, { formatVersion: 1, exportId, exportedAt });
 */
export function writeExperimentsJson(
  pages: Pages<ExperimentRecord>,
  sink: ByteSink,
  head: JsonExportHead,
): Promise<void> {
  return writeJsonDocument(sink, { ...head }, { key: "experiments", pages, item: experimentJson });
}

/** Maps every page of a source. */
export async function* mapPages<T, U>(pages: Pages<T>, map: (page: T[]) => U[]): Pages<U> {
  for await (const page of pages) yield map(page);
}

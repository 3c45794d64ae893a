/**
 * Page-by-page writers: each reads one pass of a {@link Pages} source of text
 * the database already formatted and writes it to a {@link ByteSink} as it
 * goes, through one reused buffer (sink.ts `textWriter`), holding one page at
 * a time. The JSON shape of an
 * experiment is {@link experimentJson}; selection.ts has Postgres write it.
 *
 * @module
 */
import { type CsvColumn, csvText, EXPERIMENT_COLUMNS } from "../testing/reference.ts";
import type { ExperimentRecord, Json, Pages } from "./tally.ts";
import { type ByteSink, textWriter } from "./measure.ts";

/**
 * The header line of a CSV with these columns.
 *
 * @example
 * csvHeader([{ header: "a", value: (r) => r.a }]); // "a\r\n"
 */
export function csvHeader<R>(columns: CsvColumn<R>[]): string {
  return csvText([], columns, { header: true });
}

/**
 * Writes a CSV file: the header line, then each page's lines.
 *
 * @example
 * await writeCsv(source.experiments("experiments.csv"), sink, csvHeader(EXPERIMENT_COLUMNS));
 */
export async function writeCsv(
  pages: Pages<{ text: string | Uint8Array }>,
  sink: ByteSink,
  header: string,
): Promise<void> {
  const out = textWriter(sink);
  await out.write(header);
  for await (const page of pages) {
    for (const row of page) await out.write(row.text);
  }
  await out.flush();
}

/**
 * The experiment CSV: one row per experiment.
 *
 * @example
 * await writeExperimentsCsv(source.experiments("experiments.csv"), entry);
 */
export function writeExperimentsCsv(
  pages: Pages<{ text: string | Uint8Array }>,
  sink: ByteSink,
): Promise<void> {
  return writeCsv(pages, sink, csvHeader(EXPERIMENT_COLUMNS));
}

/**
 * Writes one JSON object: the `head` fields, then `key` holding the items of
 * every page (each already JSON text), one item per line.
 *
 * @example
 * await writeJsonDocument(sink, { formatVersion: 1 }, { key: "events", pages });
 * // {"formatVersion":1,"events":[
 * // {...},
 * // {...}
 * // ]}
 */
export async function writeJsonDocument(
  sink: ByteSink,
  head: Record<string, Json>,
  list: { key: string; pages: Pages<string | Uint8Array> },
): Promise<void> {
  const opening = JSON.stringify(head).slice(0, -1);
  const separator = opening === "{" ? "" : ",";
  const out = textWriter(sink);
  await out.write(`${opening}${separator}${JSON.stringify(list.key)}:[`);
  let first = true;
  for await (const page of list.pages) {
    for (const item of page) {
      await out.write(first ? "\n" : ",\n");
      await out.write(item);
      first = false;
    }
  }
  await out.write(`${first ? "" : "\n"}]}\n`);
  await out.flush();
}

/**
 * An experiment as exported in JSON, its responses nested as stored (the
 * shape `EXPERIMENT_JSON_SQL` writes in Postgres).
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
 * await writeExperimentsJson(source.experiments("experiments.json"), file, { formatVersion: 1, exportId, exportedAt });
 */
export function writeExperimentsJson(
  pages: Pages<{ text: string | Uint8Array }>,
  sink: ByteSink,
  head: JsonExportHead,
): Promise<void> {
  return writeJsonDocument(sink, { ...head }, {
    key: "experiments",
    pages: mapPages(pages, (page) => page.map((row) => row.text)),
  });
}

/** Maps every page of a source. */
export async function* mapPages<T, U>(pages: Pages<T>, map: (page: T[]) => U[]): Pages<U> {
  for await (const page of pages) yield map(page);
}

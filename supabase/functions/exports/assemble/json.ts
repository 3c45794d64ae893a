/**
 * The export's JSON documents as bytes: a head of fields, then one list of
 * items Postgres (or a spec) already wrote as JSON text, one item per line,
 * written page by page through one reused buffer.
 *
 * @module
 */
import { bufferedWriter, type ByteSink } from "../../_shared/byte_writer.ts";
import { EXPERIMENTS_JSON } from "../files/experiments_json.ts";
import type { Json, Pages } from "../read/rows.ts";

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
  const out = bufferedWriter(sink);
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

/** Metadata at the top of an experiments JSON document. */
export interface JsonExportHead {
  formatVersion: number;
  exportId: string;
  exportedAt: string;
}

/**
 * Writes `experiments.json`: `{ formatVersion, exportId, exportedAt, experiments: [...] }`.
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
    key: EXPERIMENTS_JSON.key,
    pages: mapPages(pages, (page) => page.map((row) => row.text)),
  });
}

async function* mapPages<T, U>(pages: Pages<T>, map: (page: T[]) => U[]): Pages<U> {
  for await (const page of pages) yield map(page);
}

/**
 * The export's JSON documents as bytes: a head of fields, then one list of
 * items Postgres (or a spec) already wrote as JSON text, one item per line,
 * written page by page through one reused buffer.
 *
 * @module
 */
import { type BufferedWriter, bufferedWriter, type ByteSink } from "../../_shared/byte_writer.ts";
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
  const out = bufferedWriter(sink);
  await out.write(jsonOpening(head, list.key));
  let written = 0;
  for await (const page of list.pages) {
    for (const item of page) await writeJsonItem(out, item, written++);
  }
  await out.write(jsonClosing(written));
  await out.flush();
}

/**
 * The text of a document up to its list's first item: the head's fields, then `"key":[`.
 *
 * @example
 * jsonOpening({ formatVersion: 1 }, "events"); // '{"formatVersion":1,"events":['
 */
export function jsonOpening(head: Record<string, Json>, key: string): string {
  const opening = JSON.stringify(head).slice(0, -1);
  return `${opening}${opening === "{" ? "" : ","}${JSON.stringify(key)}:[`;
}

/**
 * Writes one item (already JSON text) of a list after `written` others, one item per line.
 *
 * @example
 * await writeJsonItem(out, '{"id":1}', 0);
 */
export async function writeJsonItem(
  out: BufferedWriter,
  item: string | Uint8Array,
  written: number,
): Promise<void> {
  await out.write(written === 0 ? "\n" : ",\n");
  await out.write(item);
}

/**
 * The text that ends a document whose list holds `written` items.
 *
 * @example
 * jsonClosing(0); // "]}\n"
 */
export function jsonClosing(written: number): string {
  return `${written === 0 ? "" : "\n"}]}\n`;
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

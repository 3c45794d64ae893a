/**
 * The files whose items Postgres writes whole (files/ specs with a `select`
 * of one `text` column: ratings.csv and the evaluation JSON documents),
 * written from their spec alone: a CSV spec has a header, a JSON spec the
 * key of its list.
 *
 * @module
 */
import type { ByteSink } from "../../_shared/byte_writer.ts";
import type { ItemCounts } from "../files/manifest_json.ts";
import type { ItemFile, Json, Pages } from "../read/rows.ts";
import type { PackageSource } from "../read/source.ts";
import { writeCsvLines } from "./csv.ts";
import { writeJsonDocument } from "./json.ts";

/** An item file's spec: what it selects, how the manifest counts it, and its CSV header or JSON key. */
export type ItemFileSpec =
  & ItemFile
  & { count: keyof ItemCounts }
  & (
    | { header: string }
    | { key: string }
  );

/** Counts of no items yet. */
export function emptyItemCounts(): ItemCounts {
  return { ratings: 0, scoreConfigs: 0, judgeVersions: 0, judgeVerdicts: 0 };
}

/**
 * Writes `spec`'s file from `source` to `sink` (a JSON document starts with
 * `head`) and returns how many items it holds.
 *
 * @example
 * counts.ratings = await writeItemFile(source, RATINGS_CSV, entry, { formatVersion: 1, exportId });
 */
export async function writeItemFile(
  source: PackageSource,
  spec: ItemFileSpec,
  sink: ByteSink,
  head: Record<string, Json>,
): Promise<number> {
  let items = 0;
  const pages = counted(source.items(spec), (n) => (items += n));
  if ("header" in spec) await writeCsvLines(sink, spec.header, pages);
  else await writeJsonDocument(sink, head, { key: spec.key, pages });
  return items;
}

async function* counted<T>(pages: Pages<T>, add: (n: number) => void): Pages<T> {
  for await (const page of pages) {
    add(page.length);
    yield page;
  }
}

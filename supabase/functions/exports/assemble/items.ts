/**
 * The files whose items Postgres writes whole (files/ specs with a `select`
 * of one `text` column: ratings.csv and the evaluation JSON documents),
 * written from their spec alone (entries.ts `itemEntry`): a CSV spec has a
 * header, a JSON spec the key of its list.
 *
 * @module
 */
import type { ItemCounts } from "../files/manifest_json.ts";
import type { ItemFile } from "../read/rows.ts";

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

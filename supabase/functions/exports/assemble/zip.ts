/**
 * The reproducibility package: a ZIP (zip_format.ts) of every file below
 * (experiments.csv, responses.csv, experiments.json, calibrations.json,
 * analytics.json, audit.json, ratings.csv, score_configs.json,
 * judge_versions.json, judge_verdicts.json), in this order, and last manifest.json with the size and SHA-256 of every
 * other entry. Each entry is written a segment at a time (entries.ts), each
 * segment deflated on its own, so the package can be built across
 * invocations from a small saved state ({@link ZipState}).
 *
 * @module
 */
import { crc32 } from "node:zlib";
import { EXPORT_FORMAT_VERSION } from "../../_shared/contracts/exports.ts";
import { sha256, type Sha256State } from "../../_shared/hashing/sha256.ts";
import { ANALYTICS_JSON } from "../files/analytics_json.ts";
import { CALIBRATIONS_JSON } from "../files/calibrations_json.ts";
import { JUDGE_VERDICTS_JSON } from "../files/judge_verdicts_json.ts";
import { JUDGE_VERSIONS_JSON } from "../files/judge_versions_json.ts";
import { buildManifest, type ItemCounts, MANIFEST_JSON } from "../files/manifest_json.ts";
import { RATINGS_CSV } from "../files/ratings_csv.ts";
import { SCORE_CONFIGS_JSON } from "../files/score_configs_json.ts";
import {
  auditEntry,
  documentEntry,
  type EntryContext,
  experimentsCsvEntry,
  experimentsJsonEntry,
  type ExportEntry,
  finalEntry,
  itemEntry,
  responsesCsvEntry,
} from "./entries.ts";
import { emptyItemCounts } from "./items.ts";
import {
  centralDirectory,
  dataDescriptor,
  DEFLATE_END,
  deflateSegment,
  localHeader,
  type ZipEntryRecord,
} from "./zip_format.ts";

/** The package's files before the manifest, in archive order. */
export const PACKAGE_ENTRIES: readonly ExportEntry[] = [
  experimentsCsvEntry({ tally: true }),
  responsesCsvEntry({ tally: false }),
  experimentsJsonEntry({ tally: false }),
  documentEntry(
    CALIBRATIONS_JSON,
    "calibrations",
    async (source) => (await source.calibrations()).map(CALIBRATIONS_JSON.item),
  ),
  documentEntry(
    ANALYTICS_JSON,
    "analyticsSummaries",
    async (source) => (await source.analytics()).map(ANALYTICS_JSON.item),
  ),
  auditEntry(),
  itemEntry(RATINGS_CSV, { paged: true }),
  itemEntry(SCORE_CONFIGS_JSON, { paged: false }),
  itemEntry(JUDGE_VERSIONS_JSON, { paged: false }),
  itemEntry(JUDGE_VERDICTS_JSON, { paged: true }),
];

/** manifest.json, from what the other entries left in the context. */
const MANIFEST_ENTRY = finalEntry(
  MANIFEST_JSON.name,
  (context: EntryContext) =>
    MANIFEST_JSON.text(buildManifest({
      formatVersion: EXPORT_FORMAT_VERSION,
      createdAt: new Date(context.meta.createdAt),
      exportId: context.meta.exportId,
      userId: context.meta.userId,
      request: context.meta.request,
      tally: context.tally,
      files: [...context.files],
      counts: {
        ...itemCountsOf(context.counts),
        calibrations: context.counts.calibrations ?? 0,
        analyticsSummaries: context.counts.analyticsSummaries ?? 0,
        auditEvents: context.counts.auditEvents ?? 0,
      },
    })),
);

/** The item files' counts among the context's. */
function itemCountsOf(counts: Record<string, number>): ItemCounts {
  const items = emptyItemCounts();
  for (const key of Object.keys(items) as (keyof ItemCounts)[]) items[key] = counts[key] ?? 0;
  return items;
}

/** Every entry of the package, the manifest last. */
export const ZIP_ENTRIES: readonly ExportEntry[] = [...PACKAGE_ENTRIES, MANIFEST_ENTRY];

/** The archive so far: the entries written, and the one being written. */
export interface ZipState {
  entries: ZipEntryRecord[];
  current:
    | { offset: number; crc: number; size: number; compressed: number; sha: Sha256State }
    | null;
}

/** An archive with nothing written. */
export function emptyZip(): ZipState {
  return { entries: [], current: null };
}

/**
 * The archive's bytes for one segment of entry `name` (its local header
 * first, its descriptor after the last; after the last entry, the central
 * directory), and the state after them. `offset` is where these bytes go.
 *
 * @example
 * const { bytes, zip: next, finished } = await zipSegment(zip, { name, text, first, last, final }, { offset, mtime });
 */
export async function zipSegment(
  zip: ZipState,
  segment: { name: string; text: Uint8Array; first: boolean; last: boolean; final: boolean },
  at: { offset: number; mtime: Date },
): Promise<
  {
    bytes: Uint8Array[];
    zip: ZipState;
    finished: { name: string; bytes: number; sha256: string } | null;
  }
> {
  const parts: Uint8Array[] = [];
  let current = zip.current;
  if (segment.first || current === null) {
    current = { offset: at.offset, crc: 0, size: 0, compressed: 0, sha: sha256().save() };
    parts.push(localHeader(segment.name, at.mtime));
  }
  const hash = sha256(current.sha);
  hash.update(segment.text);
  const data = await deflateSegment(segment.text);
  current = {
    ...current,
    crc: crc32(segment.text, current.crc),
    size: current.size + segment.text.byteLength,
    compressed: current.compressed + data.byteLength,
  };
  parts.push(data);
  if (!segment.last) {
    return {
      bytes: parts,
      zip: { ...zip, current: { ...current, sha: hash.save() } },
      finished: null,
    };
  }
  parts.push(DEFLATE_END);
  current.compressed += DEFLATE_END.byteLength;
  parts.push(dataDescriptor(current));
  const entries = [...zip.entries, {
    name: segment.name,
    crc: current.crc,
    size: current.size,
    compressed: current.compressed,
    offset: current.offset,
  }];
  if (segment.final) {
    const written = parts.reduce((n, part) => n + part.byteLength, at.offset);
    parts.push(centralDirectory(entries, written, at.mtime));
  }
  return {
    bytes: parts,
    zip: { entries, current: null },
    finished: { name: segment.name, bytes: current.size, sha256: hash.hex() },
  };
}

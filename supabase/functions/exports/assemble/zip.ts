/**
 * The reproducibility package: a ZIP (fflate's streaming container, each
 * entry deflated natively by zip_entry.ts) written one entry after another,
 * each entry one pass over its source, so memory stays bounded whatever the
 * size. Entries, in order: experiments.csv, responses.csv, experiments.json,
 * calibrations.json, analytics.json, audit.json, ratings.csv,
 * score_configs.json, judge_versions.json, judge_verdicts.json, and last
 * manifest.json with the size and SHA-256 of every other entry.
 *
 * @module
 */
import { Zip } from "fflate";
import { type ByteSink, writeText } from "../../_shared/byte_writer.ts";
import { EXPORT_FORMAT_VERSION } from "../../_shared/contracts/exports.ts";
import { ANALYTICS_JSON } from "../files/analytics_json.ts";
import { AUDIT_JSON } from "../files/audit_json.ts";
import { CALIBRATIONS_JSON } from "../files/calibrations_json.ts";
import { EXPERIMENTS_CSV } from "../files/experiments_csv.ts";
import { EXPERIMENTS_JSON } from "../files/experiments_json.ts";
import { JUDGE_VERDICTS_JSON } from "../files/judge_verdicts_json.ts";
import { JUDGE_VERSIONS_JSON } from "../files/judge_versions_json.ts";
import {
  buildManifest,
  type Manifest,
  MANIFEST_JSON,
  type ManifestFile,
} from "../files/manifest_json.ts";
import { RATINGS_CSV } from "../files/ratings_csv.ts";
import { RESPONSES_CSV } from "../files/responses_csv.ts";
import { SCORE_CONFIGS_JSON } from "../files/score_configs_json.ts";
import type { Pages } from "../read/rows.ts";
import type { PackageSource } from "../read/source.ts";
import { writeExperimentsCsv, writeResponsesCsv } from "./csv.ts";
import { emptyItemCounts, type ItemFileSpec, writeItemFile } from "./items.ts";
import { writeExperimentsJson, writeJsonDocument } from "./json.ts";
import { measuringSink } from "./measure.ts";
import { emptyTally, tallied, type Tally } from "./tally.ts";
import { deflateEntry } from "./zip_entry.ts";

/** Deflate level of every entry: zlib's default balance of size and speed. */
const LEVEL = 6;

/** Who and what the package is for. */
export interface PackageMeta {
  exportId: string;
  userId: string;
  createdAt: Date;
  /** The export's request, repeated in the manifest. */
  request: unknown;
}

/** What was written. */
export interface PackageSummary {
  tally: Tally;
  manifest: Manifest;
}

/**
 * Writes the package to `sink`.
 *
 * @example
 * const { tally, manifest } = await writeZipPackage(source, file, { exportId, userId, createdAt, request });
 */
export async function writeZipPackage(
  source: PackageSource,
  sink: ByteSink,
  meta: PackageMeta,
): Promise<PackageSummary> {
  const archive = zipWriter(sink, meta.createdAt);
  const tally = emptyTally();
  const files: ManifestFile[] = [];
  const head = { formatVersion: EXPORT_FORMAT_VERSION, exportId: meta.exportId };

  files.push(
    await archive.entry(
      EXPERIMENTS_CSV.name,
      (out) => writeExperimentsCsv(tallied(source.experiments(EXPERIMENTS_CSV.name), tally), out),
    ),
  );
  files.push(
    await archive.entry(
      RESPONSES_CSV.name,
      async (out) => {
        await writeResponsesCsv(source, out);
      },
    ),
  );
  files.push(
    await archive.entry(
      EXPERIMENTS_JSON.name,
      (out) =>
        writeExperimentsJson(source.experiments(EXPERIMENTS_JSON.name), out, {
          ...head,
          exportedAt: meta.createdAt.toISOString(),
        }),
    ),
  );
  /** A JSON document of `items`, small enough to be written in one page. */
  const document = (spec: { name: string; key: string }, items: unknown[]) =>
    archive.entry(spec.name, (out) =>
      writeJsonDocument(out, head, {
        key: spec.key,
        pages: once(items.map((item) => JSON.stringify(item))),
      }));
  const calibrations = await source.calibrations();
  files.push(await document(CALIBRATIONS_JSON, calibrations.map(CALIBRATIONS_JSON.item)));
  const analytics = await source.analytics();
  files.push(await document(ANALYTICS_JSON, analytics.map(ANALYTICS_JSON.item)));
  let auditEvents = 0;
  const counted = countPages(source.auditJson(), (n) => (auditEvents += n));
  files.push(
    await archive.entry(
      AUDIT_JSON.name,
      (out) => writeJsonDocument(out, head, { key: AUDIT_JSON.key, pages: counted }),
    ),
  );
  const itemCounts = emptyItemCounts();
  /** A file of items Postgres writes whole, counted for the manifest. */
  const items = (spec: ItemFileSpec) =>
    archive.entry(spec.name, async (out) => {
      itemCounts[spec.count] = await writeItemFile(source, spec, out, head);
    });
  files.push(await items(RATINGS_CSV));
  files.push(await items(SCORE_CONFIGS_JSON));
  files.push(await items(JUDGE_VERSIONS_JSON));
  files.push(await items(JUDGE_VERDICTS_JSON));

  const manifest = buildManifest({
    formatVersion: EXPORT_FORMAT_VERSION,
    createdAt: meta.createdAt,
    exportId: meta.exportId,
    userId: meta.userId,
    request: meta.request,
    tally,
    files,
    counts: {
      calibrations: calibrations.length,
      analyticsSummaries: analytics.length,
      auditEvents,
      ...itemCounts,
    },
  });
  await archive.entry(
    MANIFEST_JSON.name,
    (out) => writeText(out, MANIFEST_JSON.text(manifest)),
  );
  await archive.end();
  return { tally, manifest };
}

/** A streaming ZIP whose output is written to `sink` as it is produced. */
function zipWriter(sink: ByteSink, mtime: Date) {
  const pending: Uint8Array[] = [];
  let failure: unknown;
  const zip = new Zip((error, chunk) => {
    if (error) failure = error;
    else pending.push(chunk);
  });

  async function drain() {
    if (failure) throw failure;
    while (pending.length > 0) await sink.write(pending.shift()!);
  }

  return {
    /** Adds one entry, written completely by `write`, and returns its measure. */
    async entry(name: string, write: (out: ByteSink) => Promise<void>): Promise<ManifestFile> {
      const file = deflateEntry(name, { level: LEVEL, mtime });
      zip.add(file.file);
      const measured = measuringSink({
        async write(chunk) {
          await file.push(chunk);
          await drain();
        },
      });
      await write(measured);
      await file.end();
      await drain();
      return { name, ...measured.measure() };
    },
    async end() {
      zip.end();
      await drain();
    },
  };
}

async function* once<T>(items: T[]): Pages<T> {
  yield items;
}

async function* countPages<T>(pages: Pages<T>, add: (n: number) => void): Pages<T> {
  for await (const page of pages) {
    add(page.length);
    yield page;
  }
}

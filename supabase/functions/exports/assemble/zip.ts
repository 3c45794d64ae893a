/**
 * The reproducibility package: a ZIP (fflate's streaming container, entries
 * deflated natively by zip_deflate.ts) written one entry after another, each
 * entry one pass over its source, so memory stays bounded by a page whatever
 * the size. Entries, in order:
 *
 * experiments.csv, responses.csv, experiments.json, calibrations.json,
 * analytics.json, audit.json, and last manifest.json with the SHA-256 and
 * size of every other entry.
 *
 * @module
 */
import { Zip } from "fflate";
import { EXPORT_FORMAT_VERSION } from "../../_shared/contracts/exports.ts";
import { buildManifest, type Manifest, type ManifestFile } from "../files/manifest_json.ts";
import {
  type AnalyticsRecord,
  type AuditRecord,
  type CalibrationRecord,
  type Counts,
  emptyTally,
  type ExperimentFile,
  type FormattedExperiment,
  type Pages,
  tallied,
  type Tally,
} from "./tally.ts";
import { writeExperimentsCsv, writeExperimentsJson, writeJsonDocument } from "./json.ts";
import { type ByteSink, measuringSink, writeText } from "./measure.ts";
import { deflateEntry } from "./zip_entry.ts";

/** Deflate level of every entry: zlib's default balance of size and speed. */
const LEVEL = 6;

/** Everything the package is read from; each call is a fresh pass over one snapshot. */
export interface PackageSource {
  /** The experiments, each already formatted for `file`. */
  experiments(file: ExperimentFile): Pages<FormattedExperiment>;
  /** Writes the whole response CSV (csv.ts RESPONSE_COLUMNS, header first) to `sink`; returns what it holds. */
  responsesCsv(sink: ByteSink): Promise<Counts>;
  calibrations(): Promise<CalibrationRecord[]>;
  analytics(): Promise<AnalyticsRecord[]>;
  /** The audit events of the experiments, each already JSON text or its UTF-8 bytes (see {@link auditJson}). */
  auditJson(): Pages<string | Uint8Array>;
}

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
      "experiments.csv",
      (out) => writeExperimentsCsv(tallied(source.experiments("experiments.csv"), tally), out),
    ),
  );
  files.push(
    await archive.entry(
      "responses.csv",
      async (out) => {
        await source.responsesCsv(out);
      },
    ),
  );
  files.push(
    await archive.entry(
      "experiments.json",
      (out) =>
        writeExperimentsJson(source.experiments("experiments.json"), out, {
          ...head,
          exportedAt: meta.createdAt.toISOString(),
        }),
    ),
  );
  const calibrations = await source.calibrations();
  files.push(
    await archive.entry(
      "calibrations.json",
      (out) =>
        writeJsonDocument(out, head, {
          key: "calibrations",
          pages: once(calibrations.map((c) => JSON.stringify(calibrationJson(c)))),
        }),
    ),
  );
  const analytics = await source.analytics();
  files.push(
    await archive.entry(
      "analytics.json",
      (out) =>
        writeJsonDocument(out, head, {
          key: "analyticsSummaries",
          pages: once(analytics.map((a) => JSON.stringify(analyticsJson(a)))),
        }),
    ),
  );
  let auditEvents = 0;
  const counted = countPages(source.auditJson(), (n) => (auditEvents += n));
  files.push(
    await archive.entry(
      "audit.json",
      (out) => writeJsonDocument(out, head, { key: "events", pages: counted }),
    ),
  );

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
    },
  });
  await archive.entry(
    "manifest.json",
    (out) => writeText(out, `${JSON.stringify(manifest, null, 2)}\n`),
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

function calibrationJson(c: CalibrationRecord) {
  return {
    id: c.id,
    mode: c.mode,
    questionnaireVersion: c.questionnaireVersion,
    answers: c.answers,
    ranges: c.ranges,
    insights: c.insights,
    correlationId: c.correlationId,
    createdAt: c.createdAt.toISOString(),
  };
}

function analyticsJson(a: AnalyticsRecord) {
  return {
    calibrationId: a.calibrationId,
    experimentCount: a.experimentCount,
    responseCount: a.responseCount,
    metricsSummary: a.metricsSummary,
    updatedAt: a.updatedAt.toISOString(),
  };
}

/**
 * An audit event as audit.json holds it (the shape `AUDIT_JSON_SQL` writes in Postgres).
 *
 * @example
 * JSON.stringify(auditJson(event));
 */
export function auditJson(a: AuditRecord) {
  return {
    id: a.id,
    eventType: a.eventType,
    eventData: a.eventData,
    source: a.source,
    correlationId: a.correlationId,
    createdAt: a.createdAt.toISOString(),
  };
}

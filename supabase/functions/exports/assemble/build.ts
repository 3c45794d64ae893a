/**
 * Builds an export's bytes from a {@link PackageSource} into a sink (the
 * pipeline streams them into the upload as they are made): the response
 * CSV (one COPY, see copy_sql.ts), or page by page the experiments JSON or
 * the ZIP reproducibility package.
 *
 * @module
 */
import { EXPORT_FORMAT_VERSION, type ExportFormat } from "../../_shared/contracts/exports.ts";
import { type Counts, emptyTally, tallied } from "./tally.ts";
import { writeExperimentsJson } from "./json.ts";
import { type ByteSink, type Measure, measuringSink } from "./measure.ts";
import { type PackageSource, writeZipPackage } from "./zip.ts";

/** The export being built. */
export interface ExportSpec {
  exportId: string;
  userId: string;
  format: ExportFormat;
  createdAt: Date;
  /** The request (selected ids and filter), repeated in the ZIP's manifest. */
  request: unknown;
}

/** What was written: its size and hash, and the experiments and responses it holds. */
export interface StreamedExport {
  measure: Measure;
  tally: Counts;
}

/**
 * Writes the export's bytes to `sink` as they are made, measuring them.
 *
 * @example
 * const body = streamSink();
 * const uploading = storage.upload(path, body.readable, "text/csv");
 * const { measure, tally } = await streamExport(selectionSource(tx, selection), spec, body);
 */
export async function streamExport(
  source: PackageSource,
  spec: ExportSpec,
  sink: ByteSink,
): Promise<StreamedExport> {
  const measured = measuringSink(sink);
  let tally: Counts;
  switch (spec.format) {
    case "csv":
      tally = await source.responsesCsv(measured);
      break;
    case "json": {
      const counted = emptyTally();
      await writeExperimentsJson(
        tallied(source.experiments("experiments.json"), counted),
        measured,
        {
          formatVersion: EXPORT_FORMAT_VERSION,
          exportId: spec.exportId,
          exportedAt: spec.createdAt.toISOString(),
        },
      );
      tally = counted;
      break;
    }
    case "zip":
      ({ tally } = await writeZipPackage(source, measured, {
        exportId: spec.exportId,
        userId: spec.userId,
        createdAt: spec.createdAt,
        request: spec.request,
      }));
      break;
  }
  return { measure: measured.measure(), tally };
}

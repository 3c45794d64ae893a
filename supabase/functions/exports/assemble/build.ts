/**
 * An export's bytes, built from a {@link PackageSource} into a sink (the
 * pipeline streams them into the upload as they are made): the response
 * CSV, the experiments JSON or the ZIP reproducibility package.
 *
 * @module
 */
import type { ByteSink } from "../../_shared/byte_writer.ts";
import { EXPORT_FORMAT_VERSION, type ExportFormat } from "../../_shared/contracts/exports.ts";
import { EXPERIMENTS_JSON } from "../files/experiments_json.ts";
import type { PackageSource } from "../read/source.ts";
import { writeResponsesCsv } from "./csv.ts";
import { writeExperimentsJson } from "./json.ts";
import { type Measure, measuringSink } from "./measure.ts";
import { type Counts, emptyTally, tallied } from "./tally.ts";
import { writeZipPackage } from "./zip.ts";

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
 * const body = uploadBody();
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
      tally = await writeResponsesCsv(source, measured);
      break;
    case "json": {
      const counted = emptyTally();
      await writeExperimentsJson(
        tallied(source.experiments(EXPERIMENTS_JSON.name), counted),
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

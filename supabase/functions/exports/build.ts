/**
 * Builds an export's file in a temporary file from a {@link PackageSource}:
 * the response CSV (one COPY, see copy_sql.ts), or page by page the
 * experiments JSON or the ZIP reproducibility package.
 *
 * @module
 */
import { EXPORT_FORMAT_VERSION, type ExportFormat } from "../_shared/contracts/exports.ts";
import { type Counts, emptyTally, tallied } from "./records.ts";
import { writeExperimentsJson } from "./serialize.ts";
import { createTempFile, type Measure, type TempFile } from "./sink.ts";
import { type PackageSource, writeZipPackage } from "./zip_package.ts";

/** The export being built. */
export interface ExportSpec {
  exportId: string;
  userId: string;
  format: ExportFormat;
  createdAt: Date;
  /** The request (selected ids and filter), repeated in the ZIP's manifest. */
  request: unknown;
}

/** A finished file, still on disk: upload it, then `file.remove()`. */
export interface BuiltExport {
  file: TempFile;
  measure: Measure;
  tally: Counts;
}

/**
 * Writes the export's file; on failure nothing is left on disk.
 *
 * @example
 * const built = await buildExport(selectionSource(tx, selection, { pageSize }), spec);
 * try { await storage.upload(path, await built.file.readable(), "text/csv"); } finally { await built.file.remove(); }
 */
export async function buildExport(
  source: PackageSource,
  spec: ExportSpec,
  options: { tempDir?: string } = {},
): Promise<BuiltExport> {
  const file = await createTempFile({ suffix: `.${spec.format}`, dir: options.tempDir });
  try {
    let tally: Counts;
    switch (spec.format) {
      case "csv":
        tally = await source.responsesCsv(file);
        break;
      case "json": {
        const counted = emptyTally();
        await writeExperimentsJson(tallied(source.experiments("experiments.json"), counted), file, {
          formatVersion: EXPORT_FORMAT_VERSION,
          exportId: spec.exportId,
          exportedAt: spec.createdAt.toISOString(),
        });
        tally = counted;
        break;
      }
      case "zip":
        ({ tally } = await writeZipPackage(source, file, {
          exportId: spec.exportId,
          userId: spec.userId,
          createdAt: spec.createdAt,
          request: spec.request,
        }));
        break;
    }
    const measure = await file.finish();
    return { file, measure, tally };
  } catch (error) {
    await file.remove();
    throw error;
  }
}

/**
 * An export's bytes as a sequence of steps: each step reads one page (one
 * segment of one file, entries.ts) and returns the file's next bytes with
 * the state after them, plain JSON. Running the steps in one pass or across
 * any number of invocations, each starting from the state the last one
 * saved, writes the same bytes: a segment depends only on its page of rows,
 * and everything carried between steps (cursors, counts, CRC-32 and SHA-256
 * states, the ZIP's directory) is in the state.
 *
 * @module
 */
import type { ByteSink } from "../../_shared/byte_writer.ts";
import { EXPORT_FORMAT_VERSION, type ExportFormat } from "../../_shared/contracts/exports.ts";
import { sha256, type Sha256State } from "../../_shared/hashing/sha256.ts";
import type { ManifestFile } from "../files/manifest_json.ts";
import type { Json } from "../read/rows.ts";
import type { PagedSource } from "../read/source.ts";
import {
  type EntryContext,
  type EntryCursor,
  experimentsJsonEntry,
  type ExportEntry,
  responsesCsvEntry,
  type Segment,
} from "./entries.ts";
import type { Measure } from "./measure.ts";
import { type Counts, emptyTally, type Tally } from "./tally.ts";
import { emptyZip, ZIP_ENTRIES, zipSegment, type ZipState } from "./zip.ts";

/** The export being built. */
export interface ExportSpec {
  exportId: string;
  userId: string;
  format: ExportFormat;
  createdAt: Date;
  /** The request (selected ids and filter), repeated in the ZIP's manifest. */
  request: Json;
}

/** How far a build has got, as JSON (it is a job's checkpoint). */
export interface BuildState {
  /** The file being written: its index in the format's entries. */
  entry: number;
  /** Where that file stands; null before its first segment. */
  cursor: EntryCursor | null;
  tally: { experiments: number; responses: number; models: string[]; designs: string[] };
  counts: Record<string, number>;
  /** The ZIP's files finished so far, measured. */
  files: ManifestFile[];
  zip: ZipState | null;
  /** Bytes of the export written so far. */
  offset: number;
  /** SHA-256 of those bytes. */
  sha: Sha256State;
  done: boolean;
  /**
   * Rows per page, fixed when the build starts: pages are the file's
   * segments, so a slice resumed by a worker configured otherwise must
   * still cut them where the first one did (absent in older checkpoints).
   */
  pageSize?: number;
}

/** Rows per page unless told otherwise: a page is one short read and one segment. */
export const PAGE_SIZE = 1000;

const CSV_ENTRIES: readonly ExportEntry[] = [responsesCsvEntry({ tally: true })];
const JSON_ENTRIES: readonly ExportEntry[] = [experimentsJsonEntry({ tally: true })];

/** The files an export of `format` is made of (one for CSV and JSON, written bare). */
function entriesOf(format: ExportFormat): readonly ExportEntry[] {
  return format === "zip" ? ZIP_ENTRIES : format === "csv" ? CSV_ENTRIES : JSON_ENTRIES;
}

/**
 * The state before anything is written.
 *
 * @example
 * let state = startBuild("zip");
 */
export function startBuild(format: ExportFormat, pageSize: number = PAGE_SIZE): BuildState {
  return {
    pageSize,
    entry: 0,
    cursor: null,
    tally: { experiments: 0, responses: 0, models: [], designs: [] },
    counts: {},
    files: [],
    zip: format === "zip" ? emptyZip() : null,
    offset: 0,
    sha: sha256().save(),
    done: false,
  };
}

/** Runs `read` with the selection's paged source in a transaction of its own. */
export type ReadPage = <T>(read: (source: PagedSource) => Promise<T>) => Promise<T>;

/** One step's output. */
export interface BuildStep {
  /** The export's next bytes, in order. */
  bytes: Uint8Array[];
  state: BuildState;
}

function tallyOf(state: BuildState): Tally {
  const tally = emptyTally();
  tally.experiments = state.tally.experiments;
  tally.responses = state.tally.responses;
  for (const model of state.tally.models) tally.models.add(model);
  for (const design of state.tally.designs) tally.designs.add(design);
  return tally;
}

/** A segment read, not yet encoded. */
interface ReadSegment {
  /** The state the segment was read from. */
  from: BuildState;
  segment: Segment;
  context: EntryContext;
}

/** Reads the next segment's page through `read`. */
async function readSegment(
  spec: ExportSpec,
  state: BuildState,
  read: ReadPage,
  options: { pageSize?: number },
): Promise<ReadSegment> {
  if (state.done) throw new Error("Cannot build past the end of the export");
  const entry = entriesOf(spec.format)[state.entry];
  return await read(async (source) => {
    // Made afresh for every try, so a read that fails and is tried again counts nothing twice.
    const context: EntryContext = {
      meta: {
        formatVersion: EXPORT_FORMAT_VERSION,
        exportId: spec.exportId,
        userId: spec.userId,
        createdAt: spec.createdAt.toISOString(),
        request: spec.request,
      },
      tally: tallyOf(state),
      counts: { ...state.counts },
      files: state.files,
      pageSize: state.pageSize ?? options.pageSize ?? PAGE_SIZE,
    };
    return { from: state, context, segment: await entry.segment(source, state.cursor, context) };
  });
}

/** Where the read of `read` leaves the cursors and counts (the bytes are not written yet). */
function afterRead(
  spec: ExportSpec,
  state: BuildState,
  { from, segment, context }: ReadSegment,
): BuildState {
  const entries = entriesOf(spec.format).length;
  const last = segment.next === null;
  return {
    ...state,
    entry: last ? from.entry + 1 : from.entry,
    cursor: segment.next,
    tally: {
      experiments: context.tally.experiments,
      responses: context.tally.responses,
      models: [...context.tally.models].sort(),
      designs: [...context.tally.designs].sort(),
    },
    counts: context.counts,
    done: last && from.entry === entries - 1,
  };
}

/** Encodes a segment read from `state`: its bytes (deflated and framed for a ZIP) and the state after them. */
async function encodeSegment(
  spec: ExportSpec,
  state: BuildState,
  read: ReadSegment,
): Promise<BuildStep> {
  const entries = entriesOf(spec.format);
  const { segment } = read;
  const next = afterRead(spec, state, read);
  let bytes: Uint8Array[] = [segment.text];
  let zip = state.zip;
  let files = state.files;
  if (zip) {
    const written = await zipSegment(zip, {
      name: entries[state.entry].name,
      text: segment.text,
      first: state.cursor === null,
      last: segment.next === null,
      final: next.done,
    }, { offset: state.offset, mtime: spec.createdAt });
    bytes = written.bytes;
    zip = written.zip;
    if (written.finished) files = [...files, written.finished];
  }
  const hash = sha256(state.sha);
  let offset = state.offset;
  for (const part of bytes) {
    hash.update(part);
    offset += part.byteLength;
  }
  return { bytes, state: { ...next, files, zip, offset, sha: hash.save() } };
}

/**
 * Writes the next segment: reads its page through `read`, returns its bytes
 * and the new state (`state` itself is left as it was).
 *
 * @example
 * const step = await buildStep(spec, state, read);
 * for (const bytes of step.bytes) await sink.write(bytes);
 * state = step.state;
 */
export async function buildStep(
  spec: ExportSpec,
  state: BuildState,
  read: ReadPage,
  options: { pageSize?: number } = {},
): Promise<BuildStep> {
  return await encodeSegment(spec, state, await readSegment(spec, state, read, options));
}

/**
 * The steps from `state` to the end, the next page read while the last one
 * is encoded (the database formats one page as the function deflates and
 * hashes the other). Stop whenever: a page read ahead is dropped.
 *
 * @example
 * for await (const step of buildSteps(spec, state, read)) {
 *   for (const bytes of step.bytes) await sink.write(bytes);
 *   state = step.state;
 *   if (budget.exhausted()) break;
 * }
 */
export async function* buildSteps(
  spec: ExportSpec,
  state: BuildState,
  read: ReadPage,
  options: { pageSize?: number } = {},
): AsyncGenerator<BuildStep> {
  const entries = entriesOf(spec.format);
  let next: Promise<ReadSegment> | null = state.done
    ? null
    : readSegment(spec, state, read, options);
  try {
    while (next) {
      const segment = await next;
      const ahead = afterRead(spec, state, segment);
      // The manifest reads what encoding adds (the files' measures), so it is never read ahead.
      next = ahead.done || entries[ahead.entry].final
        ? null
        : readSegment(spec, ahead, read, options);
      next?.catch(() => {});
      const step = await encodeSegment(spec, state, segment);
      state = step.state;
      yield step;
      if (!next && !state.done) next = readSegment(spec, state, read, options);
    }
  } finally {
    // Stopped early: let a read ahead finish (its transaction too) before returning.
    await next?.catch(() => {});
  }
}

/**
 * How far the build is, in experiments of `count`: a CSV or JSON export
 * counts the experiments written; a ZIP counts each of its files as one
 * pass over them, the file being written by its rows so far.
 *
 * @example
 * const done = progressOf("zip", state, 100_000); // 0..100 000, never backwards
 */
export function progressOf(format: ExportFormat, state: BuildState, count: number): number {
  if (state.done) return count;
  if (format !== "zip") return Math.min(count, state.tally.experiments);
  const files = entriesOf(format).length;
  const within = count === 0 ? 0 : Math.min(1, (state.cursor?.written ?? 0) / count);
  return Math.min(count, Math.floor((count * (state.entry + within)) / files));
}

/** What was written: its size and hash, and the experiments and responses it holds. */
export interface StreamedExport {
  measure: Measure;
  tally: Counts;
}

/**
 * What a finished build wrote.
 *
 * @example
 * const { measure, tally } = builtExport(state);
 */
export function builtExport(state: BuildState): StreamedExport {
  return {
    measure: { bytes: state.offset, sha256: sha256(state.sha).hex() },
    tally: { experiments: state.tally.experiments, responses: state.tally.responses },
  };
}

/**
 * Writes the whole export to `sink` in one pass of steps.
 *
 * @example
 * const { measure, tally } = await streamExport((read) => db.withUser(ctx, (tx) => read(pagedSelectionSource(tx, selection))), spec, sink);
 */
export async function streamExport(
  read: ReadPage,
  spec: ExportSpec,
  sink: ByteSink,
  options: { pageSize?: number } = {},
): Promise<StreamedExport> {
  let state = startBuild(spec.format, options.pageSize);
  for await (const step of buildSteps(spec, state, read, options)) {
    for (const bytes of step.bytes) await sink.write(bytes);
    state = step.state;
  }
  return builtExport(state);
}

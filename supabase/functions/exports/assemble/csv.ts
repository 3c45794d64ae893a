/**
 * The export's CSV files as bytes: a spec's header line, then the lines
 * Postgres formatted. COPY's CSV ends records with LF (it has no CRLF
 * option), so the response CSV's record ends become CRLF here; as each chunk
 * COPY sends is one whole record (read/copy.ts), that is its last byte, and
 * a line break inside a quoted cell stays as it is.
 *
 * @module
 */
import { type BufferedWriter, bufferedWriter, type ByteSink } from "../../_shared/byte_writer.ts";
import { EXPERIMENTS_CSV } from "../files/experiments_csv.ts";
import { RESPONSES_CSV } from "../files/responses_csv.ts";
import type { Pages } from "../read/rows.ts";
import type { PackageSource } from "../read/source.ts";
import type { Counts } from "./tally.ts";

const LF = 0x0a;
const CRLF = new Uint8Array([0x0d, LF]);

/**
 * Writes `experiments.csv`: its header, then each experiment's line.
 *
 * @example
 * await writeExperimentsCsv(source.experiments("experiments.csv"), entry);
 */
export function writeExperimentsCsv(
  pages: Pages<{ text: string | Uint8Array }>,
  sink: ByteSink,
): Promise<void> {
  return writeCsvLines(sink, EXPERIMENTS_CSV.header, mapPages(pages, (row) => row.text));
}

/**
 * Writes a CSV file: `header`, then each line Postgres formatted whole
 * (CRLF-terminated, as the specs' `csvLine` writes them).
 *
 * @example
 * await writeCsvLines(entry, RATINGS_CSV.header, source.items(RATINGS_CSV));
 */
export async function writeCsvLines(
  sink: ByteSink,
  header: string,
  lines: Pages<string | Uint8Array>,
): Promise<void> {
  const out = bufferedWriter(sink);
  await out.write(header);
  for await (const page of lines) {
    for (const line of page) await out.write(line);
  }
  await out.flush();
}

async function* mapPages<T, U>(pages: Pages<T>, map: (item: T) => U): Pages<U> {
  for await (const page of pages) yield page.map(map);
}

/**
 * Writes `responses.csv`: its header, then COPY's records with CRLF ends.
 * Returns what it holds.
 *
 * @example
 * const { experiments, responses } = await writeResponsesCsv(source, sink);
 */
export async function writeResponsesCsv(source: PackageSource, sink: ByteSink): Promise<Counts> {
  const experiments = await source.countExperiments();
  const out = bufferedWriter(sink);
  await out.write(RESPONSES_CSV.header);
  const responses = await writeResponseLines(source.responseRecords(), out);
  await out.flush();
  return { experiments, responses };
}

/**
 * Writes COPY's response records (no header) with CRLF ends; returns how many.
 *
 * @example
 * const responses = await writeResponseLines(source.responseRecords(), out);
 */
export async function writeResponseLines(
  records: AsyncIterable<Uint8Array>,
  out: BufferedWriter,
): Promise<number> {
  let responses = 0;
  for await (const record of records) {
    if (record.byteLength === 0) continue;
    if (record[record.byteLength - 1] !== LF) {
      throw new Error("Cannot convert COPY's CSV: a CopyData message is not one whole row");
    }
    responses += 1;
    await out.write(record.subarray(0, record.byteLength - 1));
    await out.write(CRLF);
  }
  return responses;
}

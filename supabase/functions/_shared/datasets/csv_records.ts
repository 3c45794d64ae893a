/**
 * A CSV file as a stream of records with their line numbers, parsed by
 * csv-parse (quoted fields, embedded newlines, a BOM, CRLF or LF, any
 * one-character delimiter). Records are yielded as they are parsed, so a
 * file of any size is read in constant memory; what cannot be parsed comes
 * back as a skip with its line, never as the end of the file.
 *
 * @module
 */
import { parse } from "csv-parse";
import { Readable } from "node:stream";

/** The largest record the parser holds before giving up on the file (a field is refused far earlier). */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** One parsed record: the line it starts on and its fields. */
export interface CsvRecord {
  kind: "record";
  line: number;
  fields: string[];
  /** The byte offset in the file just after the record (its line break included). */
  end: number;
  /** The line the next record starts on. */
  nextLine: number;
}

/** Where to start reading a file again: a byte offset after a record, and the line there. */
export interface CsvResumePoint {
  byte: number;
  line: number;
}

/** A record the parser could not read. */
export interface CsvSkip {
  kind: "skip";
  line: number;
  reason: "malformed";
  detail: string;
}

/** Why a whole file cannot be read: the message names the line. */
export class CsvFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CsvFileError";
  }
}

interface ParsedRecord {
  record: string[];
  info: { lines: number; bytes: number };
  raw: string;
}

/** The stream without its first `count` bytes (read and dropped, never parsed). */
function skipBytes(stream: ReadableStream<Uint8Array>, count: number): ReadableStream<Uint8Array> {
  let left = count;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (left >= chunk.byteLength) {
          left -= chunk.byteLength;
          return;
        }
        controller.enqueue(left > 0 ? chunk.subarray(left) : chunk);
        left = 0;
      },
    }),
  );
}

function newlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}

/**
 * The records of a CSV stream, first to last (the header is the record of
 * line 1 or the first one); with `from`, the records after that point only
 * (the bytes before it are dropped unparsed, line numbers and offsets stay
 * the file's).
 *
 * @throws {CsvFileError} when a record exceeds {@link MAX_RECORD_BYTES} (an
 *   unclosed quote swallowing the rest of the file does).
 *
 * @example
 * for await (const record of csvRecords(file.readable, { delimiter: ";" })) console.log(record.line);
 */
export async function* csvRecords(
  stream: ReadableStream<Uint8Array>,
  options: { delimiter?: string; from?: CsvResumePoint } = {},
): AsyncGenerator<CsvRecord | CsvSkip> {
  const skipped: CsvSkip[] = [];
  const byteOffset = options.from?.byte ?? 0;
  const lineOffset = (options.from?.line ?? 1) - 1;
  const parser = parse({
    bom: byteOffset === 0,
    delimiter: options.delimiter ?? ",",
    info: true,
    raw: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    on_skip: (error: { code?: string; lines?: number; message?: string } | undefined) => {
      if (error?.code === "CSV_MAX_RECORD_SIZE") {
        parser.destroy(
          new CsvFileError(
            `Line ${
              (error.lines ?? 0) + lineOffset
            }: a record is larger than ${MAX_RECORD_BYTES} bytes (an unclosed quote?)`,
          ),
        );
        return;
      }
      skipped.push({
        kind: "skip",
        line: (error?.lines ?? 0) + lineOffset,
        reason: "malformed",
        detail: (error?.message ?? "The row cannot be parsed").replace(/\s+/g, " ").slice(0, 300),
      });
    },
  });
  const bytes = byteOffset > 0 ? skipBytes(stream, byteOffset) : stream;
  const source = Readable.fromWeb(bytes as import("node:stream/web").ReadableStream<Uint8Array>);
  // pipe() does not forward a failing source: the parser must fail with it.
  source.on("error", (error) => parser.destroy(error));
  source.pipe(parser);
  for await (const parsed of parser as AsyncIterable<ParsedRecord>) {
    while (skipped.length > 0) yield skipped.shift()!;
    // info.lines is the record's last line; its own newlines (raw may end
    // with the record delimiter's "\n") say where it starts.
    const line = parsed.info.lines - newlines(parsed.raw.replace(/\n$/, "")) + lineOffset;
    yield {
      kind: "record",
      line,
      fields: parsed.record,
      end: parsed.info.bytes + byteOffset,
      nextLine: parsed.info.lines + 1 + lineOffset,
    };
  }
  while (skipped.length > 0) yield skipped.shift()!;
}

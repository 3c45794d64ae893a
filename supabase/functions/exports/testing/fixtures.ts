/**
 * Test fixtures of the exports function: records shaped like generate's
 * rows, an in-memory page source and byte sink, and readers of the files.
 *
 * @module
 */
import { parse } from "csv-parse/sync";
import type { ByteSink } from "../../_shared/byte_writer.ts";
import type { AnalyticsRecord } from "../files/analytics_json.ts";
import type { CalibrationRecord } from "../files/calibrations_json.ts";
import type { ExperimentFile, FormattedExperiment, JsonObject, Pages } from "../read/rows.ts";
import type { PackageSource, PagedSource } from "../read/source.ts";
import type { KeyRange, PageKey } from "../read/selection.ts";
import type { ReadPage } from "../assemble/build.ts";
import {
  auditJson,
  type AuditRecord,
  csvText,
  EXPERIMENT_COLUMNS,
  experimentJson,
  type ExperimentRecord,
  RESPONSE_COLUMNS,
  responseRows,
  stringAt,
} from "./reference.ts";

/** A succeeded response as generate stores it. */
export function succeededResponse(
  index: number,
  text: string,
  overrides: JsonObject = {},
): JsonObject {
  return {
    index,
    status: "succeeded",
    text,
    parameters: {
      temperature: 0.5 + index / 10,
      top_p: 0.9,
      max_tokens: 256,
      frequency_penalty: -0.25,
    },
    finishReason: "stop",
    usage: { promptTokens: 12, completionTokens: 30 + index, totalTokens: 42 + index },
    latencyMs: 100 + index,
    systemFingerprint: "fp_test",
    metrics: { creativity: 0.5, coherence: 0.6, structure: 0.7, completeness: 0.8 },
    ...overrides,
  };
}

/** A failed response as generate stores it. */
export function failedResponse(index: number): JsonObject {
  return {
    index,
    status: "failed",
    parameters: { temperature: 1.5, top_p: 1, max_tokens: 512, frequency_penalty: 0 },
    latencyMs: 30,
    error: { code: "upstream_error", message: "The model call failed." },
  };
}

let sequence = 0;

/** An experiment record with sensible defaults. */
export function experimentRecord(overrides: Partial<ExperimentRecord> = {}): ExperimentRecord {
  sequence += 1;
  return {
    id: crypto.randomUUID(),
    createdAt: new Date(Date.UTC(2026, 10, 22, 10, 0, sequence % 60)),
    calibrationId: "11111111-1111-4111-8111-111111111111",
    prompt: "Write a haiku about tides.",
    model: "gpt-4o",
    parameters: { model: "gpt-4o", seed: 42, design: "latin-hypercube", numResponses: 2, sets: [] },
    responses: [succeededResponse(0, "Waves fold into foam."), failedResponse(1)],
    status: "partial",
    saved: false,
    discarded: false,
    latencyMs: 1234,
    correlationId: crypto.randomUUID(),
    ...overrides,
  };
}

/** A fake row source: `items` in pages of `size`, counting how many pages were read. */
export function pagesOf<T>(items: T[], size: number): Pages<T> & { pagesRead: number } {
  const source = {
    pagesRead: 0,
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < items.length; i += size) {
        source.pagesRead += 1;
        yield items.slice(i, i + size);
      }
    },
  };
  return source;
}

/** A sink that keeps every chunk in memory, recording each write's size. */
export function memorySink(): ByteSink & { bytes(): Uint8Array; text(): string; writes: number[] } {
  const chunks: Uint8Array[] = [];
  const writes: number[] = [];
  function bytes() {
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  }
  return {
    writes,
    write(chunk) {
      chunks.push(chunk.slice());
      writes.push(chunk.byteLength);
      return Promise.resolve();
    },
    bytes,
    text: () => new TextDecoder().decode(bytes()),
  };
}

/** A calibration record. */
export function calibrationRecord(id = "11111111-1111-4111-8111-111111111111"): CalibrationRecord {
  return {
    id,
    mode: "quick",
    questionnaireVersion: "v1",
    answers: { q1: "a" },
    ranges: {
      temperature: { min: 0.2, max: 1.2 },
      top_p: { min: 0.5, max: 0.95 },
      max_tokens: { min: 128, max: 1024 },
      frequency_penalty: { min: 0, max: 0.5 },
    },
    insights: [],
    correlationId: crypto.randomUUID(),
    createdAt: new Date(Date.UTC(2026, 10, 22, 9)),
  };
}

/**
 * An experiment formatted for `file` by the reference formatters, which
 * the specs in files/ are held to.
 */
export function formatted(experiment: ExperimentRecord, file: ExperimentFile): FormattedExperiment {
  const text = file === "experiments.json"
    ? JSON.stringify(experimentJson(experiment))
    : csvText([experiment], EXPERIMENT_COLUMNS, { header: false });
  return {
    text,
    responses: experiment.responses.length,
    model: experiment.model,
    calibrationId: experiment.calibrationId,
    design: stringAt(experiment.parameters, "design"),
  };
}

/** The text of a formatted experiment, decoded when it came as bytes. */
export function textOf(row: { text: string | Uint8Array }): string {
  return typeof row.text === "string" ? row.text : new TextDecoder().decode(row.text);
}

/** Experiments formatted for `file`, in pages of `size`. */
export function formattedPages(
  experiments: ExperimentRecord[],
  file: ExperimentFile,
  size: number,
): Pages<FormattedExperiment> & { pagesRead: number } {
  return pagesOf(experiments.map((experiment) => formatted(experiment, file)), size);
}

/** An in-memory {@link PackageSource}. */
export function memorySource(
  experiments: ExperimentRecord[],
  extra: {
    calibrations?: CalibrationRecord[];
    analytics?: AnalyticsRecord[];
    audit?: AuditRecord[];
    /** The items of each item file (ratings.csv lines, JSON texts), by file name. */
    items?: Record<string, string[]>;
  } = {},
  pageSize = 2,
): PackageSource {
  return {
    experiments: (file) => formattedPages(experiments, file, pageSize),
    countExperiments: () => Promise.resolve(experiments.length),
    async *responseRecords() {
      // One LF-terminated record per chunk, as COPY sends them.
      for (const row of responseRows(experiments)) {
        const line = csvText([row], RESPONSE_COLUMNS, { header: false });
        yield new TextEncoder().encode(`${line.slice(0, -2)}\n`);
      }
    },
    calibrations: () => Promise.resolve(extra.calibrations ?? []),
    analytics: () => Promise.resolve(extra.analytics ?? []),
    auditJson: () =>
      pagesOf((extra.audit ?? []).map((event) => JSON.stringify(auditJson(event))), pageSize),
    items: (file) => pagesOf(extra.items?.[file.name] ?? [], pageSize),
  };
}

/**
 * {@link memorySource} read a page at a time, as the export's steps read the
 * database: a row's key is its position in the given order.
 */
export function pagedMemorySource(
  experiments: ExperimentRecord[],
  extra: Parameters<typeof memorySource>[1] = {},
): ReadPage {
  const audit = extra.audit ?? [];
  const within = <T extends { id: string }>(rows: T[], range: KeyRange | undefined) =>
    rows.filter((_, i) =>
      !range ||
      ((range.after === null || i > Number(range.after.at)) &&
        (range.upTo === null || i <= Number(range.upTo.at)))
    );
  const paged: PagedSource = {
    pageEnd(rows, after, size) {
      const list: { id: string }[] = rows === "experiments" ? experiments : audit;
      const end = (after === null ? -1 : Number(after.at)) + size;
      const key: PageKey | null = end < list.length ? { at: String(end), id: list[end].id } : null;
      return Promise.resolve(key);
    },
    page(bounds) {
      // Item files are not tied to experiments here: they all go with the first page.
      const first = !bounds.experiments || bounds.experiments.after === null;
      return memorySource(within(experiments, bounds.experiments), {
        ...extra,
        audit: within(audit, bounds.audit),
        items: first ? extra.items : {},
      });
    },
  };
  return (read) => read(paged);
}

/** Parses RFC 4180 CSV text into records keyed by header. */
export function parseCsv(text: string): Record<string, string>[] {
  return parse(text, { columns: true, skip_empty_lines: false, relax_quotes: false });
}

/** SHA-256 (hex) of bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

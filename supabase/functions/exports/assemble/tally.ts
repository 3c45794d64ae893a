/**
 * What an export is made of, as read from the database under the caller's
 * RLS, and the tolerant readers of the stored JSON (`experiments.parameters`
 * and each element of `experiments.responses`, written by generate).
 *
 * @module
 */

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** One experiment as exported. */
export interface ExperimentRecord {
  id: string;
  createdAt: Date;
  calibrationId: string;
  prompt: string;
  model: string;
  /** `{ model, seed, design, numResponses, sets }` as stored. */
  parameters: JsonObject;
  /** The stored responses, in order. */
  responses: JsonObject[];
  /** completed, partial or failed. */
  status: string;
  saved: boolean;
  discarded: boolean;
  latencyMs: number;
  correlationId: string | null;
}

/** A calibration used by the exported experiments. */
export interface CalibrationRecord {
  id: string;
  mode: string;
  questionnaireVersion: string;
  answers: JsonObject;
  ranges: Record<
    "temperature" | "top_p" | "max_tokens" | "frequency_penalty",
    { min: number; max: number }
  >;
  insights: Json[];
  correlationId: string | null;
  createdAt: Date;
}

/** The analytics summary of one of those calibrations. */
export interface AnalyticsRecord {
  calibrationId: string;
  experimentCount: number;
  responseCount: number;
  metricsSummary: JsonObject;
  updatedAt: Date;
}

/** An audit event of the exported experiments. */
export interface AuditRecord {
  id: string;
  eventType: string;
  eventData: JsonObject;
  source: string;
  correlationId: string | null;
  createdAt: Date;
}

/** A page-by-page source of records; every iteration is a fresh pass. */
export type Pages<T> = AsyncIterable<T[]>;

/** One response of one experiment, the unit of a response CSV row. */
export interface ResponseRow {
  experiment: ExperimentRecord;
  response: JsonObject;
  /** Position in `responses`, used when the element has no `index`. */
  position: number;
}

/**
 * The value at `path` inside a JSON value, or undefined.
 *
 * @example
 * jsonAt({ usage: { promptTokens: 12 } }, "usage", "promptTokens"); // 12
 */
export function jsonAt(value: Json | undefined, ...path: string[]): Json | undefined {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The number at `path`, or null. */
export function numberAt(value: Json | undefined, ...path: string[]): number | null {
  const found = jsonAt(value, ...path);
  return typeof found === "number" && Number.isFinite(found) ? found : null;
}

/** The string at `path`, or null. */
export function stringAt(value: Json | undefined, ...path: string[]): string | null {
  const found = jsonAt(value, ...path);
  return typeof found === "string" ? found : null;
}

/**
 * The responses of a page of experiments, flattened in order.
 *
 * @example
 * for (const row of responseRows(page)) console.log(row.experiment.id, row.response.status);
 */
export function responseRows(experiments: ExperimentRecord[]): ResponseRow[] {
  return experiments.flatMap((experiment) =>
    experiment.responses.map((response, position) => ({ experiment, response, position }))
  );
}

/** How many experiments and responses an export holds. */
export interface Counts {
  experiments: number;
  responses: number;
}

/** Counts and distinct values over the experiments written, for the row and the manifest. */
export interface Tally extends Counts {
  models: Set<string>;
  designs: Set<string>;
  calibrationIds: Set<string>;
}

/** An empty {@link Tally}. */
export function emptyTally(): Tally {
  return {
    experiments: 0,
    responses: 0,
    models: new Set(),
    designs: new Set(),
    calibrationIds: new Set(),
  };
}

/** The files of an export with one entry per experiment. */
export type ExperimentFile = "experiments.csv" | "experiments.json";

/**
 * One experiment as the database formatted it for one {@link ExperimentFile},
 * with what a {@link Tally} needs.
 */
export interface FormattedExperiment {
  /** Its text in the file (its CSV line(s), or its JSON item), or that text's UTF-8 bytes. */
  text: string | Uint8Array;
  /** How many responses it holds. */
  responses: number;
  model: string;
  calibrationId: string;
  /** `parameters.design`, when a string. */
  design: string | null;
}

/**
 * Passes pages through unchanged while adding them to `tally`.
 *
 * @example
 * const tally = emptyTally();
 * await writeExperimentsCsv(tallied(source.experiments("experiments.csv"), tally), sink);
 * tally.experiments; // experiments written
 */
export async function* tallied(
  pages: Pages<FormattedExperiment>,
  tally: Tally,
): Pages<FormattedExperiment> {
  for await (const page of pages) {
    for (const experiment of page) {
      tally.experiments += 1;
      tally.responses += experiment.responses;
      tally.models.add(experiment.model);
      tally.calibrationIds.add(experiment.calibrationId);
      if (experiment.design !== null) tally.designs.add(experiment.design);
    }
    yield page;
  }
}

/**
 * What reading an export gives the later stages: pages of rows, each
 * experiment as the database formatted it for one file, and the JSON the
 * stored columns hold.
 *
 * @module
 */

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** A page-by-page source of records; every iteration is a fresh pass. */
export type Pages<T> = AsyncIterable<T[]>;

/** The files of an export with one entry per experiment. */
export type ExperimentFile = "experiments.csv" | "experiments.json";

/**
 * One experiment as the database formatted it for one {@link ExperimentFile},
 * with what the export's tally needs.
 */
export interface FormattedExperiment {
  /** Its text in the file (its CSV line, or its JSON item), or that text's UTF-8 bytes. */
  text: string | Uint8Array;
  /** How many responses it holds. */
  responses: number;
  model: string;
  calibrationId: string;
  /** `parameters.design`, when a string. */
  design: string | null;
}

/**
 * A file whose items Postgres writes whole (a CSV line or a JSON item each),
 * declared by its spec in files/: `select` yields one `text` column per item,
 * in file order.
 */
export interface ItemFile {
  name: string;
  select: string;
}

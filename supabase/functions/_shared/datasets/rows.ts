/**
 * From CSV records to dataset items, without I/O: the header gives the
 * columns, an optional column map renames them to template variables, and
 * every data row becomes an item or a skip with one of the reasons the lab
 * reports (`empty`, `too_long`, `missing_column`, `malformed`; `duplicate`
 * is decided by the database, which sees every earlier row).
 *
 * @module
 */
import { CsvFileError } from "./csv_records.ts";

/** Longest value of one field: a rendered prompt could not be longer. */
export const MAX_VALUE_CHARS = 32_000;

/** Why a row was skipped. */
export type SkipReason = "empty" | "duplicate" | "too_long" | "missing_column" | "malformed";

/** How the file's columns become item variables. */
export interface ColumnPlan {
  /** The variables every item has, in order. */
  variables: string[];
  /** For each variable, the index of its field in a record. */
  fieldIndex: number[];
  /** How many fields a well-formed record has. */
  width: number;
}

/** A row as it is stored, or why it was not. */
export type RowOutcome =
  | { kind: "item"; line: number; values: Record<string, string> }
  | { kind: "skip"; line: number; reason: SkipReason; detail: string };

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The column plan of a header, with `columnMap` ({variable: column}) or, by
 * default, every column under its own name.
 *
 * @throws {CsvFileError} naming line `line` when the header is empty, has an
 *   empty or repeated name, or lacks a mapped column, or when a column name
 *   (without a map) or a mapped variable is not an identifier.
 *
 * @example
 * planColumns(["topic", "tone"], 1); // { variables: ["topic", "tone"], fieldIndex: [0, 1], width: 2 }
 * planColumns(["Subject"], 1, { topic: "Subject" }); // { variables: ["topic"], fieldIndex: [0], width: 1 }
 */
export function planColumns(
  header: readonly string[],
  line: number,
  columnMap?: Readonly<Record<string, string>> | null,
): ColumnPlan {
  const names = header.map((name) => name.trim());
  if (names.length === 0 || names.every((name) => name === "")) {
    throw new CsvFileError(
      `Line ${line}: the header is empty (the first line must name the columns)`,
    );
  }
  const blank = names.indexOf("");
  if (blank !== -1) {
    throw new CsvFileError(`Line ${line}: column ${blank + 1} of the header has no name`);
  }
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) {
    throw new CsvFileError(`Line ${line}: the header names column "${repeated}" twice`);
  }
  const pairs = columnMap
    ? Object.entries(columnMap)
    : names.map((name) => [name, name] as [string, string]);
  const lacking = pairs.filter(([, column]) => !names.includes(column)).map(([, column]) => column);
  if (lacking.length > 0) {
    throw new CsvFileError(
      `Line ${line}: the header has no column ${lacking.map((c) => `"${c}"`).join(", ")}`,
    );
  }
  const invalid = pairs.find(([variable]) => !VARIABLE.test(variable));
  if (invalid) {
    throw new CsvFileError(
      `Line ${line}: "${
        invalid[0]
      }" cannot be a variable name (letters, digits and _, not starting with a digit); map the column to one`,
    );
  }
  return {
    variables: pairs.map(([variable]) => variable),
    fieldIndex: pairs.map(([, column]) => names.indexOf(column)),
    width: names.length,
  };
}

/**
 * One data record as an item or a skip.
 *
 * @example
 * toRow(plan, { line: 7, fields: ["tides", "warm"] }); // { kind: "item", line: 7, values: { topic: "tides", tone: "warm" } }
 * toRow(plan, { line: 8, fields: [""] }); // { kind: "skip", line: 8, reason: "empty", … }
 */
export function toRow(plan: ColumnPlan, record: { line: number; fields: string[] }): RowOutcome {
  const { line, fields } = record;
  const skip = (reason: SkipReason, detail: string): RowOutcome => ({
    kind: "skip",
    line,
    reason,
    detail,
  });
  if (fields.every((field) => field.trim() === "")) return skip("empty", "The row is empty");
  if (fields.length > plan.width) {
    return skip("malformed", `The row has ${fields.length} fields, the header ${plan.width}`);
  }
  if (fields.length < plan.width) {
    const missing = plan.variables.filter((_, i) => plan.fieldIndex[i] >= fields.length);
    if (missing.length > 0) {
      return skip("missing_column", `The row has no value for ${missing.join(", ")}`);
    }
    return skip("malformed", `The row has ${fields.length} fields, the header ${plan.width}`);
  }
  const values: Record<string, string> = {};
  for (const [i, variable] of plan.variables.entries()) {
    const value = fields[plan.fieldIndex[i]];
    if (value.length > MAX_VALUE_CHARS) {
      return skip(
        "too_long",
        `The value of ${variable} has ${value.length} characters, at most ${MAX_VALUE_CHARS}`,
      );
    }
    if (value.includes("\uFFFD") || value.includes("\u0000")) {
      return skip("malformed", `The value of ${variable} is not valid UTF-8 text`);
    }
    values[variable] = value;
  }
  return { kind: "item", line, values };
}

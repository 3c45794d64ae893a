/**
 * Sampling parameters: the provider's valid bounds (the one source of truth),
 * their types, rounding, and the zod schemas that check a set or a range.
 *
 * This file imports only from "zod" so the client SDK can import it as is.
 *
 * @module
 */
import { z } from "zod";

/** The provider's valid bounds for every sampling parameter the lab varies. */
export const PARAMETER_BOUNDS = {
  temperature: { min: 0, max: 2 },
  top_p: { min: 0, max: 1 },
  max_tokens: { min: 1, max: 4096 },
  frequency_penalty: { min: -2, max: 2 },
} as const;

/** A sampling parameter the lab varies. */
export type ParameterName = keyof typeof PARAMETER_BOUNDS;

/** Every parameter name, in the fixed order used for output and iteration. */
export const PARAMETER_NAMES: readonly ParameterName[] = [
  "temperature",
  "top_p",
  "max_tokens",
  "frequency_penalty",
];

/** One concrete choice of sampling parameters for a single request. */
export type ParameterSet = {
  temperature: number;
  top_p: number;
  max_tokens: number;
  frequency_penalty: number;
};

/** An inclusive interval of one parameter's values. */
export type ParameterRange = { min: number; max: number };

/** A personal range for every parameter, as produced by a calibration. */
export type ParameterRanges = { [K in ParameterName]: ParameterRange };

/** A calibration row's range columns (`temperature_min`, `temperature_max`, …). */
export type RangeColumns = { [K in ParameterName as `${K}_${"min" | "max"}`]: number };

/**
 * The ranges held by a calibration row's columns.
 *
 * @example
 * rangesFromColumns(row).temperature; // { min: row.temperature_min, max: row.temperature_max }
 */
export function rangesFromColumns(row: RangeColumns): ParameterRanges {
  return Object.fromEntries(
    PARAMETER_NAMES.map((name) => [name, { min: row[`${name}_min`], max: row[`${name}_max`] }]),
  ) as ParameterRanges;
}

/**
 * Rounds a value the way the database stores it: `max_tokens` to an integer,
 * every other parameter to two decimals, halves away from zero as Postgres
 * `round(numeric)` does. Binary noise is ignored first (0.575, stored as
 * 0.57499999…, rounds to 0.58). Never returns `-0`.
 *
 * @example
 * roundParameter("temperature", 0.7349); // 0.73
 * roundParameter("temperature", 0.2 + 0.375); // 0.58
 * roundParameter("max_tokens", 511.5); // 512
 */
export function roundParameter(name: ParameterName, value: number): number {
  const factor = name === "max_tokens" ? 1 : 100;
  const scaled = Number((Math.abs(value) * factor).toPrecision(12));
  return (Math.sign(value) * Math.round(scaled)) / factor + 0; // + 0 turns -0 into 0
}

/**
 * Clamps a value into the provider's bounds for that parameter.
 *
 * @example
 * clampParameter("top_p", 1.2); // 1
 */
export function clampParameter(name: ParameterName, value: number): number {
  const { min, max } = PARAMETER_BOUNDS[name];
  return Math.min(max, Math.max(min, value));
}

function valueSchema(name: ParameterName) {
  const { min, max } = PARAMETER_BOUNDS[name];
  const base = name === "max_tokens" ? z.number().int() : z.number();
  return base.min(min).max(max);
}

function rangeSchema(name: ParameterName) {
  return z
    .object({ min: valueSchema(name), max: valueSchema(name) })
    .refine((range) => range.min <= range.max, {
      error: `Range minimum must not exceed its maximum: ${name}`,
      path: ["min"],
    });
}

/** A parameter set whose every value lies within `PARAMETER_BOUNDS`. */
export const parameterSetSchema = z.object({
  temperature: valueSchema("temperature"),
  top_p: valueSchema("top_p"),
  max_tokens: valueSchema("max_tokens"),
  frequency_penalty: valueSchema("frequency_penalty"),
});

/** Ranges for every parameter: within `PARAMETER_BOUNDS`, `min <= max`, integer `max_tokens`. */
export const parameterRangesSchema = z.object({
  temperature: rangeSchema("temperature"),
  top_p: rangeSchema("top_p"),
  max_tokens: rangeSchema("max_tokens"),
  frequency_penalty: rangeSchema("frequency_penalty"),
});

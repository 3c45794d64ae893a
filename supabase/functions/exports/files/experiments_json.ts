/**
 * `experiments.json` (the JSON export, and an entry of the ZIP):
 * `{ formatVersion, exportId, exportedAt, experiments: [...] }`, each
 * experiment an object Postgres writes, its responses nested as stored.
 *
 * @module
 */
import { isoTime, jsonObject } from "./sql.ts";

/** The keys of an experiment, in order, each from experiment `e`. */
const FIELDS = {
  id: "e.id",
  createdAt: isoTime("e.created_at"),
  calibrationId: "e.calibration_id",
  prompt: "e.prompt",
  model: "e.model",
  parameters: "e.parameters",
  status: "e.status",
  saved: "e.saved",
  discarded: "e.discarded",
  latencyMs: "e.latency_ms",
  correlationId: "e.correlation_id",
  responses: "e.responses",
} as const;

/** `experiments.json`. */
export const EXPERIMENTS_JSON = {
  name: "experiments.json",
  /** The key of the document's list. */
  key: "experiments",
  fields: FIELDS,
  /** SQL text: experiment `e` as JSON text. */
  item: jsonObject(FIELDS),
} as const;

/**
 * `calibrations.json` (an entry of the ZIP): `{ formatVersion, exportId,
 * calibrations }`, the calibrations the selected experiments drew their
 * parameters from. Few and small, so they are read as rows and written here.
 *
 * @module
 */
import {
  type ParameterRanges,
  type RangeColumns,
  rangesFromColumns,
} from "../../_shared/lab/parameters.ts";
import { MATCHING } from "../read/selection.ts";
import type { Json, JsonObject } from "../read/rows.ts";

/** A calibration used by the exported experiments. */
export interface CalibrationRecord {
  id: string;
  mode: string;
  questionnaireVersion: string;
  answers: JsonObject;
  ranges: ParameterRanges;
  insights: Json[];
  correlationId: string | null;
  createdAt: Date;
}

/** A row of {@link CALIBRATIONS_JSON}'s `select`. */
export interface CalibrationRow extends RangeColumns {
  id: string;
  mode: string;
  questionnaireVersion: string;
  answers: JsonObject;
  insights: Json[];
  correlationId: string | null;
  createdAt: Date;
}

/** `calibrations.json`. */
export const CALIBRATIONS_JSON = {
  name: "calibrations.json",
  /** The key of the document's list. */
  key: "calibrations",
  /** SQL text: the calibrations of the selection, oldest first. */
  select: `
    select c.id, c.mode, c.questionnaire_version as "questionnaireVersion", c.answers, c.insights,
           c.temperature_min::float8 as temperature_min, c.temperature_max::float8 as temperature_max,
           c.top_p_min::float8 as top_p_min, c.top_p_max::float8 as top_p_max,
           c.max_tokens_min, c.max_tokens_max,
           c.frequency_penalty_min::float8 as frequency_penalty_min,
           c.frequency_penalty_max::float8 as frequency_penalty_max,
           c.correlation_id as "correlationId", c.created_at as "createdAt"
      from public.calibrations c
     where c.id in (select e.calibration_id from public.experiments e where ${MATCHING})
     order by c.created_at, c.id`,
  /** A row as a record. */
  record(row: CalibrationRow): CalibrationRecord {
    return {
      id: row.id,
      mode: row.mode,
      questionnaireVersion: row.questionnaireVersion,
      answers: row.answers,
      ranges: rangesFromColumns(row),
      insights: row.insights,
      correlationId: row.correlationId,
      createdAt: row.createdAt,
    };
  },
  /** A record as the file holds it. */
  item(c: CalibrationRecord) {
    return {
      id: c.id,
      mode: c.mode,
      questionnaireVersion: c.questionnaireVersion,
      answers: c.answers,
      ranges: c.ranges,
      insights: c.insights,
      correlationId: c.correlationId,
      createdAt: c.createdAt.toISOString(),
    };
  },
} as const;

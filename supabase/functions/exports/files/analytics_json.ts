/**
 * `analytics.json` (an entry of the ZIP): `{ formatVersion, exportId,
 * analyticsSummaries }`, the current summary of each calibration of the
 * selection. Few and small, so they are read as rows and written here.
 *
 * @module
 */
import { MATCHING } from "../read/selection.ts";
import type { JsonObject } from "../read/rows.ts";

/** The analytics summary of one calibration of the selection. */
export interface AnalyticsRecord {
  calibrationId: string;
  experimentCount: number;
  responseCount: number;
  metricsSummary: JsonObject;
  updatedAt: Date;
}

/** `analytics.json`. */
export const ANALYTICS_JSON = {
  name: "analytics.json",
  /** The key of the document's list. */
  key: "analyticsSummaries",
  /** SQL text: the summaries of the selection's calibrations, as {@link AnalyticsRecord}s. */
  select: `
    select a.calibration_id as "calibrationId", a.experiment_count as "experimentCount",
           a.response_count as "responseCount", a.metrics_summary as "metricsSummary",
           a.updated_at as "updatedAt"
      from public.analytics_summaries a
     where a.user_id = (select auth.uid())
       and a.calibration_id in (select e.calibration_id from public.experiments e where ${MATCHING})
     order by a.calibration_id`,
  /** A record as the file holds it. */
  item(a: AnalyticsRecord) {
    return {
      calibrationId: a.calibrationId,
      experimentCount: a.experimentCount,
      responseCount: a.responseCount,
      metricsSummary: a.metricsSummary,
      updatedAt: a.updatedAt.toISOString(),
    };
  },
} as const;

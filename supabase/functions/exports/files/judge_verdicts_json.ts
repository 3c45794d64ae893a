/**
 * `judge_verdicts.json` (an entry of the ZIP): `{ formatVersion, exportId,
 * verdicts }`, every judge verdict on an exported response — scored ones
 * with their value and reasoning, unparsable ones with the reason and the
 * raw reply, which is kept for both.
 *
 * @module
 */
import { MATCHING } from "../read/selection.ts";
import { isoTime, jsonObject } from "./sql.ts";

/** The keys of a verdict, in order, each from verdict `d`. */
const FIELDS = {
  id: "d.id",
  judgeVersionId: "d.judge_version_id",
  experimentId: "d.experiment_id",
  responseIndex: "d.response_index",
  status: "d.status",
  value: "d.value",
  reasoning: "d.reasoning",
  rawReply: "d.raw_reply",
  error: "d.error",
  correlationId: "d.correlation_id",
  createdAt: isoTime("d.created_at"),
} as const;

/** `judge_verdicts.json`. */
export const JUDGE_VERDICTS_JSON = {
  name: "judge_verdicts.json",
  /** The key of the document's list. */
  key: "verdicts",
  /** The manifest's count of its items. */
  count: "judgeVerdicts",
  fields: FIELDS,
  /** SQL text: each verdict as JSON text (`text`), in experiment and response order. */
  select: `
    select ${jsonObject(FIELDS)} as text
      from public.judge_verdicts d
      join public.experiments e on e.id = d.experiment_id and e.user_id = d.user_id
     where ${MATCHING}
     order by e.created_at, e.id, d.response_index, d.judge_version_id`,
} as const;

/**
 * `judge_versions.json` (an entry of the ZIP): `{ formatVersion, exportId,
 * judgeVersions }`, each judge version that judged or rated an exported
 * response, with its judge's name: the rubric, the config it scores, the
 * model and its parameters (seed included), enough to run it again.
 *
 * @module
 */
import { MATCHING } from "../read/selection.ts";
import { isoTime, jsonObject } from "./sql.ts";

/** SQL text: the ids of the judge versions the selection's verdicts and ratings come from. */
export const USED_JUDGE_VERSIONS = `
  select d.judge_version_id
    from public.judge_verdicts d
    join public.experiments e on e.id = d.experiment_id and e.user_id = d.user_id
   where ${MATCHING}
  union
  select r.judge_version_id
    from public.ratings r
    join public.experiments e on e.id = r.experiment_id and e.user_id = r.owner_id
   where ${MATCHING} and r.judge_version_id is not null`;

/** The keys of a version, in order, each from judge version `v` of judge `j`. */
const FIELDS = {
  id: "v.id",
  judgeId: "v.judge_id",
  judgeName: "j.name",
  version: "v.version",
  rubric: "v.rubric",
  configId: "v.config_id",
  model: "v.model",
  parameters: "v.parameters",
  createdAt: isoTime("v.created_at"),
} as const;

/** `judge_versions.json`. */
export const JUDGE_VERSIONS_JSON = {
  name: "judge_versions.json",
  /** The key of the document's list. */
  key: "judgeVersions",
  /** The manifest's count of its items. */
  count: "judgeVersions",
  fields: FIELDS,
  /** SQL text: each version as JSON text (`text`), by judge and version. */
  select: `
    select ${jsonObject(FIELDS)} as text
      from public.judge_versions v
      join public.judges j on j.id = v.judge_id
     where v.id in (${USED_JUDGE_VERSIONS})
     order by j.created_at, j.id, v.version`,
} as const;

/**
 * `score_configs.json` (an entry of the ZIP): `{ formatVersion, exportId,
 * scoreConfigs }`, every config a line of ratings.csv or an exported judge
 * version refers to, so each value can be read on its scale.
 *
 * @module
 */
import { USED_JUDGE_VERSIONS } from "./judge_versions_json.ts";
import { RATED } from "./ratings_csv.ts";
import { isoTime, jsonObject } from "./sql.ts";

/** The keys of a config, in order, each from score config `c`. */
const FIELDS = {
  id: "c.id",
  name: "c.name",
  builtIn: "c.user_id is null",
  dataType: "c.data_type",
  minValue: "c.min_value",
  maxValue: "c.max_value",
  step: "c.step",
  categories: "c.categories",
  description: "c.description",
  archived: "c.archived",
  createdAt: isoTime("c.created_at"),
} as const;

/** `score_configs.json`. */
export const SCORE_CONFIGS_JSON = {
  name: "score_configs.json",
  /** The key of the document's list. */
  key: "scoreConfigs",
  /** The manifest's count of its items. */
  count: "scoreConfigs",
  fields: FIELDS,
  /** SQL text: each config as JSON text (`text`), built-in ones first. */
  select: `
    select ${jsonObject(FIELDS)} as text
      from public.score_configs c
     where c.id in (select s.config_id from ${RATED} s
                    union
                    select v.config_id from public.judge_versions v where v.id in (${USED_JUDGE_VERSIONS}))
     order by c.user_id nulls first, c.created_at, c.id`,
} as const;

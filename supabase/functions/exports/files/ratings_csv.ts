/**
 * `ratings.csv` (an entry of the ZIP): every score of every exported
 * response, one line each, read the same way whatever gave it — people
 * (the latest revision of each person's rating), judge versions, and the
 * heuristic scores stored with each response as the built-in configs.
 * Postgres formats and quotes each line (read/source.ts streams them).
 *
 * @module
 */
import { MATCHING } from "../read/selection.ts";
import { type CsvColumn, csvHeader, csvLine, isoTime, quotedText } from "./sql.ts";

/**
 * SQL text: the scores of the selection's responses, one row each, unsorted:
 * `created_at` and `experiment_id` of the experiment, `response_index`,
 * `config_id`, `source`, `rater_id`, `judge_version_id`, `value` (numeric),
 * `label`, `comment`, `revision`, `rated_at`, `correlation_id`, and
 * `position` (a heuristic score's place in the stored responses, which
 * orders two responses stored with the same index). Heuristic scores have no
 * rater, comment or revision; their correlation id and time are the
 * experiment's.
 */
export const RATED = `(
  select e.created_at, e.id as experiment_id, r.response_index::numeric as response_index, r.config_id,
         r.source, r.rater_id, r.judge_version_id, r.value, r.label, r.comment, r.revision,
         r.updated_at as rated_at, r.correlation_id, null::bigint as position
    from public.experiments e
    join public.ratings r on r.experiment_id = e.id and r.owner_id = e.user_id
   where ${MATCHING}
  union all
  select e.created_at, e.id, coalesce(
           case when jsonb_typeof(resp.value -> 'index') = 'number' then (resp.value -> 'index')::numeric end,
           resp.position - 1),
         private.heuristic_config_id(m.key), 'heuristic', null, null, (m.value)::numeric, null, null, null,
         e.created_at, e.correlation_id, resp.position
    from public.experiments e
   cross join lateral jsonb_array_elements(e.responses) with ordinality as resp(value, position)
   -- jsonb_each needs an object: a response without one has no heuristic scores.
   cross join lateral jsonb_each(case when jsonb_typeof(resp.value -> 'metrics') = 'object'
                                      then resp.value -> 'metrics' else '{}'::jsonb end) m
   where ${MATCHING}
     and private.heuristic_config_id(m.key) is not null and jsonb_typeof(m.value) = 'number'
)`;

/** The columns, in file order: `s` is a row of {@link RATED}, `c` its score config. */
const COLUMNS: readonly CsvColumn[] = [
  { header: "experiment_id", sql: "s.experiment_id::text" },
  { header: "response_index", sql: "s.response_index::text" },
  { header: "config_id", sql: "s.config_id::text" },
  { header: "config_name", sql: quotedText("c.name") },
  { header: "source", sql: "s.source" },
  { header: "rater_id", sql: "s.rater_id::text" },
  { header: "judge_version_id", sql: "s.judge_version_id::text" },
  { header: "value", sql: "trim_scale(s.value)::text" },
  { header: "label", sql: quotedText("s.label") },
  { header: "comment", sql: quotedText("s.comment") },
  { header: "revision", sql: "s.revision::text" },
  { header: "rated_at", sql: isoTime("s.rated_at") },
  { header: "correlation_id", sql: "s.correlation_id::text" },
];

/** `ratings.csv`. */
export const RATINGS_CSV = {
  name: "ratings.csv",
  columns: COLUMNS,
  /** The header line. */
  header: csvHeader(COLUMNS),
  /** The manifest's count of its lines. */
  count: "ratings",
  /**
   * SQL text: each line (`text`, CRLF-terminated), in experiment order, then
   * by response, source, config and rater (or stored position).
   */
  select: `
    select ${csvLine(COLUMNS.map((column) => column.sql))} as text
      from ${RATED} s
      join public.score_configs c on c.id = s.config_id
     order by s.created_at, s.experiment_id, s.response_index, s.source, s.config_id,
              coalesce(s.rater_id, s.judge_version_id), s.position`,
} as const;

/**
 * `arena_judge_verdicts.csv` (an entry of the arena package): one line per
 * (prompt, arm pair) the judge saw in both orders, oldest first, with the
 * winner in each order and whether they agree (only those count in the
 * judge's ranking).
 *
 * @module
 */
import { ARENA } from "../read/arena.ts";
import { bool, type CsvColumn, csvHeader, csvLine, isoTime, quotedText } from "./sql.ts";

/** The columns, in file order: `d` the verdict, `lo` and `hi` its arms (lower and higher id). */
const COLUMNS: readonly CsvColumn[] = [
  { header: "id", sql: "d.id::text" },
  { header: "prompt_id", sql: "d.prompt_id::text" },
  { header: "model", sql: quotedText("d.model") },
  { header: "low_arm_id", sql: "lo.id::text" },
  { header: "low_label", sql: quotedText("lo.label") },
  { header: "high_arm_id", sql: "hi.id::text" },
  { header: "high_label", sql: quotedText("hi.label") },
  { header: "low_first", sql: "d.low_first" },
  { header: "high_first", sql: "d.high_first" },
  { header: "counted", sql: bool("d.low_first = d.high_first and d.low_first <> 'unparsable'") },
  { header: "judged_at", sql: isoTime("d.created_at") },
];

/** `arena_judge_verdicts.csv`. */
export const ARENA_JUDGE_VERDICTS_CSV = {
  name: "arena_judge_verdicts.csv",
  columns: COLUMNS,
  /** The header line. */
  header: csvHeader(COLUMNS),
  /**
   * SQL text: each verdict's line (`text`, CRLF-terminated) with what the
   * ranking reads from it: `low`, `high` (labels), `low_first`, `high_first`.
   */
  select: `
    select ${csvLine(COLUMNS.map((column) => column.sql))} as text,
           lo.label as low, hi.label as high, d.low_first, d.high_first
      from public.arena_judge_verdicts d
      join public.arena_arms lo on lo.id = d.arm_low
      join public.arena_arms hi on hi.id = d.arm_high
     where d.arena_id = ${ARENA}
     order by d.created_at, d.id`,
} as const;

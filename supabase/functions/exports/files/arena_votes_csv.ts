/**
 * `arena_votes.csv` (an entry of the arena package): one line per tester
 * vote, oldest first — the order the ranking's bootstrap draws them in —
 * naming the arm shown on each side, so the testers' ranking can be refitted
 * from this file and ranking.json's seed alone.
 *
 * @module
 */
import { ARENA } from "../read/arena.ts";
import { type CsvColumn, csvHeader, csvLine, isoTime, quotedText } from "./sql.ts";

/** The columns, in file order: `v` the vote, `p` its pair, `l` and `r` the arms shown left and right. */
const COLUMNS: readonly CsvColumn[] = [
  { header: "pair_id", sql: "v.pair_id::text" },
  { header: "prompt_id", sql: "p.prompt_id::text" },
  { header: "tester_id", sql: "v.tester_id::text" },
  { header: "left_arm_id", sql: "l.id::text" },
  { header: "left_label", sql: quotedText("l.label") },
  { header: "right_arm_id", sql: "r.id::text" },
  { header: "right_label", sql: quotedText("r.label") },
  { header: "verdict", sql: "v.verdict" },
  { header: "reason", sql: quotedText("v.reason") },
  { header: "answers", sql: quotedText("v.answers::text") },
  { header: "handed_at", sql: isoTime("p.created_at") },
  { header: "voted_at", sql: isoTime("v.created_at") },
  { header: "correlation_id", sql: "v.correlation_id::text" },
];

/** `arena_votes.csv`. */
export const ARENA_VOTES_CSV = {
  name: "arena_votes.csv",
  columns: COLUMNS,
  /** The header line. */
  header: csvHeader(COLUMNS),
  /**
   * SQL text: each vote's line (`text`, CRLF-terminated) with what the
   * ranking reads from it: `left` and `right` (the arms' labels), `verdict`.
   */
  select: `
    select ${csvLine(COLUMNS.map((column) => column.sql))} as text,
           l.label as left, r.label as right, v.verdict
      from public.arena_votes v
      join public.arena_pairs p on p.id = v.pair_id
      join public.arena_arms l on l.id = p.left_arm
      join public.arena_arms r on r.id = case when p.left_arm = p.arm_low then p.arm_high else p.arm_low end
     where v.arena_id = ${ARENA}
     order by v.created_at, v.pair_id`,
} as const;

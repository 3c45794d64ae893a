/**
 * Which experiments an export holds: the selection a request asks for, and
 * its one SQL condition, which every read of the export shares. COPY takes
 * no bind parameters, so the condition reads the selection from the
 * transaction's `app.export_selection` setting, set with a parameter just
 * before ({@link chooseSelection}); user input is never spliced into SQL.
 *
 * @module
 */
import type { Tx } from "../../_shared/db/client.ts";
import type { CreateExportRequest } from "../../_shared/contracts/exports.ts";

/** The experiments of one export: every given condition holds. */
export interface Selection {
  /** Exactly these experiments (lowercase, unique). */
  ids?: string[];
  calibrationId?: string;
  /** The experiments of this batch run. */
  runId?: string;
  saved?: boolean;
  includeDiscarded: boolean;
  /** Inclusive lower bound on created_at (ISO timestamp). */
  from?: string;
  /** Exclusive upper bound on created_at (ISO timestamp). */
  to?: string;
  /**
   * Inclusive upper bound on created_at of the experiments and audit events,
   * fixed when the export is created (ISO timestamp): an export built over
   * several invocations reads the same set in every one.
   */
  asOf?: string;
}

/** Where a row stands in its file's order, `(created_at, id)`; `at` is opaque text to hand back. */
export interface PageKey {
  at: string;
  id: string;
}

/** Rows after `after` (exclusive) up to `upTo` (inclusive); null is unbounded. */
export interface KeyRange {
  after: PageKey | null;
  upTo: PageKey | null;
}

/** The page of a selection one read covers: a range of experiments and one of audit events. */
export interface PageBounds {
  experiments?: KeyRange;
  audit?: KeyRange;
}

/**
 * The selection a request asks for. Discarded experiments are left out unless
 * asked for, or unless they were selected by id.
 *
 * @example
 * selectionOf({ format: "csv", selectedIds: [id] }); // { ids: [id], includeDiscarded: true }
 */
export function selectionOf(request: CreateExportRequest): Selection {
  const filter = request.filter ?? {};
  const ids = request.selectedIds
    ? [...new Set(request.selectedIds.map((id) => id.toLowerCase()))]
    : undefined;
  const selection: Selection = { includeDiscarded: filter.includeDiscarded ?? ids !== undefined };
  if (ids) selection.ids = ids;
  if (filter.calibrationId) selection.calibrationId = filter.calibrationId.toLowerCase();
  if (filter.runId) selection.runId = filter.runId.toLowerCase();
  if (filter.saved !== undefined) selection.saved = filter.saved;
  if (filter.from) selection.from = filter.from;
  if (filter.to) selection.to = filter.to;
  return selection;
}

/** The setting {@link MATCHING} reads the selection from. */
const SELECTION_SETTING = "app.export_selection";

/**
 * Puts `selection` where {@link MATCHING} reads it, for the rest of `tx`.
 *
 * @example
 * await chooseSelection(tx, selection);
 * await tx.unsafe(`select count(*) from public.experiments e where ${MATCHING}`);
 */
export async function chooseSelection(
  tx: Tx,
  selection: Selection,
  page: PageBounds = {},
): Promise<void> {
  const setting = JSON.stringify({
    ...rangeSetting("", page.experiments),
    ...rangeSetting("audit", page.audit),
    asOf: selection.asOf ?? null,
    ids: selection.ids ?? null,
    calibrationId: selection.calibrationId ?? null,
    runId: selection.runId ?? null,
    saved: selection.saved ?? null,
    includeDiscarded: selection.includeDiscarded,
    from: selection.from ?? null,
    to: selection.to ?? null,
  });
  await tx`select set_config(${SELECTION_SETTING}, ${setting}, true)`;
}

function rangeSetting(prefix: string, range: KeyRange | undefined): Record<string, string | null> {
  return {
    [`${prefix}afterAt`]: range?.after?.at ?? null,
    [`${prefix}afterId`]: range?.after?.id ?? null,
    [`${prefix}upToAt`]: range?.upTo?.at ?? null,
    [`${prefix}upToId`]: range?.upTo?.id ?? null,
  };
}

/** A value of the selection setting, read once per statement (an init plan). */
function chosen(key: string, type: string): string {
  return `(select (current_setting('${SELECTION_SETTING}')::jsonb ->> '${key}')::${type})`;
}

/**
 * SQL text: the selection's condition on `public.experiments e`, the
 * caller's own experiments only (RLS would hide the others anyway).
 */
export const MATCHING = `e.user_id = (select auth.uid())
   and (${chosen("ids", "text")} is null or e.id = any(array(
        select jsonb_array_elements_text(current_setting('${SELECTION_SETTING}')::jsonb -> 'ids')::uuid)))
   and (${chosen("calibrationId", "uuid")} is null or e.calibration_id = ${
  chosen("calibrationId", "uuid")
})
   and (${chosen("runId", "uuid")} is null or e.batch_run_id = ${chosen("runId", "uuid")})
   and (${chosen("saved", "boolean")} is null or e.saved = ${chosen("saved", "boolean")})
   and (${chosen("includeDiscarded", "boolean")} or not e.discarded)
   and (${chosen("from", "timestamptz")} is null or e.created_at >= ${
  chosen("from", "timestamptz")
})
   and (${chosen("to", "timestamptz")} is null or e.created_at < ${chosen("to", "timestamptz")})
   and ${inPage("e", "")}`;

/**
 * SQL text: row `alias` (with created_at and id) is within the chosen range
 * of keys whose setting names start with `prefix`, and not after `asOf`.
 * An absent bound reads as the farthest key, so each condition is a plain
 * row comparison an index on (user_id, created_at, id) can seek to.
 */
function inPage(alias: string, prefix: string): string {
  const key = `(${alias}.created_at, ${alias}.id)`;
  const bound = (name: string, far: { at: string; id: string }) =>
    `(coalesce(${chosen(`${prefix}${name}At`, "timestamptz")}, '${far.at}'::timestamptz),
      coalesce(${chosen(`${prefix}${name}Id`, "uuid")}, '${far.id}'::uuid))`;
  return `${alias}.created_at <= coalesce(${chosen("asOf", "timestamptz")}, 'infinity'::timestamptz)
   and ${key} > ${bound("after", { at: "-infinity", id: "00000000-0000-0000-0000-000000000000" })}
   and ${key} <= ${bound("upTo", { at: "infinity", id: "ffffffff-ffff-ffff-ffff-ffffffffffff" })}`;
}

/** SQL text: audit event `a` is within the chosen page of audit events (and not after `asOf`). */
export const AUDIT_IN_PAGE = inPage("a", "audit");

/** SQL text: the {@link PageKey} of row `alias`, its time to the microsecond in UTC. */
export function pageKeyColumns(alias: string): string {
  return `to_char(${alias}.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at,
         ${alias}.id::text as id`;
}

/**
 * How many of `ids` the caller cannot see (unknown or someone else's: RLS
 * makes the two indistinguishable).
 *
 * @example
 * if (await countInvisible(tx, selection.ids) > 0) throw notFound();
 */
export async function countInvisible(tx: Tx, ids: string[]): Promise<number> {
  const [{ found }] = await tx<{ found: number }[]>`
    select count(*)::int as found from public.experiments e where e.id = any(${ids}::uuid[])`;
  return ids.length - found;
}

/**
 * How many experiments and responses the selection holds right now.
 *
 * @example
 * const { experiments } = await countSelection(tx, selection);
 */
export async function countSelection(
  tx: Tx,
  selection: Selection,
): Promise<{ experiments: number; responses: number }> {
  await chooseSelection(tx, selection);
  const [row] = await tx.unsafe<{ experiments: number; responses: number }[]>(`
    select count(*)::int as experiments,
           coalesce(sum(jsonb_array_length(e.responses)), 0)::int as responses
      from public.experiments e
     where ${MATCHING}`);
  return row;
}

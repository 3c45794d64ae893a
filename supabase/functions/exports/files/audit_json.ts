/**
 * `audit.json` (an entry of the ZIP): `{ formatVersion, exportId, events }`,
 * the audit events of the selected experiments (linked by correlation id or
 * `eventData.experimentId`), each an object Postgres writes.
 *
 * @module
 */
import { AUDIT_IN_PAGE, MATCHING, pageKeyColumns } from "../read/selection.ts";
import { isoTime, jsonObject } from "./sql.ts";

/** The keys of an event, in order, each from audit event `a`. */
const FIELDS = {
  id: "a.id",
  eventType: "a.event_type",
  eventData: "a.event_data",
  source: "a.source",
  correlationId: "a.correlation_id",
  createdAt: isoTime("a.created_at"),
} as const;

/** `audit.json`. */
export const AUDIT_JSON = {
  name: "audit.json",
  /** The key of the document's list. */
  key: "events",
  fields: FIELDS,
  /** SQL text: each event of the selection's chosen page as JSON text (`text`), oldest first. */
  select: events(`${jsonObject(FIELDS)} as text`),
  /** SQL text: each event's page key (read/selection.ts `PageKey`), in the same order. */
  keys: events(pageKeyColumns("a")),
} as const;

/** SQL text: `columns` of the selection's events in the chosen page, oldest first. */
function events(columns: string): string {
  return `
    with chosen as (
      select e.id, e.correlation_id from public.experiments e where ${MATCHING}
    )
    select ${columns}
      from public.audit_logs a
     where a.user_id = (select auth.uid())
       and (a.correlation_id in (select c.correlation_id from chosen c)
            or a.event_data ->> 'experimentId' in (select c.id::text from chosen c))
       and ${AUDIT_IN_PAGE}
     order by a.created_at, a.id`;
}

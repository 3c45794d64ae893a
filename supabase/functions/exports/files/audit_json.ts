/**
 * `audit.json` (an entry of the ZIP): `{ formatVersion, exportId, events }`,
 * the audit events of the selected experiments (linked by correlation id or
 * `eventData.experimentId`), each an object Postgres writes.
 *
 * @module
 */
import { MATCHING } from "../read/selection.ts";
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
  /** SQL text: each event of the selection as JSON text (`text`), oldest first. */
  select: `
    with chosen as (
      select e.id, e.correlation_id from public.experiments e where ${MATCHING}
    )
    select ${jsonObject(FIELDS)} as text
      from public.audit_logs a
     where a.user_id = (select auth.uid())
       and (a.correlation_id in (select c.correlation_id from chosen c)
            or a.event_data ->> 'experimentId' in (select c.id::text from chosen c))
     order by a.created_at, a.id`,
} as const;

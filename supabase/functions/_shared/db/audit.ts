/**
 * Audit events, written through `private.record_audit_event` (security
 * definer) inside the transaction whose work they describe, so the event and
 * the work commit together. Event data carries ids, counts and codes: never
 * request bodies, prompts or secrets.
 *
 * @module
 */
import type postgres from "postgres";
import { storableText } from "./storable_text.ts";
import type { Database, Tx } from "./client.ts";
import type { FailureEvent } from "../http/error_handler.ts";

/** The server's audit event types. */
export type AuditEventType =
  | "calibration_completed"
  | "llm_request_started"
  | "llm_request_failed"
  | "experiment_generated"
  | "export_started"
  | "export_completed"
  | "export_failed"
  | "arena_exported"
  | "request_failed"
  | "telemetry_rolled_up";

/** One audit event. */
export interface AuditEvent {
  type: AuditEventType;
  data?: Record<string, unknown>;
  /** Only service_role transactions may name a user other than the caller. */
  userId?: string | null;
}

/** Event data as postgres.js's JSON parameter type (the values are plain JSON). */
function toJson(data: Record<string, unknown>): postgres.JSONValue {
  return data as postgres.JSONValue;
}

/**
 * Records an event in `tx`; the correlation id comes from the transaction
 * (`app.correlation_id`). Returns the audit row id.
 *
 * @example
 * await recordAudit(tx, { type: "calibration_completed", data: { calibrationId } });
 */
export async function recordAudit(tx: Tx, event: AuditEvent): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    select private.record_audit_event(
      ${event.type}, ${tx.json(toJson(event.data ?? {}))}, 'server', ${event.userId ?? null}::uuid
    ) as id`;
  return row.id;
}

/**
 * The error boundary's `onFailure`: a `request_failed` event with the code,
 * status and route, in its own service-role transaction (the request's own
 * transaction, if any, has rolled back).
 *
 * @example
 * createFunctionApp("generate", { ..., onFailure: failureRecorder(db) });
 */
export function failureRecorder(db: Database): (event: FailureEvent) => Promise<void> {
  return async function recordFailure(event) {
    await db.asService({ correlationId: event.correlationId }, (tx) =>
      recordAudit(tx, {
        type: "request_failed",
        userId: event.userId,
        // The route is the raw path when none matched: anything a client sent.
        data: {
          code: event.code,
          status: event.status,
          route: storableText(event.route, { maxLength: 200, fallback: "/" }),
          method: storableText(event.method, { maxLength: 32, fallback: "?" }),
        },
      }));
  };
}

/**
 * Live changes of the caller's experiments and analytics over Supabase
 * Realtime `postgres_changes` (both tables are in the `supabase_realtime`
 * publication; Realtime applies each subscriber's RLS, so only the caller's
 * own rows arrive). Each helper returns an unsubscribe function.
 *
 * Verified only against a real Supabase Realtime server; locally it is tested
 * with a fake channel that records what supabase-js is asked to do.
 *
 * @module
 */
import type {
  REALTIME_SUBSCRIBE_STATES,
  RealtimePostgresChangesPayload,
} from "@supabase/supabase-js";
import type { Tables } from "../../supabase/functions/_shared/db/database.types.ts";
import { LabError } from "./errors.ts";
import type { LabSupabaseClient } from "./reads.ts";
import { toAnalyticsRow, toExperimentRow } from "./rows.ts";
import type { AnalyticsSummaryRow, ExperimentRow } from "./types.ts";

/** What the helpers need of a supabase-js client. */
export type RealtimeClient = Pick<LabSupabaseClient, "channel" | "removeChannel">;

/** One change to a row. */
export interface RowChange<Row> {
  event: "INSERT" | "UPDATE" | "DELETE";
  /** The row after the change; null for DELETE. */
  row: Row | null;
  /** What Realtime sends of the old row (with RLS on, only the primary key). */
  old: Partial<Row>;
  commitTimestamp: string;
}

/** Options of the subscription helpers. */
export interface SubscribeOptions {
  /** Channel status changes: SUBSCRIBED, CHANNEL_ERROR, TIMED_OUT, CLOSED. */
  onStatus?: (status: `${REALTIME_SUBSCRIBE_STATES}`, error?: Error) => void;
  /** A row that does not match its contract (the change is skipped). */
  onError?: (error: LabError) => void;
}

/** Stops listening and removes the channel. */
export type Unsubscribe = () => Promise<void>;

function channelName(topic: string): string {
  return `lab:${topic}:${crypto.randomUUID()}`;
}

function listen<T extends "experiments" | "analytics_summaries", Row>(
  client: RealtimeClient,
  spec: { table: T; filter?: string; topic: string },
  check: (row: Tables<T>) => Row | LabError,
  callback: (change: RowChange<Row>) => void,
  options: SubscribeOptions,
): Unsubscribe {
  const channel = client
    .channel(channelName(spec.topic))
    .on<Tables<T>>(
      "postgres_changes",
      {
        event: "*",
        schema: "public",
        table: spec.table,
        ...(spec.filter ? { filter: spec.filter } : {}),
      },
      (payload: RealtimePostgresChangesPayload<Tables<T>>) => {
        let row: Row | null = null;
        if (payload.eventType !== "DELETE") {
          const checked = check(payload.new);
          if (checked instanceof LabError) {
            options.onError?.(checked);
            return;
          }
          row = checked;
        }
        callback({
          event: payload.eventType,
          row,
          old: payload.old as Partial<Row>,
          commitTimestamp: payload.commit_timestamp,
        });
      },
    )
    .subscribe((status, error) => options.onStatus?.(status, error));
  return async () => {
    await client.removeChannel(channel);
  };
}

/**
 * Calls `callback` for every insert, update (saved/discarded) and delete of
 * the caller's experiments.
 *
 * @example
 * ```ts
 * const stop = lab.onExperiment(({ event, row }) => console.log(event, row?.id));
 * // ...
 * await stop();
 * ```
 */
export function onExperiment(
  client: RealtimeClient,
  callback: (change: RowChange<ExperimentRow>) => void,
  options: SubscribeOptions = {},
): Unsubscribe {
  return listen(
    client,
    { table: "experiments", topic: "experiments" },
    toExperimentRow,
    callback,
    options,
  );
}

/**
 * Calls `callback` whenever the analytics summary of one calibration changes.
 *
 * @example
 * ```ts
 * const stop = lab.onAnalytics(calibrationId, ({ row }) => console.log(row?.metrics_summary));
 * ```
 */
export function onAnalytics(
  client: RealtimeClient,
  calibrationId: string,
  callback: (change: RowChange<AnalyticsSummaryRow>) => void,
  options: SubscribeOptions = {},
): Unsubscribe {
  return listen(
    client,
    {
      table: "analytics_summaries",
      filter: `calibration_id=eq.${calibrationId}`,
      topic: `analytics:${calibrationId}`,
    },
    toAnalyticsRow,
    callback,
    options,
  );
}

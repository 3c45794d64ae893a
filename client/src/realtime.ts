/**
 * Live feeds over Supabase Realtime Broadcast from Database on private
 * channels (the path Supabase recommends for scale and security): triggers
 * send each change of the caller's experiments and analytics, and each step
 * of a job, to private topics that only the owner may join (the
 * realtime.messages policies). Payloads are checked against the contracts
 * before they reach the callback. realtime-js rejoins by itself after the
 * server drops the connection; each helper returns an unsubscribe function.
 *
 * @module
 */
import type { REALTIME_SUBSCRIBE_STATES } from "@supabase/supabase-js";
import type { Tables } from "../../supabase/functions/_shared/db/database.types.ts";
import {
  type JobProgress,
  jobProgressSchema,
  liveTopics,
  rowChangeMessageSchema,
} from "../../supabase/functions/_shared/contracts/live.ts";
import { LabError } from "./errors.ts";
import type { LabSupabaseClient } from "./reads.ts";
import { toAnalyticsRow, toExperimentRow } from "./rows.ts";
import type { AnalyticsSummaryRow, ExperimentRow } from "./types.ts";

/** What the helpers need: the supabase-js client and who is signed in. */
export interface LiveContext {
  supabase: Pick<LabSupabaseClient, "channel" | "removeChannel" | "realtime">;
  /** The signed-in user's id (the `sub` of the access token), or null. */
  userId: () => Promise<string | null>;
}

/** One change to a row. */
export interface RowChange<Row> {
  event: "INSERT" | "UPDATE" | "DELETE";
  /** The row after the change; null for DELETE. */
  row: Row | null;
  /** The row before the change (UPDATE, DELETE); null for INSERT. */
  old: Partial<Row> | null;
}

/** Options of the subscription helpers. */
export interface SubscribeOptions {
  /** Channel status changes: SUBSCRIBED, CHANNEL_ERROR, TIMED_OUT, CLOSED. */
  onStatus?: (status: `${REALTIME_SUBSCRIBE_STATES}`, error?: Error) => void;
  /** A message that does not match its contract (it is skipped), or no signed-in user. */
  onError?: (error: LabError) => void;
}

/** Stops listening and removes the channel. */
export type Unsubscribe = () => Promise<void>;

function invalidMessage(topic: string, detail: string): LabError {
  return new LabError(`Unexpected message on ${topic}: ${detail}`, {
    code: "invalid_response",
    status: 200,
  });
}

/** Joins the private `topic` and hands each broadcast `event` payload to `onPayload`. */
function listen(
  context: LiveContext,
  topic: (userId: string) => string,
  event: string,
  onPayload: (payload: unknown, topic: string) => void,
  options: SubscribeOptions,
): Unsubscribe {
  const started = (async () => {
    const userId = await context.userId();
    if (!userId) {
      options.onError?.(
        new LabError("Cannot subscribe: no signed-in user", { code: "unauthorized", status: 401 }),
      );
      return null;
    }
    // The join must carry the user's token, not the anon key.
    await context.supabase.realtime.setAuth();
    const name = topic(userId);
    return context.supabase
      .channel(name, { config: { private: true } })
      .on("broadcast", { event }, (message) => onPayload(message.payload, name))
      .subscribe((status, error) => options.onStatus?.(status, error));
  })();
  return async () => {
    const channel = await started;
    if (channel) await context.supabase.removeChannel(channel);
  };
}

function rowChanges<Raw, Row>(
  check: (row: Raw) => Row | LabError,
  callback: (change: RowChange<Row>) => void,
  options: SubscribeOptions,
  accept: (record: Record<string, unknown>) => boolean = () => true,
) {
  return (payload: unknown, topic: string) => {
    const parsed = rowChangeMessageSchema.safeParse(payload);
    if (!parsed.success) return options.onError?.(invalidMessage(topic, parsed.error.message));
    const { operation, record, old_record } = parsed.data;
    if (!accept(record ?? old_record ?? {})) return;
    let row: Row | null = null;
    if (operation !== "DELETE") {
      const checked = check(record as Raw);
      if (checked instanceof LabError) return options.onError?.(checked);
      row = checked;
    }
    callback({ event: operation, row, old: old_record as Partial<Row> | null });
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
  context: LiveContext,
  callback: (change: RowChange<ExperimentRow>) => void,
  options: SubscribeOptions = {},
): Unsubscribe {
  return listen(
    context,
    liveTopics.experiments,
    "*",
    rowChanges<Tables<"experiments">, ExperimentRow>(
      toExperimentRow,
      callback,
      options,
    ),
    options,
  );
}

/**
 * Calls `callback` whenever the analytics summary of one of the caller's
 * calibrations changes.
 *
 * @example
 * ```ts
 * const stop = lab.onAnalytics(calibrationId, ({ row }) => console.log(row?.metrics_summary));
 * ```
 */
export function onAnalytics(
  context: LiveContext,
  calibrationId: string,
  callback: (change: RowChange<AnalyticsSummaryRow>) => void,
  options: SubscribeOptions = {},
): Unsubscribe {
  return listen(
    context,
    liveTopics.analytics,
    "*",
    rowChanges<Tables<"analytics_summaries">, AnalyticsSummaryRow>(
      toAnalyticsRow,
      callback,
      options,
      (record) => record.calibration_id === calibrationId,
    ),
    options,
  );
}

/**
 * Calls `callback` with each progress step of one of the caller's jobs
 * (today an export: pending, running, completed or failed).
 *
 * @example
 * ```ts
 * const stop = lab.onJob(exportId, ({ status, progress }) => console.log(status, progress));
 * ```
 */
export function onJob(
  context: LiveContext,
  jobId: string,
  callback: (progress: JobProgress) => void,
  options: SubscribeOptions = {},
): Unsubscribe {
  return listen(context, () => liveTopics.job(jobId), "progress", (payload, topic) => {
    const parsed = jobProgressSchema.safeParse(payload);
    if (!parsed.success) return options.onError?.(invalidMessage(topic, parsed.error.message));
    callback(parsed.data);
  }, options);
}

/**
 * The `sub` of a JWT, read without verifying it (the server verifies).
 *
 * @example
 * ```ts
 * tokenSubject(session.access_token); // "2f0c…"
 * ```
 */
export function tokenSubject(token: string | null): string | null {
  const part = token?.split(".")[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
    const sub = JSON.parse(json).sub;
    return typeof sub === "string" ? sub : null;
  } catch {
    return null;
  }
}

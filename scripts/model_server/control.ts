/**
 * Failure injection for the offline model server: which failure the next chat
 * requests get, how many of them, which ones (by temperature), the latency of
 * successful completions, and counters of what was served.
 *
 * @module
 */
import { z } from "zod";

/** What a matching chat request gets instead of (or as) a normal completion. */
export type FailureMode = "normal" | "rate_limit" | "server_error" | "malformed" | "hang";

/** The settings in force. */
export interface ControlSettings {
  mode: FailureMode;
  /** How many more matching requests get `mode`; null means until reset. */
  times: number | null;
  /** Only requests with at least this temperature (default 1 when unset) match. */
  match: { temperatureAtLeast?: number };
  /** Delay added to every successful completion. */
  latencyMs: number;
  /** The `retry-after` header of rate-limit answers, in seconds. */
  retryAfterSeconds: number;
}

/** Counters since the last reset. */
export interface ControlCounters {
  requestsReceived: number;
  failuresServed: number;
  completionsServed: number;
  hanging: number;
}

/** What `GET /_control` answers. */
export interface ControlState {
  settings: ControlSettings;
  counters: ControlCounters;
}

/**
 * A change to the settings. Setting `mode` also sets `times` and `match` (absent
 * means until reset and every request); `times` or `match` alone retarget the current mode.
 */
export const controlUpdateSchema = z.strictObject({
  mode: z.enum(["normal", "rate_limit", "server_error", "malformed", "hang"]).optional(),
  times: z.int().min(1).nullable().optional(),
  match: z.strictObject({ temperatureAtLeast: z.number().min(0).max(2).optional() }).optional(),
  latencyMs: z.int().min(0).max(120_000).optional(),
  retryAfterSeconds: z.number().min(0).max(3600).optional(),
});

/** A change to the settings, as accepted by {@link ModelControl.set}. */
export type ControlUpdate = z.infer<typeof controlUpdateSchema>;

/** The control surface of one model server. */
export interface ModelControl {
  /** Applies an update (validated; throws on bad input) and returns the settings now in force. */
  set(update: ControlUpdate): ControlSettings;
  /** Back to normal with zero counters; requests left hanging are released. */
  reset(): void;
  /** The settings and counters. */
  stats(): ControlState;
  /** Counts one chat request as received. */
  receive(): void;
  /** Decides what a valid chat request with this temperature gets, and counts a failure. */
  admit(request: { temperature: number }): FailureMode;
  /** Counts one successful completion. */
  completed(): void;
  /** Tracks a hanging request until the returned function is called. */
  hang(): () => void;
  /** Aborts when hanging requests must be released (on reset). */
  readonly released: AbortSignal;
}

const DEFAULT_SETTINGS: ControlSettings = {
  mode: "normal",
  times: null,
  match: {},
  latencyMs: 0,
  retryAfterSeconds: 1,
};

/**
 * Creates the control state of one server.
 *
 * @example
 * ```ts
 * const control = createControl();
 * control.set({ mode: "rate_limit", times: 1 });
 * control.admit({ temperature: 1 }); // "rate_limit"
 * control.admit({ temperature: 1 }); // "normal"
 * ```
 */
export function createControl(): ModelControl {
  let settings: ControlSettings = { ...DEFAULT_SETTINGS };
  let counters = emptyCounters();
  let release = new AbortController();
  return {
    set(update) {
      const parsed = controlUpdateSchema.parse(update);
      const targeting = parsed.mode === undefined
        ? {
          times: parsed.times === undefined ? settings.times : parsed.times,
          match: parsed.match ?? settings.match,
        }
        : { times: parsed.times ?? null, match: parsed.match ?? {} };
      settings = {
        mode: parsed.mode ?? settings.mode,
        ...targeting,
        latencyMs: parsed.latencyMs ?? settings.latencyMs,
        retryAfterSeconds: parsed.retryAfterSeconds ?? settings.retryAfterSeconds,
      };
      return structuredClone(settings);
    },
    reset() {
      settings = { ...DEFAULT_SETTINGS };
      counters = { ...emptyCounters(), hanging: counters.hanging };
      release.abort();
      release = new AbortController();
    },
    stats: () => structuredClone({ settings, counters }),
    receive() {
      counters.requestsReceived++;
    },
    admit({ temperature }) {
      const threshold = settings.match.temperatureAtLeast;
      if (settings.mode === "normal" || (threshold !== undefined && temperature < threshold)) {
        return "normal";
      }
      const mode = settings.mode;
      counters.failuresServed++;
      if (settings.times !== null && --settings.times === 0) {
        settings = { ...settings, mode: "normal", times: null, match: {} };
      }
      return mode;
    },
    completed() {
      counters.completionsServed++;
    },
    hang() {
      counters.hanging++;
      let done = false;
      return function unhang() {
        if (!done) counters.hanging--;
        done = true;
      };
    },
    get released() {
      return release.signal;
    },
  };
}

function emptyCounters(): ControlCounters {
  return { requestsReceived: 0, failuresServed: 0, completionsServed: 0, hanging: 0 };
}

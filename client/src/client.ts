/**
 * `createLabClient`: the lab's typed SDK on top of supabase-js.
 *
 * @module
 */
import { createClient, type SupabaseClientOptions } from "@supabase/supabase-js";
import type { Database } from "../../supabase/functions/_shared/db/database.types.ts";
import { arenaCalls } from "./arenas.ts";
import { calibrationCalls } from "./calibration.ts";
import { datasetCalls } from "./datasets.ts";
import { evaluationCalls } from "./evaluations.ts";
import { exportCalls } from "./exports.ts";
import type { FunctionsTransport } from "./functions.ts";
import { generateCall } from "./generate.ts";
import { jobCalls } from "./jobs.ts";
import { adminCalls, healthCall } from "./operations.ts";
import { priceCalls } from "./prices.ts";
import {
  analyticsReads,
  auditReads,
  calibrationReads,
  experimentReads,
  type LabSupabaseClient,
  listExports,
} from "./reads.ts";
import { type LiveContext, onAnalytics, onExperiment, onJob, tokenSubject } from "./realtime.ts";
import { runCalls } from "./runs.ts";
import { templateCalls } from "./templates.ts";

/** A fixed access token, or a function returning the current one (null: anonymous). */
export type AccessTokenSource = string | (() => string | null | Promise<string | null>);

interface CommonOptions {
  /** SUPABASE_URL, e.g. `http://127.0.0.1:54321` or `https://<ref>.supabase.co`. */
  url: string;
  /** The project's anon (publishable) key. */
  anonKey: string;
  /**
   * The fetch used for function calls and downloads, and (with `accessToken`)
   * for supabase-js too. Defaults to the global fetch.
   */
  fetch?: typeof fetch;
}

/** Options of the supabase-js client the SDK creates (with `accessToken`). */
interface CreatedClientOptions {
  /**
   * supabase-js Realtime options. On Node.js 20, which has no global
   * WebSocket, pass `{ transport: WebSocket }` from the `ws` package.
   */
  realtime?: SupabaseClientOptions<"public">["realtime"];
}

/** Options of {@link createLabClient}: an access token, or your own supabase-js client. */
export type LabClientOptions =
  | CommonOptions & CreatedClientOptions & { accessToken: AccessTokenSource; supabase?: never }
  | CommonOptions & {
    /** A supabase-js client you signed in with; its session token is used for function calls. */
    supabase: LabSupabaseClient;
    accessToken?: never;
  };

function tokenGetter(source: AccessTokenSource): () => Promise<string | null> {
  return typeof source === "string" ? () => Promise.resolve(source) : async () => await source();
}

/** The session token of a signed-in supabase-js client, or null. */
function sessionToken(supabase: LabSupabaseClient): () => Promise<string | null> {
  return async () => {
    try {
      const { data } = await supabase.auth.getSession();
      return data.session?.access_token ?? null;
    } catch {
      // A client built with its own `accessToken` option has no auth API.
      return null;
    }
  };
}

/**
 * Creates the lab client.
 *
 * @example
 * ```ts
 * const lab = createLabClient({ url: "http://127.0.0.1:54321", anonKey, accessToken: token });
 * const { data: calibration } = await lab.calibration.submit({ mode: "quick", answers });
 * const { data: run } = await lab.generate({ prompt: "Name a cat", calibration_id: calibration!.id });
 * const stop = lab.onAnalytics(calibration!.id, ({ row }) => console.log(row?.metrics_summary));
 * ```
 */
export function createLabClient(options: LabClientOptions) {
  const url = options.url.replace(/\/+$/, "");
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let supabase: LabSupabaseClient;
  let accessToken: () => Promise<string | null>;
  if (options.supabase) {
    supabase = options.supabase;
    accessToken = sessionToken(supabase);
  } else {
    accessToken = tokenGetter(options.accessToken);
    supabase = createClient<Database>(url, options.anonKey, {
      accessToken,
      global: { fetch: fetchImpl },
      ...(options.realtime ? { realtime: options.realtime } : {}),
    });
  }
  const live: LiveContext = { supabase, userId: async () => tokenSubject(await accessToken()) };
  const jobs = jobCalls(supabase);
  const transport: FunctionsTransport = {
    url,
    anonKey: options.anonKey,
    fetch: fetchImpl,
    accessToken,
  };

  return {
    /** The underlying supabase-js client (typed with the lab's database). */
    supabase,
    /** The calibration quiz, submitting answers, and reading calibrations. */
    calibration: { ...calibrationCalls(transport), ...calibrationReads(supabase) },
    /** Runs an experiment (idempotent; see {@link generateCall}). */
    generate: generateCall(transport),
    /** Building, looking up, listing and downloading exports. */
    exports: {
      ...exportCalls(transport),
      /**
       * The caller's export jobs, newest first.
       *
       * @example
       * ```ts
       * const { data } = await lab.exports.list({ limit: 5 });
       * ```
       */
      list: (listOptions: { limit?: number } = {}) => listExports(supabase, listOptions),
    },
    /** The caller's background jobs: get, list, cancel, and wait with progress. */
    jobs,
    /** Blind pairwise arenas: building them, testing them, and their rankings. */
    arenas: arenaCalls(transport),
    /** Prompt templates: versions and movable labels. */
    templates: templateCalls(supabase),
    /** Datasets from CSV: upload, versions and their ingest's progress, items, skipped rows. */
    datasets: datasetCalls(transport, supabase, live.userId, jobCalls(supabase)),
    /** Batch runs of a template version over a dataset version: progress, results, summary. */
    runs: runCalls(transport, supabase, jobCalls(supabase)),
    /** Model prices: the lab's list and your own. */
    prices: priceCalls(supabase),
    /** Ratings, review queues, LLM judges, agreement and per-bin scores. */
    evaluations: evaluationCalls(transport, jobs),
    /** The caller's experiments: list, get, save, discard. */
    experiments: experimentReads(supabase),
    /** The caller's per-calibration analytics summaries. */
    analytics: analyticsReads(supabase),
    /** The caller's audit trail (an admin's: everyone's). */
    audit: auditReads(supabase),
    /** Liveness of the functions; needs no token. */
    health: healthCall(transport),
    /** Readiness, system figures, the telemetry rollup and the admin role (admins only). */
    admin: adminCalls(transport, supabase),
    /**
     * Live changes of the caller's experiments (a private Realtime channel);
     * returns an unsubscribe function.
     *
     * @example
     * ```ts
     * const stop = lab.onExperiment(({ event, row }) => console.log(event, row?.status));
     * ```
     */
    onExperiment: (...args: DropFirst<Parameters<typeof onExperiment>>) =>
      onExperiment(live, ...args),
    /**
     * Live changes of one calibration's analytics; returns an unsubscribe function.
     *
     * @example
     * ```ts
     * const stop = lab.onAnalytics(calibrationId, ({ row }) => render(row?.metrics_summary));
     * ```
     */
    onAnalytics: (...args: DropFirst<Parameters<typeof onAnalytics>>) =>
      onAnalytics(live, ...args),
    /**
     * Progress of one of the caller's jobs (a job id; an export's id is its job's), live; returns an unsubscribe function.
     *
     * @example
     * ```ts
     * const stop = lab.onJob(exportId, ({ status }) => console.log(status));
     * ```
     */
    onJob: (...args: DropFirst<Parameters<typeof onJob>>) => onJob(live, ...args),
  };
}

type DropFirst<T extends unknown[]> = T extends [unknown, ...infer Rest] ? Rest : never;

/** The client {@link createLabClient} returns. */
export type LabClient = ReturnType<typeof createLabClient>;

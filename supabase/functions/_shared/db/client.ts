/**
 * The functions' one way into Postgres: a pooled `postgres` client on
 * SUPABASE_DB_URL, and transactions that run as the verified caller, the way
 * PostgREST does, so every statement passes the RLS policies.
 *
 * @module
 */
import postgres from "postgres";
import { runInBackground } from "../background.ts";
import type { DbCaller } from "../caller.ts";
import { HttpError } from "../errors.ts";
import { httpErrorFromSql } from "./sql_errors.ts";

/** A transaction handle (tagged template). */
export type Tx = postgres.TransactionSql;

/** Who a transaction runs as. */
export interface Actor {
  /** `authenticated` for a verified user, `service_role` for the functions' own bookkeeping. */
  role: "authenticated" | "service_role";
  /** JWT claims, exposed to SQL as `request.jwt.claims` (auth.uid(), auth.jwt()). */
  claims: Record<string, unknown>;
}

/** Transaction isolation beyond Postgres's default `read committed`. */
export type IsolationLevel = "repeatable read" | "serializable";

/** Who and how a {@link Database.withUser} transaction runs: a caller and options. */
export interface UserContext extends DbCaller {
  /**
   * `repeatable read` gives every statement of the transaction one snapshot,
   * e.g. for an export that reads the same rows in several passes.
   */
  isolation?: IsolationLevel;
  /** Refuse writes for the whole transaction. */
  readOnly?: boolean;
}

/** How a {@link Database.asService} transaction runs. */
export interface ServiceContext {
  /** The request's correlation id (`app.correlation_id`), if there is one. */
  correlationId?: string;
  /**
   * `false` commits without waiting for the WAL flush (`synchronous_commit =
   * off`): the rows are committed and visible at once, but a database crash in
   * the next fraction of a second may lose the whole transaction (never part
   * of it). For telemetry. Default `true`.
   */
  durable?: boolean;
}

/**
 * A named argument of {@link Database.callAsUser}: objects and arrays are
 * sent as JSON; `undefined` leaves the parameter to its default.
 */
export type CallArgument =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly unknown[]
  | { readonly [key: string]: unknown };

/** The database as the functions use it. */
export interface Database {
  /**
   * Runs `fn` in one transaction as `authenticated` with the caller's claims and
   * the request's correlation id set, so RLS applies and triggers can read the id.
   * Everything `fn` writes commits together or not at all.
   *
   * @example
   * const rows = await db.withUser({ claims, correlationId }, (tx) => tx`select id from calibrations`);
   * const snapshot = await db.withUser({ claims, correlationId, isolation: "repeatable read", readOnly: true }, read);
   */
  withUser<T>(context: UserContext, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one transaction as `service_role` (bypasses RLS): telemetry and
   * failure audits, which have no user transaction to join.
   *
   * @example
   * await db.asService({ correlationId }, (tx) => tx`insert into public.system_metrics ...`);
   */
  asService<T>(context: ServiceContext, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Calls `private.<name>`, one of the lab's request steps: SQL functions
   * that take the caller's verified claims and correlation id (`p_claims`,
   * `p_correlation_id`), switch to them first (`private.act_as_user`) and do
   * the whole step as the caller, under RLS. One statement in its own
   * transaction: one round trip. `args` are the function's other parameters
   * by name, without the `p_` prefix. Resolves with the function's result;
   * an error it raises with `private.raise_http_error` rejects as that
   * {@link HttpError}.
   *
   * @example
   * const outcome = await db.callAsUser<StartOutcome>({ claims, correlationId }, "start_generation", {
   *   calibration_id: input.calibration_id,
   *   rate_limit: 30,
   *   audit_data: { model: "gpt-4o" },
   * });
   */
  callAsUser<T>(caller: DbCaller, name: string, args: Record<string, CallArgument>): Promise<T>;
  /**
   * Calls `private.<name>` as the functions' own database role, with no
   * caller: the lab's bookkeeping steps that act for no user (the job
   * worker's claim and settle). One statement in its own transaction: one
   * round trip.
   *
   * @example
   * const job = await db.callAsLab<ClaimedRow | null>("claim_job", { lease_seconds: 60, user_cap: 2, kinds: ["export"] });
   */
  callAsLab<T>(name: string, args: Record<string, CallArgument>): Promise<T>;
  /** Closes the pool. */
  end(): Promise<void>;
}

/** Options for {@link createDatabase}. */
export interface DatabaseOptions {
  /** Pool size (LAB_DB_POOL_SIZE). */
  max?: number;
  /** Seconds to wait for a connection before answering 503. */
  connectTimeoutSeconds?: number;
}

/** SQLSTATE classes and client error codes that mean "the database is not there". */
const UNAVAILABLE_SQLSTATES = new Set([
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);
const UNAVAILABLE_CLIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

/** True when an error says the database cannot be reached, as opposed to a failed statement. */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === "string" &&
    (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_CLIENT_CODES.has(code))
  ) return true;
  // Deno reports a refused connection as a ConnectionRefused error without a code.
  return error.name === "ConnectionRefused" || /connection refused/i.test(error.message);
}

/**
 * True when a write failed because its `user_id` names no `auth.users` row:
 * a valid token whose user was deleted before it expired. Every lab table
 * references the user through a foreign key named `<table>_user_id_fkey`.
 */
export function isMissingUser(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, constraint_name: constraint } = error as {
    code?: unknown;
    constraint_name?: unknown;
  };
  return code === "23503" && typeof constraint === "string" && constraint.endsWith("_user_id_fkey");
}

/**
 * Turns "cannot reach the database" into 503, a write for a user who no
 * longer exists into 401, and an HTTP error raised in SQL into its
 * {@link HttpError}; leaves every other error as it is.
 */
function mapDatabaseError(error: unknown): never {
  if (isUnavailable(error)) {
    throw new HttpError(503, "Database unavailable: try again shortly", {
      code: "database_unavailable",
      cause: error,
    });
  }
  if (isMissingUser(error)) {
    throw new HttpError(401, "Invalid token: its user does not exist", {
      code: "user_not_found",
      cause: error,
      headers: { "www-authenticate": 'Bearer error="invalid_token"' },
    });
  }
  throw httpErrorFromSql(error) ?? error;
}

/** Function and parameter names of {@link Database.callAsUser}: the code's own, never input. */
const IDENTIFIER = /^[a-z][a-z0-9_]{0,60}$/;

/**
 * `select private.<name>(p_claims => $1, p_correlation_id => $2, p_<arg> => $3, …) as result`.
 * Names are checked, so the text is always the same for the same call site
 * and its prepared statement is reused.
 */
function callText(name: string, argNames: readonly string[]): string {
  for (const identifier of [name, ...argNames]) {
    if (!IDENTIFIER.test(identifier)) {
      throw new Error(`Cannot call private.${name}: invalid name "${identifier}"`);
    }
  }
  const named = argNames.map((arg, i) => `p_${arg} => $${i + 1}`);
  return `select private.${name}(${named.join(", ")}) as result`;
}

/** The `BEGIN` options for an isolation level and access mode (a fixed vocabulary, never user input). */
function beginOptions(context: { isolation?: IsolationLevel; readOnly?: boolean }): string {
  const options = [
    context.isolation ? `isolation level ${context.isolation}` : "",
    context.readOnly ? "read only" : "",
  ];
  return options.filter((option) => option !== "").join(" ");
}

/**
 * Creates the pooled database for a function. Connections open lazily, so a
 * function starts even while the database is down and answers 503 until it is back.
 *
 * @example
 * const db = createDatabase(env.SUPABASE_DB_URL, { max: env.LAB_DB_POOL_SIZE });
 */
export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 5,
    connect_timeout: options.connectTimeoutSeconds ?? 5,
    idle_timeout: 20,
    // After a lost connection, reconnect within tens of milliseconds: the
    // driver's default backoff grows as 3^n/100 s up to 20 s with each
    // connection that dies, so a burst of terminations (a failover) would
    // leave the pool idle for seconds after the database is back.
    backoff: (attempt: number) => Math.min(0.005 * 2 ** attempt, 0.1),
    onnotice: () => {},
    connection: { application_name: "lab-functions" },
  });

  async function transaction<T>(
    actor: Actor,
    context: {
      correlationId?: string;
      isolation?: IsolationLevel;
      readOnly?: boolean;
      durable?: boolean;
    },
    fn: (tx: Tx) => Promise<T>,
  ) {
    const { correlationId } = context;
    // Only ever lowered: a project's own setting (say, waiting for a replica) stays as it is.
    const synchronousCommit = context.durable === false ? "off" : null;
    try {
      return await sql.begin(beginOptions(context), async (tx) => {
        // Sent now and awaited after `fn`: the connection runs statements in
        // order, so `fn`'s first statements follow the role switch in the same
        // round trip (pipelined) and still run as the actor; if the switch
        // failed, the transaction is aborted and they fail too.
        const actAs = tx`select set_config('role', ${actor.role}, true),
                        set_config('request.jwt.claims', ${JSON.stringify(actor.claims)}, true),
                        set_config('app.correlation_id', ${correlationId ?? ""}, true),
                        set_config('synchronous_commit',
                                   coalesce(${synchronousCommit}::text, current_setting('synchronous_commit')),
                                   true)`.execute();
        actAs.catch(() => {}); // observed below; never an unhandled rejection
        const result = await fn(tx);
        await actAs;
        return result;
      }) as T;
    } catch (error) {
      return mapDatabaseError(error);
    }
  }

  /** `select private.<name>(p_<arg> => $n, …)`, objects and arrays sent as JSON. */
  async function call<T>(name: string, args: Record<string, CallArgument>): Promise<T> {
    const names = Object.keys(args).filter((arg) => args[arg] !== undefined);
    const values = names.map((arg) => {
      const value = args[arg];
      return value !== null && typeof value === "object"
        ? sql.json(value as postgres.JSONValue)
        : value as string | number | boolean | null;
    });
    try {
      const [row] = await sql.unsafe<{ result: T }[]>(callText(name, names), values, {
        prepare: true,
      });
      return row.result;
    } catch (error) {
      return mapDatabaseError(error);
    }
  }

  return {
    withUser(context, fn) {
      return transaction({ role: "authenticated", claims: context.claims }, context, fn);
    },
    asService(context, fn) {
      return transaction({ role: "service_role", claims: { role: "service_role" } }, context, fn);
    },
    callAsUser<T>(caller: DbCaller, name: string, args: Record<string, CallArgument>) {
      return call<T>(name, {
        claims: caller.claims,
        correlation_id: caller.correlationId,
        ...args,
      });
    },
    callAsLab<T>(name: string, args: Record<string, CallArgument>) {
      return call<T>(name, args);
    },
    end() {
      return sql.end({ timeout: 5 });
    },
  };
}

/** Options for {@link retryWhileUnavailable}. */
export interface RetryOptions {
  /** Milliseconds to wait before each retry; its length is the number of retries. */
  delaysMs?: readonly number[];
}

/** About half a minute of retries: longer than a failover or a pooler restart takes. */
export const RETRY_DELAYS_MS: readonly number[] = [50, 100, 200, 400, 800, ...Array(28).fill(1000)];

/**
 * Runs `fn` again, on a fresh connection, while it fails with 503
 * `database_unavailable`, after each of `delaysMs` (default
 * {@link RETRY_DELAYS_MS}); any other outcome is returned or thrown at once.
 * Only for work that is safe to repeat and must not be lost: the bookkeeping
 * that ends a request (completing an export whose file is stored, marking
 * one failed, releasing an Idempotency-Key), whose loss would leave state
 * behind that nothing else cleans up.
 *
 * @example
 * await retryWhileUnavailable(() => db.withUser(context, (tx) => markFailed(tx, id, reason)));
 */
export async function retryWhileUnavailable<T>(
  fn: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const delays = options.delaysMs ?? RETRY_DELAYS_MS;
  for (let attempt = 0;; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const unavailable = error instanceof HttpError && error.code === "database_unavailable";
      if (!unavailable || attempt >= delays.length) throw error;
      await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
    }
  }
}

/**
 * Five minutes of retries four times a second: as long as an Idempotency-Key
 * claim holds (after that a retry takes the key over anyway), dense enough
 * to find the database between the terminations of a failover.
 */
const CLEANUP_DELAYS_MS: readonly number[] = [50, 100, ...Array(1200).fill(250)];

/**
 * Cleanup a failed request owes before it answers: tried at once (with a
 * few quick retries), and if the database is still unreachable, retried in
 * the background for up to five minutes while the error goes out.
 *
 * @example
 * await cleanUpAfterFailure(() => db.withUser(context, (tx) => releaseIdempotencyKey(tx, ref)), "release idempotency key");
 */
export async function cleanUpAfterFailure(
  fn: () => Promise<unknown>,
  label: string,
): Promise<void> {
  try {
    await retryWhileUnavailable(fn, { delaysMs: [50, 200] });
  } catch (error) {
    if (!(error instanceof HttpError && error.code === "database_unavailable")) throw error;
    runInBackground(() => retryWhileUnavailable(fn, { delaysMs: CLEANUP_DELAYS_MS }), { label });
  }
}

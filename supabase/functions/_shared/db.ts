/**
 * The functions' one way into Postgres: a pooled `postgres` client on
 * SUPABASE_DB_URL, and transactions that run as the verified caller, the way
 * PostgREST does, so every statement passes the RLS policies.
 *
 * @module
 */
import postgres from "postgres";
import { HttpError } from "./errors.ts";

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

/** Who and how a {@link Database.withUser} transaction runs. */
export interface UserContext {
  /** The caller's verified JWT claims. */
  claims: Record<string, unknown>;
  /** The request's correlation id (`app.correlation_id`). */
  correlationId: string;
  /**
   * `repeatable read` gives every statement of the transaction one snapshot,
   * e.g. for an export that reads the same rows in several passes.
   */
  isolation?: IsolationLevel;
  /** Refuse writes for the whole transaction. */
  readOnly?: boolean;
}

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
  asService<T>(context: { correlationId?: string }, fn: (tx: Tx) => Promise<T>): Promise<T>;
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

/** Turns "cannot reach the database" into 503 and leaves every other error as it is. */
function mapUnavailable(error: unknown): never {
  if (isUnavailable(error)) {
    throw new HttpError(503, "Database unavailable: try again shortly", {
      code: "database_unavailable",
      cause: error,
    });
  }
  throw error;
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
    onnotice: () => {},
    connection: { application_name: "lab-functions" },
  });

  async function transaction<T>(
    actor: Actor,
    context: { correlationId?: string; isolation?: IsolationLevel; readOnly?: boolean },
    fn: (tx: Tx) => Promise<T>,
  ) {
    const { correlationId } = context;
    try {
      return await sql.begin(beginOptions(context), async (tx) => {
        // Sent now and awaited after `fn`: the connection runs statements in
        // order, so `fn`'s first statements follow the role switch in the same
        // round trip (pipelined) and still run as the actor; if the switch
        // failed, the transaction is aborted and they fail too.
        const actAs = tx`select set_config('role', ${actor.role}, true),
                        set_config('request.jwt.claims', ${JSON.stringify(actor.claims)}, true),
                        set_config('app.correlation_id', ${correlationId ?? ""}, true)`.execute();
        actAs.catch(() => {}); // observed below; never an unhandled rejection
        const result = await fn(tx);
        await actAs;
        return result;
      }) as T;
    } catch (error) {
      return mapUnavailable(error);
    }
  }

  return {
    withUser(context, fn) {
      return transaction({ role: "authenticated", claims: context.claims }, context, fn);
    },
    asService(context, fn) {
      return transaction({ role: "service_role", claims: { role: "service_role" } }, context, fn);
    },
    end() {
      return sql.end({ timeout: 5 });
    },
  };
}

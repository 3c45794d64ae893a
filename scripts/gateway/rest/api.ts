/**
 * LOCAL STACK: a stand-in for the part of PostgREST (the Data API at
 * `/rest/v1`) the lab's client SDK uses through supabase-js, because
 * PostgREST cannot run on this machine:
 *
 * - `GET|HEAD /rest/v1/<table>?select=&<col>=<op>.<v>&order=&limit=&offset=`
 *   -> a JSON array (or one object with `Accept: application/vnd.pgrst.object+json`);
 * - `PATCH /rest/v1/<table>?<filters>` with a JSON object body -> 204, or the
 *   updated rows with `Prefer: return=representation`.
 *
 * Like PostgREST (supabase-facts.md §6), each request is one transaction that
 * first sets the caller's role and `request.jwt.claims` (plus request.headers,
 * request.method and request.path), so grants and RLS decide what is visible
 * and writable.
 * The caller is the verified `Authorization` bearer, else a JWT `apikey`, else
 * `anon`. Only relations of the `public` schema exist; identifiers are checked
 * against the catalog and values are bound parameters. Errors have PostgREST's
 * body and statuses (errors.ts).
 *
 * @module
 */
import { errors as joseErrors, type JWTPayload, jwtVerify } from "jose";
import postgres from "postgres";
import { REST_ERRORS, restErrorResponse, toRestError } from "./errors.ts";
import { parseRestQuery } from "./query.ts";
import { buildSelect, buildUpdate, type Statement, type TableInfo } from "./sql.ts";

/** Options for {@link createRestApi}. */
export interface RestApiOptions {
  /** Postgres URL as the app role (it must be able to take the callers' roles). */
  databaseUrl: string;
  /** The project's JWT secret: tokens are HS256 over it. */
  jwtSecret: string;
}

/** The PostgREST stand-in. */
export interface RestApi {
  /** Answers a request whose path starts with `/rest/v1/`. */
  handler(request: Request): Promise<Response>;
  /** Ends the database pool. */
  close(): Promise<void>;
}

/** A verified caller. */
interface Caller {
  role: string;
  claims: JWTPayload;
}

const PREFIX = "/rest/v1/";
const CALLER_ROLES = new Set(["anon", "authenticated", "service_role"]);
const SINGULAR = "application/vnd.pgrst.object+json";
const JSON_TYPE = "application/json; charset=utf-8";

/**
 * Creates the PostgREST stand-in with one small pool (max 4).
 *
 * @example
 * const rest = createRestApi({ databaseUrl, jwtSecret: LOCAL_JWT_SECRET });
 * Deno.serve({ port: 0 }, rest.handler);
 */
export function createRestApi(options: RestApiOptions): RestApi {
  const sql = postgres(options.databaseUrl, {
    max: 4,
    idle_timeout: 20,
    connect_timeout: 5,
    onnotice: () => {},
    connection: { application_name: "lab-rest" },
  });
  const secret = new TextEncoder().encode(options.jwtSecret);

  async function authenticate(request: Request): Promise<Caller> {
    const authorization = request.headers.get("authorization");
    const apikey = request.headers.get("apikey");
    const token = authorization
      ? authorization.replace(/^Bearer\s+/i, "").trim()
      : apikey && apikey.split(".").length === 3
      ? apikey
      : "";
    if (!token) return { role: "anon", claims: { role: "anon" } };
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, secret, { algorithms: ["HS256"] }));
    } catch (error) {
      throw REST_ERRORS.jwt(jwtMessage(error), error);
    }
    const role = typeof claims.role === "string" ? claims.role : "anon";
    if (!CALLER_ROLES.has(role)) throw REST_ERRORS.jwt(`Role not allowed: ${role}`);
    return { role, claims };
  }

  async function tableInfo(tx: postgres.TransactionSql, name: string): Promise<TableInfo> {
    const rows = await tx<{ column: string; type: string }[]>`
      select a.attname as column, format_type(a.atttypid, a.atttypmod) as type
        from pg_catalog.pg_attribute a
        join pg_catalog.pg_class c on c.oid = a.attrelid
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relname = ${name} and c.relkind in ('r', 'v', 'm', 'p', 'f')
         and a.attnum > 0 and not a.attisdropped
       order by a.attnum`;
    if (rows.length === 0) throw REST_ERRORS.tableNotFound(name);
    return { name, columns: new Map(rows.map((row) => [row.column, row.type])) };
  }

  /** Runs `build`'s statement as the caller; a singular request with != 1 row rolls back. */
  function run(
    request: Request,
    caller: Caller,
    table: string,
    build: (info: TableInfo) => Statement,
  ): Promise<{ body: string; rows: number }> {
    const singular = (request.headers.get("accept") ?? "").startsWith(SINGULAR);
    const path = new URL(request.url).pathname;
    const headers = Object.fromEntries(request.headers);
    return sql.begin(async (tx) => {
      // The catalog lookup runs as the pool role, like PostgREST's schema cache.
      const info = await tableInfo(tx, table);
      await tx`select set_config('role', ${caller.role}, true),
                      set_config('request.jwt.claims', ${JSON.stringify(caller.claims)}, true),
                      set_config('request.headers', ${JSON.stringify(headers)}, true),
                      set_config('request.method', ${request.method}, true),
                      set_config('request.path', ${path}, true)`;
      const statement = build(info);
      const [result] = await tx.unsafe<{ body: string; rows: number }[]>(
        statement.text,
        statement.params,
      );
      if (singular && result.rows !== 1) throw REST_ERRORS.singular(result.rows);
      return result;
    }) as Promise<{ body: string; rows: number }>;
  }

  async function answer(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const table = decodeURIComponent(url.pathname.slice(PREFIX.length));
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw REST_ERRORS.tableNotFound(table);
    const profile = request.headers.get("accept-profile") ?? request.headers.get("content-profile");
    if (profile !== null && profile !== "public") throw REST_ERRORS.invalidSchema(profile);
    const caller = await authenticate(request);
    const query = parseRestQuery(url.searchParams);
    const singular = (request.headers.get("accept") ?? "").startsWith(SINGULAR);
    try {
      if (request.method === "GET" || request.method === "HEAD") {
        const { body, rows } = await run(
          request,
          caller,
          table,
          (info) => buildSelect(info, query),
        );
        const headers = {
          "content-type": JSON_TYPE,
          "content-range": rows === 0
            ? "*/*"
            : `${query.offset ?? 0}-${(query.offset ?? 0) + rows - 1}/*`,
        };
        const text = singular ? JSON.stringify(JSON.parse(body)[0]) : body;
        return new Response(request.method === "HEAD" ? null : text, { status: 200, headers });
      }
      if (request.method === "PATCH") {
        const patch = await readObject(request);
        const representation = /return=representation/.test(request.headers.get("prefer") ?? "");
        const { body } = Object.keys(patch).length === 0
          ? { body: "[]" }
          : await run(request, caller, table, (info) => buildUpdate(info, query, patch));
        if (!representation) return new Response(null, { status: 204 });
        const text = singular ? JSON.stringify(JSON.parse(body)[0]) : body;
        return new Response(text, { status: 200, headers: { "content-type": JSON_TYPE } });
      }
    } catch (error) {
      throw toRestError(error, caller.role === "anon");
    }
    throw REST_ERRORS.unsupportedMethod(request.method);
  }

  async function handler(request: Request): Promise<Response> {
    try {
      return await answer(request);
    } catch (error) {
      const rest = toRestError(error, true);
      if (rest.status >= 500) {
        console.error(`rest: ${request.method} ${request.url} failed:`, error);
      }
      return restErrorResponse(rest);
    }
  }

  return { handler, close: () => sql.end({ timeout: 5 }) };
}

async function readObject(request: Request): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await request.text());
  } catch (error) {
    throw REST_ERRORS.invalidBody((error as Error).message);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw REST_ERRORS.invalidBody("The body of a PATCH must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

/** PostgREST's messages for the JWT failures jose reports. */
function jwtMessage(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "JWT expired";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return "JWSError JWSInvalidSignature";
  }
  return "JWSError JWSInvalid: the token could not be decoded";
}

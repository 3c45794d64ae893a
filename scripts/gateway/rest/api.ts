/**
 * LOCAL STACK: a stand-in for PostgREST (the Data API at `/rest/v1`) as
 * supabase-js `from()` and `rpc()` use it, because PostgREST cannot run on
 * this machine:
 *
 * - `GET|HEAD /rest/v1/<table>?select=&<col>=<op>.<v>&order=&limit=&offset=`
 *   with embedded resources over simple foreign keys, `Range`, and
 *   `Prefer: count=exact` (`Content-Range`, 206/416);
 * - `POST` (insert, upsert with `resolution=merge|ignore-duplicates` and
 *   `on_conflict`), `PATCH`, `DELETE`, each with `Prefer: return=minimal|representation`;
 * - `POST|GET /rest/v1/rpc/<fn>` (rpc.ts);
 * - `Accept: application/vnd.pgrst.object+json` (`.single()`): PGRST116 406
 *   unless exactly one row.
 *
 * Like PostgREST (supabase-facts.md §6), each request is one transaction that
 * first sets the caller's role and `request.jwt.claims` (plus request.headers,
 * request.method and request.path), so grants and RLS decide what is visible
 * and writable. Only the `public` schema is exposed; identifiers are checked
 * against the catalog (catalog.ts) and values are bound parameters (sql.ts).
 * Errors have PostgREST's body and statuses (errors.ts).
 *
 * @module
 */
import postgres from "postgres";
import { readBodyText } from "../body.ts";
import { authenticate, type Caller } from "./auth.ts";
import { findFunction, findRelationship, loadTable } from "./catalog.ts";
import { REST_ERRORS, restErrorResponse, toRestError } from "./errors.ts";
import { effectivePage, parsePrefer, preferenceApplied, rangeAnswer } from "./prefer.ts";
import { parseRestQuery } from "./query.ts";
import { buildCall } from "./rpc.ts";
import {
  buildDelete,
  buildInsert,
  buildSelect,
  buildUpdate,
  resolveSelect,
  type Statement,
} from "./sql.ts";

/** Options for {@link createRestApi}. */
export interface RestApiOptions {
  /** Postgres URL as the app role (it must be able to take the callers' roles). */
  databaseUrl: string;
  /** The project's JWT secret: tokens are HS256 over it. */
  jwtSecret: string;
  /** Largest request body accepted; defaults to 10 MiB. */
  maxBodyBytes?: number;
  /** Longest wait for the next chunk of a request body; defaults to 30 s. */
  bodyIdleTimeoutMs?: number;
}

/** The PostgREST stand-in. */
export interface RestApi {
  /** Answers a request whose path starts with `/rest/v1/`. */
  handler(request: Request): Promise<Response>;
  /** Ends the database pool. */
  close(): Promise<void>;
}

const PREFIX = "/rest/v1/";
const SINGULAR = "application/vnd.pgrst.object+json";
const JSON_TYPE = "application/json; charset=utf-8";
/** Deeper JSON than this is refused before Postgres would run out of stack on it. */
const MAX_JSON_DEPTH = 256;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Query parameters PostgREST reads itself, never function arguments. */
const RESERVED_PARAMS = new Set(["select", "order", "limit", "offset", "columns", "on_conflict"]);

type Tx = postgres.TransactionSql;

/** The result of one statement: JSON text and row count, plus the total when counted. */
interface Outcome {
  body: string;
  rows: number;
  total: number | null;
}

/** Throws PGRST102 when JSON nests deeper than {@link MAX_JSON_DEPTH}. */
function assertShallow(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > MAX_JSON_DEPTH) {
        throw REST_ERRORS.invalidBody(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
      }
    } else if (c === 93 || c === 125) depth--;
  }
}

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
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const limits = {
    maxBytes: maxBodyBytes,
    idleTimeoutMs: options.bodyIdleTimeoutMs ?? 30_000,
    tooLarge: () => REST_ERRORS.bodyTooLarge(maxBodyBytes),
    timedOut: REST_ERRORS.bodyTimeout,
  };

  async function readJson(request: Request): Promise<unknown> {
    const text = await readBodyText(request, limits);
    assertShallow(text);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw REST_ERRORS.invalidBody((error as Error).message);
    }
  }

  /**
   * Runs `build`'s statement as the caller in one transaction; a singular
   * request with != 1 row rolls back (PGRST116).
   */
  function run(
    request: Request,
    caller: Caller,
    build: (tx: Tx) => Promise<Statement>,
    options: { readOnly?: boolean } = {},
  ): Promise<Outcome> {
    const singular = (request.headers.get("accept") ?? "").startsWith(SINGULAR);
    const path = new URL(request.url).pathname;
    const headers = Object.fromEntries(request.headers);
    return sql.begin(async (tx) => {
      if (options.readOnly) await tx`set transaction read only`;
      // The catalog lookups run as the pool role, like PostgREST's schema cache.
      const statement = await build(tx);
      await tx`select set_config('role', ${caller.role}, true),
                      set_config('request.jwt.claims', ${JSON.stringify(caller.claims)}, true),
                      set_config('request.headers', ${JSON.stringify(headers)}, true),
                      set_config('request.method', ${request.method}, true),
                      set_config('request.path', ${path}, true)`;
      let outcome: Outcome;
      if (statement.shape === "plain") {
        const result = await tx.unsafe(statement.text, statement.params);
        outcome = { body: "[]", rows: result.count ?? 0, total: null };
      } else {
        const [row] = await tx.unsafe<{ body: string; rows: number; total?: number }[]>(
          statement.text,
          statement.params,
        );
        outcome = { body: row.body, rows: row.rows, total: row.total ?? null };
      }
      if (singular && outcome.rows !== 1) throw REST_ERRORS.singular(outcome.rows);
      return outcome;
    }) as Promise<Outcome>;
  }

  function json(request: Request, text: string, status: number, headers: HeadersInit = {}) {
    const singular = (request.headers.get("accept") ?? "").startsWith(SINGULAR);
    const body = singular && text.startsWith("[") ? JSON.stringify(JSON.parse(text)[0]) : text;
    const response = new Response(request.method === "HEAD" ? null : body, { status, headers });
    response.headers.set("content-type", JSON_TYPE);
    return response;
  }

  async function table(request: Request, caller: Caller, name: string): Promise<Response> {
    const url = new URL(request.url);
    const query = parseRestQuery(url.searchParams);
    const prefs = parsePrefer(request.headers.get("prefer"));
    const applied = preferenceApplied(prefs);
    const extra: Record<string, string> = applied ? { "preference-applied": applied } : {};
    const resolve = async (tx: Tx) => {
      const info = await loadTable(tx, name);
      const select = await resolveSelect(info, query.select, (p, t) => findRelationship(tx, p, t));
      return { info, select };
    };
    const representation = prefs.return === "representation";
    const written = (outcome: Outcome, created: boolean) => {
      const status = created ? 201 : representation ? 200 : 204;
      const headers = {
        ...extra,
        "content-range": `*/${prefs.count ? outcome.rows : "*"}`,
      };
      if (!representation) return new Response(null, { status, headers });
      return json(request, outcome.body, created ? 201 : 200, headers);
    };

    switch (request.method) {
      case "GET":
      case "HEAD": {
        const page = effectivePage(request.headers.get("range"), query);
        const outcome = await run(request, caller, async (tx) => {
          const { info, select } = await resolve(tx);
          return buildSelect(info, select, query, { count: prefs.count, page });
        });
        const { status, contentRange } = rangeAnswer(page.offset ?? 0, outcome.rows, outcome.total);
        const singular = (request.headers.get("accept") ?? "").startsWith(SINGULAR);
        return json(request, outcome.body, singular ? 200 : status, {
          ...extra,
          "content-range": contentRange,
        });
      }
      case "POST": {
        const body = await readJson(request);
        const rows = Array.isArray(body) ? body : [body];
        if (!rows.every((r) => typeof r === "object" && r !== null && !Array.isArray(r))) {
          throw REST_ERRORS.invalidBody("Expected a JSON object or an array of objects");
        }
        const columns = url.searchParams.get("columns");
        const onConflict = url.searchParams.get("on_conflict");
        // supabase-js sends `columns="a","b"` for arrays; PostgREST reads quoted or bare names.
        const names = (list: string | null) =>
          list ? list.split(",").map((c) => c.trim().replace(/^"(.*)"$/, "$1")) : null;
        const outcome = await run(request, caller, async (tx) => {
          const { info, select } = await resolve(tx);
          return buildInsert(info, rows as Record<string, unknown>[], {
            resolution: prefs.resolution,
            onConflict: names(onConflict),
            columns: names(columns),
          }, representation ? select : null);
        });
        return written(outcome, true);
      }
      case "PATCH": {
        const patch = await readJson(request);
        if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
          throw REST_ERRORS.invalidBody("The body of a PATCH must be a JSON object");
        }
        if (Object.keys(patch).length === 0) {
          return written({ body: "[]", rows: 0, total: null }, false);
        }
        const outcome = await run(request, caller, async (tx) => {
          const { info, select } = await resolve(tx);
          return buildUpdate(
            info,
            query,
            patch as Record<string, unknown>,
            representation ? select : null,
          );
        });
        return written(outcome, false);
      }
      case "DELETE": {
        await request.body?.cancel();
        const outcome = await run(request, caller, async (tx) => {
          const { info, select } = await resolve(tx);
          return buildDelete(info, query, representation ? select : null);
        });
        return written(outcome, false);
      }
    }
    throw REST_ERRORS.unsupportedMethod(request.method);
  }

  async function rpc(request: Request, caller: Caller, name: string): Promise<Response> {
    const url = new URL(request.url);
    const readOnly = request.method === "GET" || request.method === "HEAD";
    let body: Record<string, unknown> | null = null;
    if (request.method === "POST") {
      const parsed = await readJson(request);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw REST_ERRORS.invalidBody("The arguments of an rpc must be a JSON object");
      }
      body = parsed as Record<string, unknown>;
    } else if (!readOnly) {
      throw REST_ERRORS.unsupportedMethod(request.method);
    }
    let returnsVoid = false;
    const outcome = await run(request, caller, async (tx) => {
      if (body) {
        const fn = await findFunction(tx, name, Object.keys(body));
        returnsVoid = fn.returns === "void";
        return buildCall(fn, body, parseRestQuery(url.searchParams));
      }
      // GET: parameters naming an argument are arguments, the others filter the result.
      const keys = [...new Set(url.searchParams.keys())].filter((k) => !RESERVED_PARAMS.has(k));
      const fn = await findFunction(tx, name, keys, { extraAllowed: true });
      returnsVoid = fn.returns === "void";
      const argNames = new Set(fn.args.map((arg) => arg.name).filter((n) => keys.includes(n)));
      const args = Object.fromEntries([...argNames].map((n) => [n, url.searchParams.get(n)]));
      return buildCall(fn, args, parseRestQuery(url.searchParams, { ignore: argNames }));
    }, { readOnly });
    if (returnsVoid) return new Response(null, { status: 204 });
    return json(request, outcome.body, 200);
  }

  async function answer(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const raw = url.pathname.slice(PREFIX.length);
    let path: string;
    try {
      path = decodeURIComponent(raw);
    } catch {
      throw REST_ERRORS.tableNotFound(raw);
    }
    const profile = request.headers.get("accept-profile") ?? request.headers.get("content-profile");
    if (profile !== null && profile !== "public") throw REST_ERRORS.invalidSchema(profile);
    const caller = await authenticate(request, secret);
    try {
      if (path.startsWith("rpc/")) {
        const name = path.slice(4);
        if (!IDENTIFIER.test(name)) throw REST_ERRORS.functionNotFound(name, []);
        return await rpc(request, caller, name);
      }
      if (!IDENTIFIER.test(path)) throw REST_ERRORS.tableNotFound(path);
      return await table(request, caller, path);
    } catch (error) {
      throw toRestError(error, caller.role === "anon");
    }
  }

  async function handler(request: Request): Promise<Response> {
    try {
      return await answer(request);
    } catch (error) {
      await request.body?.cancel().catch(() => {});
      const rest = toRestError(error, true);
      if (rest.status >= 500) {
        console.error(`rest: ${request.method} ${request.url} failed:`, error);
      }
      return restErrorResponse(rest);
    }
  }

  return { handler, close: () => sql.end({ timeout: 5 }) };
}

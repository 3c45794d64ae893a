/**
 * LOCAL STACK: the API gateway at :54321, standing in for Kong plus the edge
 * runtime's main service as `supabase start` runs them (supabase-facts.md §10):
 *
 * - `/functions/v1/NAME/...` -> the function's Hono app, which sees `/NAME/...`.
 *   With `verify_jwt` on, the Authorization bearer must be a JWT signed with
 *   the project secret (HS256) or else 401 `{"msg":"Invalid JWT"}`; OPTIONS is
 *   never checked. A legacy `apikey` JWT stands in for a missing Authorization
 *   header, as Kong does.
 * - `/storage/v1/...` -> the Storage API stand-in (storage/).
 * - `/rest/v1/...` -> the PostgREST stand-in (rest/).
 * - `/realtime/v1/websocket` -> the Realtime stand-in (../realtime/).
 * - `/auth/v1/.well-known/jwks.json` -> the project's public keys (none locally:
 *   tokens are HS256).
 */
import { type JWTPayload, jwtVerify } from "jose";
import { createTokenCache } from "../../supabase/functions/_shared/auth/token_cache.ts";

/** A function the gateway routes to. */
export interface GatewayFunction {
  fetch(request: Request): Response | Promise<Response>;
  verifyJwt: boolean;
}

/** Options for {@link createGateway}. */
export interface GatewayOptions {
  functions: Record<string, GatewayFunction>;
  jwtSecret: string;
  storage?: (request: Request) => Promise<Response>;
  rest?: (request: Request) => Promise<Response>;
  realtime?: (request: Request) => Promise<Response>;
}

const FUNCTIONS_PREFIX = /^\/functions\/v1\/([a-z][a-z0-9_-]*)(\/.*)?$/;

/**
 * The gateway as a fetch handler.
 *
 * @example
 * Deno.serve({ port: 54321 }, createGateway({ functions, jwtSecret }));
 */
export function createGateway(options: GatewayOptions): (request: Request) => Promise<Response> {
  // Imported once, as Kong keeps its keys: jose would import raw bytes on every call.
  const secret = crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(options.jwtSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  // Tokens that passed, as the functions keep them (see token_cache.ts).
  const verified = createTokenCache<JWTPayload>();

  async function verify(request: Request): Promise<Response | null> {
    const authorization = request.headers.get("authorization") ?? bearerFromApiKey(request);
    if (!authorization) {
      return Response.json({ msg: "Error: Missing authorization header" }, { status: 401 });
    }
    const [scheme, token] = authorization.split(" ");
    if (scheme !== "Bearer" || !token) {
      return Response.json({ msg: "Error: Auth header is not 'Bearer {token}'" }, { status: 401 });
    }
    if (verified.get(token)) return null;
    try {
      const { payload } = await jwtVerify(token, await secret, { algorithms: ["HS256"] });
      // A token without exp is checked again on every request.
      if (payload.exp !== undefined) verified.set(token, payload, payload.exp * 1000);
      return null;
    } catch {
      return Response.json({ msg: "Invalid JWT" }, { status: 401 });
    }
  }

  return async function gateway(request) {
    const refused = refuseMethod(request.method);
    if (refused) return refused;
    const url = new URL(request.url);
    const fn = FUNCTIONS_PREFIX.exec(url.pathname);
    if (fn) {
      const target = options.functions[fn[1]];
      if (!target) return Response.json({ msg: "Function not found" }, { status: 404 });
      if (target.verifyJwt && request.method !== "OPTIONS") {
        const rejection = await verify(request);
        if (rejection) return rejection;
      }
      const forwarded = new URL(`/${fn[1]}${fn[2] ?? ""}${url.search}`, url);
      return await target.fetch(new Request(forwarded, request));
    }
    if (url.pathname.startsWith("/storage/v1/") && options.storage) {
      return await options.storage(request);
    }
    if (url.pathname.startsWith("/rest/v1/") && options.rest) {
      return await options.rest(request);
    }
    if (url.pathname === "/realtime/v1/websocket" && options.realtime) {
      return await options.realtime(request);
    }
    if (url.pathname === "/auth/v1/.well-known/jwks.json") return Response.json({ keys: [] });
    return Response.json({ message: "no Route matched with those values" }, { status: 404 });
  };
}

/** Methods fetch may not forward; Kong's nginx answers them 405 itself. */
const FORBIDDEN_METHODS = new Set(["TRACE", "TRACK", "CONNECT"]);

/**
 * The gateway's own answer to a method it does not forward: methods are
 * case-sensitive upper-case tokens (a lowercase `get` is a 400 at nginx),
 * and TRACE/TRACK/CONNECT are 405.
 */
export function refuseMethod(method: string): Response | null {
  if (!/^[A-Z]+$/.test(method)) {
    return Response.json({ message: "Invalid HTTP method" }, { status: 400 });
  }
  if (FORBIDDEN_METHODS.has(method)) {
    return Response.json({ message: "Method not allowed" }, {
      status: 405,
      headers: { allow: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" },
    });
  }
  return null;
}

/** Kong puts a legacy JWT `apikey` into Authorization when the client sent none. */
function bearerFromApiKey(request: Request): string | null {
  const apikey = request.headers.get("apikey");
  return apikey && apikey.split(".").length === 3 ? `Bearer ${apikey}` : null;
}

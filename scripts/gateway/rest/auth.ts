/**
 * LOCAL STACK: who is calling the PostgREST stand-in. The bearer token (or a
 * JWT `apikey` when there is no Authorization, as the API gateway passes
 * legacy keys) must be HS256 over the project secret; like the functions'
 * verifier it must carry `exp`, and an `aud`, when present, must be
 * `authenticated` (real PostgREST accepts a token without `exp`; the lab's
 * other services do not, so neither does the stand-in). No token means `anon`.
 *
 * @module
 */
import { errors as joseErrors, type JWTPayload, jwtVerify } from "jose";
import { REST_ERRORS } from "./errors.ts";

/** A verified caller. */
export interface Caller {
  role: string;
  claims: JWTPayload;
}

const CALLER_ROLES = new Set(["anon", "authenticated", "service_role"]);
const AUDIENCE = "authenticated";

/** PostgREST's messages for the JWT failures jose reports. */
function jwtMessage(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "JWT expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === "exp") {
    return "JWT claims validation or parsing failed";
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return "JWSError JWSInvalidSignature";
  }
  return "JWSError JWSInvalid: the token could not be decoded";
}

/**
 * The caller of `request`.
 *
 * @example
 * const caller = await authenticate(request, new TextEncoder().encode(secret));
 */
export async function authenticate(request: Request, secret: Uint8Array): Promise<Caller> {
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
    ({ payload: claims } = await jwtVerify(token, secret, {
      algorithms: ["HS256"],
      requiredClaims: ["exp"],
    }));
  } catch (error) {
    throw REST_ERRORS.jwt(jwtMessage(error), error);
  }
  if (claims.aud !== undefined) {
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(AUDIENCE)) throw REST_ERRORS.jwt("JWT not in audience");
  }
  const role = typeof claims.role === "string" ? claims.role : "anon";
  if (!CALLER_ROLES.has(role)) throw REST_ERRORS.jwt(`Role not allowed: ${role}`);
  return { role, claims };
}

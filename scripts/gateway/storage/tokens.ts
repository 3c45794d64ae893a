/**
 * LOCAL STACK: the JWTs the Storage API stand-in reads and writes — the
 * caller's bearer token (HS256 over the project's JWT secret) and signed-URL
 * tokens `{url, scope: "download", iat, exp}` (supabase-facts.md §8).
 * Failures carry the messages Storage's `jsonwebtoken` verifier produces
 * ("jwt expired", "invalid signature", "jwt malformed", ...).
 *
 * @module
 */
import { errors as joseErrors, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { STORAGE_ERRORS, StorageApiError } from "./errors.ts";

/** The verified claims of a caller. */
export type Claims = JWTPayload & { role?: unknown };

const encoder = new TextEncoder();

/** The message `jsonwebtoken` gives for the failure jose reported. */
export function jwtFailureMessage(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "jwt expired";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "invalid signature";
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "invalid algorithm";
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === "nbf") {
    return "jwt not active";
  }
  return "jwt malformed";
}

async function verify(token: string, secret: string): Promise<Claims> {
  if (!token) throw new Error("jwt must be provided");
  try {
    const { payload } = await jwtVerify(token, encoder.encode(secret), { algorithms: ["HS256"] });
    return payload;
  } catch (error) {
    throw new Error(jwtFailureMessage(error), { cause: error });
  }
}

/**
 * Verifies the caller's bearer token. Any failure is Storage's AccessDenied
 * (body status "403", HTTP 400) with the verifier's message.
 *
 * @example
 * const claims = await verifyBearer(token, LOCAL_JWT_SECRET);
 */
export async function verifyBearer(token: string, secret: string): Promise<Claims> {
  try {
    return await verify(token, secret);
  } catch (error) {
    throw STORAGE_ERRORS.accessDenied((error as Error).message, error);
  }
}

/**
 * Signs a download token for `bucket/path`, valid for `expiresIn` seconds.
 *
 * @example
 * const token = await signDownloadToken("exports/u/a.csv", 60, secret);
 */
export function signDownloadToken(url: string, expiresIn: number, secret: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ url, scope: "download" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresIn)
    .sign(encoder.encode(secret));
}

/**
 * Verifies a signed-URL token for `expectedUrl` (`bucket/path`): signature and
 * expiry (InvalidJWT), scope `download` or absent without an upload's
 * `upsert` claim, and the URL it was issued for (InvalidSignature).
 *
 * @example
 * await verifyDownloadToken(token, "exports/u/a.csv", secret);
 */
export async function verifyDownloadToken(
  token: string,
  expectedUrl: string,
  secret: string,
): Promise<Claims> {
  let payload: Claims;
  try {
    payload = await verify(token, secret);
  } catch (error) {
    throw STORAGE_ERRORS.invalidJwt((error as Error).message);
  }
  const scope = payload.scope;
  const isDownload = scope === "download" || (scope === undefined && !("upsert" in payload));
  if (!isDownload) throw new StorageApiError(400, "InvalidJWT", "Invalid token scope");
  if (payload.url !== expectedUrl) throw STORAGE_ERRORS.invalidSignature();
  return payload;
}

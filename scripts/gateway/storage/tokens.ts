/**
 * LOCAL STACK: the JWTs the Storage API stand-in reads and writes — the
 * caller's bearer token (HS256 over the project's JWT secret) and signed-URL
 * tokens `{url, scope: "download", iat, exp}` (supabase-facts.md §8).
 * Failures carry the messages Storage's verifier (jose) produces.
 *
 * @module
 */
import { errors as joseErrors, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { STORAGE_ERRORS, StorageApiError } from "./errors.ts";

/** The verified claims of a caller. */
export type Claims = JWTPayload & { role?: unknown };

const encoder = new TextEncoder();

/** The audience Supabase Auth gives user tokens; API keys carry none. */
export const AUDIENCE = "authenticated";

/**
 * The message Storage's verifier (jose) gives for a failure: jose's own
 * ("signature verification failed", "\"exp\" claim timestamp check failed",
 * "Invalid Compact JWS", ...).
 */
export function jwtFailureMessage(error: unknown): string {
  if (error instanceof joseErrors.JOSEError) return error.message;
  return "Invalid Compact JWS";
}

/**
 * Verifies an HS256 token. Like the functions' verifier, `exp` is required and
 * an `aud`, when present, must be {@link AUDIENCE}, so a token the functions
 * refuse is refused here too.
 */
async function verify(token: string, secret: string, audience?: string): Promise<Claims> {
  if (!token) throw new Error("Invalid Compact JWS");
  try {
    const { payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: ["HS256"],
      requiredClaims: ["exp"],
    });
    if (audience && payload.aud !== undefined) {
      const auds = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!auds.includes(audience)) throw new Error('unexpected "aud" claim value');
    }
    return payload;
  } catch (error) {
    if (error instanceof Error && !(error instanceof joseErrors.JOSEError)) throw error;
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
    return await verify(token, secret, AUDIENCE);
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
    .setProtectedHeader({ alg: "HS256" }) // Storage's signed-URL tokens carry no `typ`.
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

/** How long a signed upload URL stays valid: two hours, as Storage's `createSignedUploadUrl`. */
export const UPLOAD_TOKEN_SECONDS = 2 * 60 * 60;

/**
 * Signs an upload token `{owner, url, upsert}` for `bucket/path`; the owner is
 * the signer's `sub`, recorded as the object's owner when the upload happens.
 *
 * @example
 * const token = await signUploadToken({ url: "b/u/a.csv", owner: uid, upsert: false }, secret);
 */
export function signUploadToken(
  claims: { url: string; owner: string | undefined; upsert: boolean },
  secret: string,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ owner: claims.owner, url: claims.url, upsert: claims.upsert })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt(now)
    .setExpirationTime(now + UPLOAD_TOKEN_SECONDS)
    .sign(encoder.encode(secret));
}

/**
 * Verifies an upload token for `expectedUrl`: signature and expiry
 * (InvalidJWT), then the URL it was issued for (InvalidSignature).
 */
export async function verifyUploadToken(
  token: string,
  expectedUrl: string,
  secret: string,
): Promise<{ owner: string | undefined; upsert: boolean }> {
  let payload: Claims;
  try {
    payload = await verify(token, secret);
  } catch (error) {
    throw STORAGE_ERRORS.invalidJwt((error as Error).message);
  }
  if (payload.url !== expectedUrl) throw STORAGE_ERRORS.invalidSignature();
  return {
    owner: typeof payload.owner === "string" ? payload.owner : undefined,
    upsert: payload.upsert === true,
  };
}

/**
 * Caller authentication: verifies a Supabase access token (HS256 with the
 * project's JWT secret, ES256/RS256 against its JWKS) and requires a user.
 * Every failure is a 401 with its own code; a valid token that is not a
 * user's (anon or service key) is a 403.
 *
 * @module
 */
import type { ErrorCode } from "../contracts/error_codes.ts";
import type { MiddlewareHandler } from "hono";
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  type JWTVerifyGetKey,
} from "jose";
import type { VerifiedClaims } from "../caller.ts";
import type { UserEnv } from "../http/context.ts";
import { isUuid } from "../http/correlation.ts";
import { HttpError } from "../errors.ts";
import { timed } from "../http/server_timing.ts";
import { createTokenCache, type TokenCacheOptions } from "./token_cache.ts";

/** Options for {@link createJwtVerifier}; give a secret, a JWKS, or both. */
export interface JwtVerifierOptions {
  /** Legacy HS256 JWT secret (at least 32 characters). */
  secret?: string;
  /** JWKS endpoint for ES256/RS256 keys (see `jwksUrl()` in env.ts). */
  jwksUrl?: string;
  /** A key set to use instead of fetching `jwksUrl` (tests, pinned keys). */
  jwks?: JWTVerifyGetKey;
  /** Required `aud` when the token has one; default `authenticated`. */
  audience?: string;
  /** Required `iss`, if set. */
  issuer?: string;
  /** Leeway for `exp` and `nbf`; default 0. */
  clockToleranceSeconds?: number;
  /**
   * Remembers tokens that passed (see token_cache.ts) so the same token is
   * not verified again on every request; `false` verifies every time.
   * Default: up to 1000 tokens, each for at most 60 s and never past `exp`.
   */
  cache?: TokenCacheOptions | false;
}

/** Verifies access tokens. */
export interface JwtVerifier {
  /** Resolves with the claims or throws a 401 {@link HttpError}. */
  verify(token: string): Promise<VerifiedClaims>;
}

const ASYMMETRIC = new Set(["ES256", "RS256"]);

/**
 * Creates a verifier. The JWKS is fetched lazily and cached by jose.
 * A token without `aud` passes (Supabase API keys have none);
 * {@link requireUser} then rejects it as not a user.
 *
 * @example
 * ```ts
 * const verifier = createJwtVerifier({ secret: env.SUPABASE_JWT_SECRET, jwksUrl: jwksUrl(env.SUPABASE_URL) });
 * const claims = await verifier.verify(token);
 * ```
 */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const {
    secret,
    audience = "authenticated",
    issuer,
    clockToleranceSeconds = 0,
  } = options;
  if (secret !== undefined && secret.length < 32) {
    throw new Error(
      "Cannot create JWT verifier: the secret must be at least 32 characters",
    );
  }
  const jwks = options.jwks ??
    (options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined);
  if (secret === undefined && jwks === undefined) {
    throw new Error(
      "Cannot create JWT verifier: pass a secret, jwksUrl or jwks",
    );
  }
  // Imported once: jose would otherwise import raw key bytes on every call.
  const secretKey = secret === undefined ? undefined : hs256Key(secret);
  const cache = options.cache === false
    ? undefined
    : createTokenCache<VerifiedClaims>(options.cache);

  async function verify(token: string): Promise<VerifiedClaims> {
    const remembered = cache?.get(token);
    if (remembered) return remembered;
    const claims = await verifyFully(token);
    // exp is required, so every verified token has one.
    return cache ? cache.set(token, claims, (claims.exp! + clockToleranceSeconds) * 1000) : claims;
  }

  async function verifyFully(token: string): Promise<VerifiedClaims> {
    const alg = readAlgorithm(token);
    const verifyOptions = {
      algorithms: [alg],
      issuer,
      clockTolerance: clockToleranceSeconds,
      requiredClaims: ["exp"],
    };
    let claims: VerifiedClaims;
    if (alg === "HS256" && secretKey) {
      claims = await jwtVerify<VerifiedClaims>(token, await secretKey, verifyOptions)
        .then(
          (result) => result.payload,
          (error: unknown) => Promise.reject(toHttpError(error)),
        );
    } else if (ASYMMETRIC.has(alg) && jwks) {
      claims = await jwtVerify<VerifiedClaims>(token, jwks, verifyOptions).then(
        (result) => result.payload,
        (error: unknown) => Promise.reject(toHttpError(error, { remoteKeys: true })),
      );
    } else {
      throw unauthorized(
        "unsupported_algorithm",
        `algorithm "${alg}" is not accepted`,
      );
    }
    if (claims.aud !== undefined && !audienceMatches(claims.aud, audience)) {
      throw unauthorized("invalid_audience", `audience must be "${audience}"`);
    }
    return claims;
  }
  return { verify };
}

/** Options for {@link requireUser}. */
export interface RequireUserOptions {
  verifier: JwtVerifier;
}

/**
 * Middleware that requires `Authorization: Bearer <user access token>` and
 * sets `c.var.caller` (user id, claims and the correlation id).
 *
 * @example
 * ```ts
 * app.post("/", requireUser({ verifier }), (c) => ok(c, { userId: c.var.caller.userId }));
 * ```
 */
export function requireUser(
  options: RequireUserOptions,
): MiddlewareHandler<UserEnv> {
  const { verifier } = options;
  return async function requireUser(c, next) {
    const token = bearerToken(c.req.header("authorization"));
    const claims = await timed("jwt", () => verifier.verify(token));
    if (
      claims.role !== "authenticated" || !isUuid(claims.sub) ||
      claims.aud === undefined
    ) {
      throw new HttpError(
        403,
        "Forbidden: a signed-in user's access token is required",
        {
          code: "user_token_required",
        },
      );
    }
    c.set("caller", {
      userId: claims.sub,
      claims,
      correlationId: c.var.correlationId,
    });
    await next();
  };
}

/**
 * The token of an `Authorization: Bearer …` header, or a 401 `missing_token`.
 *
 * @example
 * ```ts
 * bearerToken("Bearer eyJ…"); // "eyJ…"
 * ```
 */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
  if (!match) {
    throw new HttpError(
      401,
      "Missing token: send Authorization: Bearer <access token>",
      {
        code: "missing_token",
        headers: { "www-authenticate": "Bearer" },
      },
    );
  }
  return match[1];
}

/** The project's HS256 secret as a WebCrypto key (a failed import surfaces on first use). */
function hs256Key(secret: string): Promise<CryptoKey> {
  const key = crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  key.catch(() => {}); // observed by the first verify
  return key;
}

/** The header's `alg`, after checking the token is a well-formed JWT. */
function readAlgorithm(token: string): string {
  let alg: unknown;
  try {
    if (token.split(".").length !== 3) throw new Error("not three segments");
    alg = decodeProtectedHeader(token).alg;
    decodeJwt(token);
  } catch (error) {
    throw unauthorized("malformed_token", "not a well-formed JWT", error);
  }
  if (typeof alg !== "string") {
    throw unauthorized("malformed_token", "the header has no alg");
  }
  return alg;
}

function audienceMatches(aud: string | string[], audience: string): boolean {
  return Array.isArray(aud) ? aud.includes(audience) : aud === audience;
}

/** Maps a jose error to a 401 (or 503 when the JWKS cannot be fetched). */
function toHttpError(
  error: unknown,
  options: { remoteKeys?: boolean } = {},
): HttpError {
  const { code, claim, reason } = error as {
    code?: unknown;
    claim?: unknown;
    reason?: unknown;
  };
  switch (code) {
    case "ERR_JOSE_ALG_NOT_ALLOWED":
    case "ERR_JOSE_NOT_SUPPORTED":
      return unauthorized(
        "unsupported_algorithm",
        "the algorithm is not accepted",
        error,
      );
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
    case "ERR_JWKS_NO_MATCHING_KEY":
      return unauthorized(
        "invalid_signature",
        "the signature does not verify",
        error,
      );
    case "ERR_JWT_EXPIRED":
      return unauthorized("token_expired", "the token has expired", error);
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      if (claim === "nbf" && reason === "check_failed") {
        return unauthorized(
          "token_not_yet_valid",
          "the token is not valid yet",
          error,
        );
      }
      if (claim === "iss") {
        return unauthorized("invalid_issuer", "unexpected issuer", error);
      }
      return unauthorized(
        "invalid_claims",
        `the "${String(claim)}" claim is invalid`,
        error,
      );
    case "ERR_JWS_INVALID":
    case "ERR_JWT_INVALID":
      return unauthorized("malformed_token", "not a well-formed JWT", error);
  }
  if (options.remoteKeys) return jwksUnavailable(error);
  return unauthorized("invalid_token", "the token cannot be verified", error);
}

function unauthorized(
  code: ErrorCode,
  detail: string,
  cause?: unknown,
): HttpError {
  return new HttpError(401, `Invalid token: ${detail}`, {
    code,
    cause,
    headers: { "www-authenticate": 'Bearer error="invalid_token"' },
  });
}

function jwksUnavailable(cause: unknown): HttpError {
  return new HttpError(
    503,
    "Cannot verify token: the signing keys are unavailable",
    {
      code: "jwks_unavailable",
      cause,
    },
  );
}

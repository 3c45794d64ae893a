/**
 * LOCAL STACK: checking a Realtime access token as hosted Realtime does
 * (supabase/realtime channels_authorization.ex, realtime_channel.ex): HS256
 * over the project secret, claims `role` and `exp` required, and the reasons
 * it gives when a token is refused.
 */
import { compactVerify } from "jose";

/** JWT claims as Realtime reads them. */
export type Claims = Record<string, unknown> & { role: string; exp: number; sub?: string };

/** Why a token was refused: a code for the join reply and the bare message for system errors. */
export interface TokenError {
  code: "MalformedJWT" | "JwtSignatureError" | "InvalidJWTToken";
  message: string;
  /** What the WebSocket upgrade answers (user_socket.ex error_response). */
  connectMessage: string;
}

/** A verifier for one project secret. */
export type TokenVerifier = (token: string) => Promise<Claims | TokenError>;

/**
 * Verifies tokens against `jwtSecret`.
 *
 * @example
 * const verify = tokenVerifier(secret);
 * const claims = await verify(token);
 * if ("code" in claims) console.log(`${claims.code}: ${claims.message}`);
 */
export function tokenVerifier(jwtSecret: string): TokenVerifier {
  const key = new TextEncoder().encode(jwtSecret);
  return async function verify(token) {
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(token, key, { algorithms: ["HS256"] }));
    } catch (error) {
      const name = (error as { code?: string }).code;
      return name === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
        ? {
          code: "JwtSignatureError",
          message: "Failed to validate JWT signature",
          connectMessage: "Failed to validate JWT signature",
        }
        : {
          code: "MalformedJWT",
          message: "The token provided is not a valid JWT",
          connectMessage: "The token provided is not a valid JWT",
        };
    }
    let claims: Record<string, unknown>;
    try {
      claims = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return {
        code: "MalformedJWT",
        message: "The token provided is not a valid JWT",
        connectMessage: "The token provided is not a valid JWT",
      };
    }
    if (typeof claims.role !== "string" || typeof claims.exp !== "number") {
      const message = "Fields `role` and `exp` are required in JWT";
      return { code: "InvalidJWTToken", message, connectMessage: message };
    }
    const now = Math.floor(Date.now() / 1000);
    if (claims.exp <= now) {
      return {
        code: "InvalidJWTToken",
        message: `Token has expired ${now - claims.exp} seconds ago`,
        connectMessage: "Token has expired",
      };
    }
    return claims as Claims;
  };
}

/** True when `result` is a refusal. */
export function isTokenError(result: Claims | TokenError): result is TokenError {
  return "code" in result && "connectMessage" in result;
}

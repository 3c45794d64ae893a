/**
 * The admin role as the functions see it: the `user_role` claim that the
 * Custom Access Token hook signs into the token (never a table lookup per
 * request), the same claim the database's policies read.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { VerifiedClaims } from "../caller.ts";
import { HttpError } from "../errors.ts";
import type { UserEnv } from "../http/context.ts";

/** True when verified claims carry the admin role. */
export function isAdmin(claims: VerifiedClaims): boolean {
  return claims.user_role === "admin";
}

/**
 * Middleware, after `requireUser`, that lets only admins through; anyone
 * else gets 403 `admin_required`.
 *
 * @example
 * ```ts
 * app.get("/", requireUser({ verifier }), requireAdmin(), (c) => ok(c, figures));
 * ```
 */
export function requireAdmin(): MiddlewareHandler<UserEnv> {
  return async function requireAdmin(c, next) {
    if (!isAdmin(c.var.caller.claims)) {
      throw new HttpError(403, "Forbidden: this needs the admin role", { code: "admin_required" });
    }
    await next();
  };
}

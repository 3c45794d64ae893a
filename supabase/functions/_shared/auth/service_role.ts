/**
 * The lab's own callers: the worker is invoked by the lab itself (a
 * function that just created a job, the Cron sweep) with the project's
 * service-role key, never by users.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { HttpError } from "../errors.ts";
import type { LabEnv } from "../http/context.ts";
import { timed } from "../http/server_timing.ts";
import { bearerToken, type JwtVerifier } from "./jwt.ts";

/**
 * Middleware that lets through only `Authorization: Bearer <service-role
 * key>`; a user's token gets 403 `service_role_required`.
 *
 * @example
 * app.post("/", requireServiceRole({ verifier }), (c) => work(c));
 */
export function requireServiceRole(options: { verifier: JwtVerifier }): MiddlewareHandler<LabEnv> {
  const { verifier } = options;
  return async function requireServiceRole(c, next) {
    const claims = await timed(
      "jwt",
      () => verifier.verify(bearerToken(c.req.header("authorization"))),
    );
    if (claims.role !== "service_role") {
      throw new HttpError(403, "Forbidden: only the lab itself may call this", {
        code: "service_role_required",
      });
    }
    await next();
  };
}

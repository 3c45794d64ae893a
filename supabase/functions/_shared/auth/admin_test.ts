import assert from "node:assert/strict";
import { Hono } from "hono";
import type { VerifiedClaims } from "../caller.ts";
import type { LabEnv } from "../http/context.ts";
import { errorHandler } from "../http/error_handler.ts";
import { isAdmin, requireAdmin } from "./admin.ts";

function appWith(claims: VerifiedClaims) {
  const app = new Hono<LabEnv>();
  app.onError(errorHandler());
  app.use("*", async (c, next) => {
    c.set("correlationId", crypto.randomUUID());
    c.set("caller", { userId: "u", claims, correlationId: c.var.correlationId });
    await next();
  });
  app.get("/", requireAdmin(), (c) => c.text("figures"));
  return app;
}

Deno.test("isAdmin reads the user_role claim the access token hook signs", () => {
  assert.equal(isAdmin({ role: "authenticated", user_role: "admin" }), true);
  assert.equal(isAdmin({ role: "authenticated", user_role: null }), false);
  assert.equal(isAdmin({ role: "authenticated" }), false);
});

Deno.test("isAdmin ignores a role claimed in user or app metadata", () => {
  const claims = {
    role: "authenticated",
    user_metadata: { user_role: "admin" },
    app_metadata: { user_role: "admin" },
  } as VerifiedClaims;
  assert.equal(isAdmin(claims), false);
});

Deno.test("requireAdmin lets an admin through", async () => {
  const response = await appWith({ role: "authenticated", user_role: "admin" }).request("/");
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "figures");
});

Deno.test("requireAdmin answers anyone else with 403 admin_required", async () => {
  const response = await appWith({ role: "authenticated", user_role: null }).request("/");
  assert.equal(response.status, 403);
  const body = await response.json();
  assert.equal(body.error.code, "admin_required");
  assert.equal(body.error.message, "Forbidden: this needs the admin role");
});

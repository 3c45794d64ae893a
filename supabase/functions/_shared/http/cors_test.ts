import assert from "node:assert/strict";
import { Hono } from "hono";
import type { LabEnv } from "./context.ts";
import { cors } from "./cors.ts";

function testApp(allowedOrigins: string[] | "*") {
  const app = new Hono<LabEnv>();
  app.use("*", cors({ allowedOrigins }));
  app.use("*", async (c, next) => {
    if (!c.req.header("authorization")) return c.text("unauthorized", 401);
    await next();
  });
  app.post("/generate", (c) => c.text("ok"));
  return app;
}

function preflight(origin: string): RequestInit {
  return {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type",
    },
  };
}

Deno.test("cors answers a preflight with 204 before auth runs", async () => {
  const response = await testApp("*").request(
    "/generate",
    preflight("https://lab.example.com"),
  );
  assert.equal(response.status, 204);
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
  assert.equal(
    response.headers.get("access-control-allow-methods"),
    "GET,POST,OPTIONS",
  );
  assert.equal(
    response.headers.get("access-control-allow-headers"),
    "authorization,x-client-info,apikey,content-type,x-correlation-id,idempotency-key",
  );
  assert.equal(
    response.headers.get("access-control-expose-headers"),
    "x-correlation-id,retry-after",
  );
});

Deno.test("cors adds CORS headers to normal responses", async () => {
  const response = await testApp("*").request("/generate", {
    method: "POST",
    headers: { origin: "https://lab.example.com", authorization: "Bearer x" },
  });
  assert.equal(await response.text(), "ok");
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
  assert.equal(
    response.headers.get("access-control-expose-headers"),
    "x-correlation-id,retry-after",
  );
});

Deno.test("cors with an allow-list reflects listed origins only", async () => {
  const app = testApp(["https://lab.example.com"]);
  const allowed = await app.request(
    "/generate",
    preflight("https://lab.example.com"),
  );
  assert.equal(allowed.status, 204);
  assert.equal(
    allowed.headers.get("access-control-allow-origin"),
    "https://lab.example.com",
  );
  assert.match(allowed.headers.get("vary") ?? "", /Origin/);
  const denied = await app.request(
    "/generate",
    preflight("https://evil.example.com"),
  );
  assert.equal(denied.headers.get("access-control-allow-origin"), null);
});

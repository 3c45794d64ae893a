import assert from "node:assert/strict";
import { Hono } from "hono";
import type { LabEnv } from "./context.ts";
import { correlationId, isUuid } from "./correlation.ts";

function testApp() {
  const app = new Hono<LabEnv>();
  app.use("*", correlationId());
  app.get("/id", (c) => c.text(c.get("correlationId")));
  app.get("/boom", () => {
    throw new Error("boom");
  });
  app.onError((_error, c) => c.text("failed", 500));
  return app;
}

Deno.test("isUuid accepts canonical UUIDs only", () => {
  assert.equal(isUuid(crypto.randomUUID()), true);
  assert.equal(isUuid("8D0FD2B3-9CA7-4D9E-A95F-9E13DDED323E"), true);
  for (
    const value of [
      "",
      "abc",
      "8d0fd2b39ca74d9ea95f9e13dded323e",
      "'; drop table x; --",
      undefined,
      42,
    ]
  ) {
    assert.equal(isUuid(value), false, String(value));
  }
});

Deno.test("correlationId accepts a UUID from the request and echoes it", async () => {
  const id = crypto.randomUUID();
  const response = await testApp().request("/id", {
    headers: { "x-correlation-id": id },
  });
  assert.equal(await response.text(), id);
  assert.equal(response.headers.get("x-correlation-id"), id);
});

Deno.test("correlationId lowercases an upper-case UUID", async () => {
  const id = "8D0FD2B3-9CA7-4D9E-A95F-9E13DDED323E";
  const response = await testApp().request("/id", {
    headers: { "x-correlation-id": id },
  });
  assert.equal(await response.text(), id.toLowerCase());
});

Deno.test("correlationId replaces a missing or non-UUID id with a fresh one", async () => {
  const cases: Record<string, string>[] = [{}, {
    "x-correlation-id": "not-a-uuid",
  }];
  for (const headers of cases) {
    const response = await testApp().request("/id", { headers });
    const id = await response.text();
    assert.ok(isUuid(id));
    assert.notEqual(id, "not-a-uuid");
    assert.equal(response.headers.get("x-correlation-id"), id);
  }
});

Deno.test("correlationId sets the header on error and 404 responses", async () => {
  const app = testApp();
  for (const path of ["/boom", "/missing"]) {
    const response = await app.request(path);
    await response.body?.cancel();
    assert.ok(isUuid(response.headers.get("x-correlation-id")), path);
  }
});

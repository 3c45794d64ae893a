import assert from "node:assert/strict";
import { Hono } from "hono";
import type { LabEnv } from "./context.ts";
import { HttpError } from "../errors.ts";
import { failureBody, ok } from "./response.ts";

const ID = "2f1f7f44-5d8a-4c3e-9d57-6d3e7c0f9b11";

function testApp() {
  const app = new Hono<LabEnv>();
  app.use("*", async (c, next) => {
    c.set("correlationId", ID);
    await next();
  });
  app.get("/ok", (c) => ok(c, { id: 1, tags: ["a"] }));
  app.post("/created", (c) => ok(c, { id: 2 }, 201));
  return app;
}

Deno.test("ok wraps data in the success envelope with the correlation id", async () => {
  const response = await testApp().request("/ok");
  assert.equal(response.status, 200);
  assert.match(
    response.headers.get("content-type") ?? "",
    /^application\/json/,
  );
  assert.deepEqual(await response.json(), {
    success: true,
    data: { id: 1, tags: ["a"] },
    correlationId: ID,
  });
});

Deno.test("ok uses the given status", async () => {
  const response = await testApp().request("/created", { method: "POST" });
  assert.equal(response.status, 201);
  assert.deepEqual((await response.json()).data, { id: 2 });
});

Deno.test("failureBody renders code, message and details only", () => {
  const error = new HttpError(400, "Bad input", {
    code: "validation_failed",
    details: [{ path: "prompt", message: "Required" }],
    headers: { "x-secret": "no" },
    cause: new Error("internal"),
  });
  assert.deepEqual(failureBody(error, ID), {
    success: false,
    error: {
      code: "validation_failed",
      message: "Bad input",
      details: [{ path: "prompt", message: "Required" }],
    },
    correlationId: ID,
  });
  assert.deepEqual(failureBody(new HttpError(404, "Gone"), ID).error, {
    code: "not_found",
    message: "Gone",
  });
});

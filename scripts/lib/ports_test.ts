import assert from "node:assert/strict";
import { PlainError } from "./plain_errors.ts";
import { assertPortFree, portFromEnv } from "./ports.ts";

Deno.test("assertPortFree names the busy port and what moves it", () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    assert.throws(
      () => assertPortFree(listener.addr.port, "set LAB_GATEWAY_PORT to use another"),
      (error) =>
        error instanceof PlainError &&
        error.message ===
          `Port ${listener.addr.port} is in use by another program: set LAB_GATEWAY_PORT to use another.`,
    );
  } finally {
    listener.close();
  }
  assertPortFree(listener.addr.port, "unused");
  assertPortFree(0, "port 0 is always free");
});

Deno.test("portFromEnv falls back to the default and refuses what is not a port", () => {
  const name = `LAB_TEST_PORT_${crypto.randomUUID().slice(0, 8)}`;
  assert.equal(portFromEnv(name, 54321), 54321);
  Deno.env.set(name, "55421");
  assert.equal(portFromEnv(name, 54321), 55421);
  Deno.env.set(name, "http");
  assert.throws(
    () => portFromEnv(name, 1),
    new PlainError(`Invalid ${name}: "http" is not a port number.`),
  );
  Deno.env.delete(name);
});

import assert from "node:assert/strict";
import { DEFAULT_PORT, parsePort, startModelServer } from "./main.ts";

Deno.test("startModelServer listens on a free port and serves the OpenAI base URL", async () => {
  const server = await startModelServer({ port: 0 });
  try {
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}/v1`);
    const response = await fetch(`${server.url}/models`, {
      headers: { authorization: "Bearer sk-offline" },
    });
    assert.equal(response.status, 200);
    assert.equal((await response.json()).object, "list");
  } finally {
    await server.shutdown();
    await server.shutdown();
  }
});

Deno.test("parsePort reads --port in both spellings and defaults to 54330", () => {
  assert.equal(DEFAULT_PORT, 54330);
  assert.equal(parsePort([]), 54330);
  assert.equal(parsePort(["--port", "8080"]), 8080);
  assert.equal(parsePort(["--port=0"]), 0);
  assert.throws(() => parsePort(["--port", "http"]), /Invalid --port: http/);
  assert.throws(() => parsePort(["--port=70000"]), /Invalid --port/);
});

Deno.test("run as a program it prints the listening line", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      new URL("./main.ts", import.meta.url).pathname,
      "--port",
      "0",
    ],
    cwd: new URL("../..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let output = "";
    while (!output.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      output += value;
    }
    await reader.cancel();
    assert.match(output, /^model server listening on http:\/\/127\.0\.0\.1:\d+\/v1\n$/);
  } finally {
    child.kill();
    await child.status;
  }
});

import assert from "node:assert/strict";
import { createGateway } from "./gateway.ts";

/** Sends one raw HTTP/1.1 request (fetch refuses TRACE and rewrites method case). */
async function raw(
  port: number,
  method: string,
  path: string,
): Promise<{ status: number; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode(`${method} ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`),
  );
  const text = await new Response(conn.readable).text();
  const [head, body] = text.split("\r\n\r\n");
  return { status: Number(head.split(" ")[1]), body };
}

Deno.test("gateway: TRACE and a lowercase method get a JSON 405/400 from the gateway itself, never a 500 (issue 19)", async () => {
  const seen: string[] = [];
  const handler = createGateway({
    functions: {
      f: {
        fetch: (r) => {
          seen.push(r.method);
          return new Response("ok");
        },
        verifyJwt: false,
      },
    },
    jwtSecret: "a-secret-with-at-least-32-characters-long",
    rest: (r) => {
      seen.push(r.method);
      return Promise.resolve(new Response("ok"));
    },
  });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, handler);
  try {
    const port = server.addr.port;
    for (const method of ["TRACE", "TRACK"]) {
      const answer = await raw(port, method, "/functions/v1/f");
      assert.equal(answer.status, 405, method);
      assert.deepEqual(JSON.parse(answer.body), { message: "Method not allowed" });
    }
    for (const path of ["/functions/v1/f", "/rest/v1/experiments"]) {
      const answer = await raw(port, "get", path);
      assert.equal(answer.status, 400, path);
      assert.deepEqual(JSON.parse(answer.body), { message: "Invalid HTTP method" });
    }
    assert.equal((await raw(port, "GET", "/functions/v1/f")).status, 200);
    assert.deepEqual(seen, ["GET"]);
  } finally {
    await server.shutdown();
  }
});

import { deepEqual, equal } from "node:assert/strict";
import { streamingFetch } from "./streaming_fetch.ts";

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A local server that answers with what it received. */
function echoServer() {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const bytes = new Uint8Array(await req.arrayBuffer());
    return Response.json({
      method: req.method,
      contentType: req.headers.get("content-type"),
      authorization: req.headers.get("authorization"),
      length: bytes.byteLength,
      sum: bytes.reduce((n, b) => (n + b) % 65521, 0),
      sha256: await sha256Hex(bytes),
    }, { status: 201, headers: { "x-echo": "yes" } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/object/a.csv`,
    close: () => server.shutdown(),
  };
}

function streamOf(chunks: number, size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === chunks) return controller.close();
      controller.enqueue(new Uint8Array(size).fill(sent % 251));
      sent += 1;
    },
  });
}

Deno.test("streamingFetch sends a stream body whole, with its method and headers, and answers as fetch", async () => {
  const server = echoServer();
  try {
    const response = await streamingFetch()(server.url, {
      method: "POST",
      headers: new Headers({ "content-type": "text/csv", authorization: "Bearer t" }),
      body: streamOf(40, 64 * 1024),
    });
    equal(response.status, 201);
    equal(response.headers.get("x-echo"), "yes");
    let sum = 0;
    for (let i = 0; i < 40; i++) sum = (sum + (i % 251) * 64 * 1024) % 65521;
    deepEqual(await response.json(), {
      method: "POST",
      contentType: "text/csv",
      authorization: "Bearer t",
      length: 40 * 64 * 1024,
      sum,
      sha256: await sha256Hex(
        new Uint8Array(await new Response(streamOf(40, 64 * 1024)).arrayBuffer()),
      ),
    });
  } finally {
    await server.close();
  }
});

Deno.test("streamingFetch sends a file's byte stream whole, read into its reused buffer", async () => {
  const server = echoServer();
  const path = await Deno.makeTempFile();
  try {
    const bytes = new Uint8Array(3 * 1024 * 1024 + 12345).map((_, i) => (i * 7 + (i >> 16)) % 256);
    await Deno.writeFile(path, bytes);
    const file = await Deno.open(path, { read: true });
    const response = await streamingFetch()(server.url, { method: "PUT", body: file.readable });
    const echoed = await response.json();
    equal(echoed.length, bytes.byteLength);
    equal(echoed.sha256, await sha256Hex(bytes), "the same bytes in the same order");
  } finally {
    await server.close();
    await Deno.remove(path);
  }
});

Deno.test("streamingFetch leaves requests without a stream body to the wrapped fetch", async () => {
  const seen: unknown[] = [];
  const base = ((input: RequestInfo | URL, init?: RequestInit) => {
    seen.push([String(input), init?.body]);
    return Promise.resolve(new Response("ok"));
  }) as typeof fetch;
  const response = await streamingFetch(base)("http://storage.test/sign", {
    method: "POST",
    body: "{}",
  });
  equal(await response.text(), "ok");
  deepEqual(seen, [["http://storage.test/sign", "{}"]]);
});

Deno.test("streamingFetch rejects when the server cannot be reached", async () => {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  let failed = false;
  try {
    await streamingFetch()(`http://127.0.0.1:${port}/x`, { method: "POST", body: streamOf(1, 8) });
  } catch {
    failed = true;
  }
  equal(failed, true);
});

Deno.test("streamingFetch rejects with the body's error when the body fails on a reused connection", async () => {
  // Deno's node:http emits neither `error` nor `close` for a request destroyed
  // on a kept-alive socket, so an upload whose build failed waited forever.
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    await req.arrayBuffer().catch(() => {});
    return new Response("{}", { status: 201 });
  });
  const url = `http://127.0.0.1:${server.addr.port}/object/a.csv`;
  try {
    const first = await streamingFetch()(url, { method: "POST", body: streamOf(1, 8) });
    equal(first.status, 201, "the first upload leaves its connection open for the next");
    await first.body?.cancel();

    const failure = new Error("the build failed");
    let fail!: (reason: unknown) => void;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(8));
        fail = (reason) => controller.error(reason);
      },
    });
    const upload = streamingFetch()(url, { method: "POST", body });
    setTimeout(() => fail(failure), 20);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      upload.then(() => "answered", (error) => error),
      new Promise((resolve) => timer = setTimeout(() => resolve("still waiting after 2 s"), 2000)),
    ]);
    clearTimeout(timer);
    equal(outcome, failure);

    const after = await streamingFetch()(url, { method: "POST", body: streamOf(1, 8) });
    equal(after.status, 201, "the next upload still works");
    await after.body?.cancel();
  } finally {
    await server.shutdown();
  }
});

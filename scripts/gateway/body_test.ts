import assert from "node:assert/strict";
import { limitBody, readBodyText } from "./body.ts";

class TooLarge extends Error {}
class TimedOut extends Error {}

const limits = (maxBytes: number, idleTimeoutMs = 1000) => ({
  maxBytes,
  idleTimeoutMs,
  tooLarge: () => new TooLarge("too large"),
  timedOut: () => new TimedOut("timed out"),
});

Deno.test("readBodyText: a body within the cap is read whole; a declared or streamed excess is refused", async () => {
  assert.equal(
    await readBodyText(new Request("http://x", { method: "POST", body: "abc" }), limits(3)),
    "abc",
  );
  await assert.rejects(
    readBodyText(new Request("http://x", { method: "POST", body: "abcd" }), limits(3)),
    TooLarge,
  );
  const streamed = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(2));
      controller.enqueue(new Uint8Array(2));
      controller.close();
    },
  });
  await assert.rejects(new Response(limitBody(streamed, limits(3))).text(), TooLarge);
});

Deno.test("limitBody: a body that stops arriving fails with the timeout error (issue 19)", async () => {
  const stalled = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("a"));
      // never closes
    },
  });
  await assert.rejects(new Response(limitBody(stalled, limits(100, 20))).text(), TimedOut);
});

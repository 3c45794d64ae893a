import { deepEqual, equal, throws } from "node:assert/strict";
import { createTokenCache } from "./token_cache.ts";

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

Deno.test("a remembered token answers until its expiry", () => {
  const time = clock();
  const cache = createTokenCache<{ sub: string }>({ now: time.now, maxAgeSeconds: 600 });
  equal(cache.get("t1"), undefined);
  cache.set("t1", { sub: "a" }, time.now() + 5_000);
  deepEqual(cache.get("t1"), { sub: "a" });
  time.advance(4_999);
  deepEqual(cache.get("t1"), { sub: "a" });
  time.advance(1);
  equal(cache.get("t1"), undefined, "expired at exp");
  equal(cache.get("t1"), undefined, "and forgotten");
});

Deno.test("an entry is trusted for at most maxAgeSeconds, even when the token lives longer", () => {
  const time = clock();
  const cache = createTokenCache<{ sub: string }>({ now: time.now, maxAgeSeconds: 60 });
  cache.set("t1", { sub: "a" }, time.now() + 3_600_000);
  time.advance(59_999);
  deepEqual(cache.get("t1"), { sub: "a" });
  time.advance(1);
  equal(cache.get("t1"), undefined);
});

Deno.test("the least recently used token goes first when the cache is full", () => {
  const time = clock();
  const cache = createTokenCache<{ sub: string }>({ now: time.now, maxEntries: 2 });
  const until = time.now() + 10_000;
  cache.set("a", { sub: "a" }, until);
  cache.set("b", { sub: "b" }, until);
  cache.get("a"); // a is now the most recently used
  cache.set("c", { sub: "c" }, until);
  equal(cache.get("b"), undefined, "b was evicted");
  deepEqual(cache.get("a"), { sub: "a" });
  deepEqual(cache.get("c"), { sub: "c" });
});

Deno.test("remembered claims are a frozen copy nobody can change", () => {
  const time = clock();
  const cache = createTokenCache<{ sub: string; app_metadata: { roles: string[] } }>({
    now: time.now,
  });
  const original = { sub: "a", app_metadata: { roles: ["x"] } };
  const stored = cache.set("t", original, time.now() + 10_000);
  original.app_metadata.roles.push("mutated later");
  deepEqual(cache.get("t"), { sub: "a", app_metadata: { roles: ["x"] } });
  throws(() => {
    (stored as { sub: string }).sub = "b";
  }, TypeError);
  throws(() => {
    (stored.app_metadata.roles as string[]).push("y");
  }, TypeError);
});

Deno.test("an already expired token or a zero-size cache stores nothing", () => {
  const time = clock();
  const cache = createTokenCache<{ sub: string }>({ now: time.now });
  cache.set("old", { sub: "a" }, time.now());
  equal(cache.get("old"), undefined);
  const none = createTokenCache<{ sub: string }>({ now: time.now, maxEntries: 0 });
  none.set("t", { sub: "a" }, time.now() + 10_000);
  equal(none.get("t"), undefined);
});

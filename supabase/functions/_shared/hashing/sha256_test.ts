import { equal } from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256 } from "./sha256.ts";

function expected(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

Deno.test("sha256 of the FIPS 180-2 examples and of nothing", () => {
  const text = (s: string) => new TextEncoder().encode(s);
  const hex = (data: Uint8Array) => {
    const hash = sha256();
    hash.update(data);
    return hash.hex();
  };
  equal(hex(text("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  equal(hex(new Uint8Array(0)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  equal(
    hex(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});

Deno.test("sha256 equals node:crypto on random inputs cut anywhere, saved and taken up as JSON between pieces", () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0);
  for (let round = 0; round < 200; round++) {
    const size = round < 130 ? round : next() % 20_000;
    const data = new Uint8Array(size);
    crypto.getRandomValues(data);
    let hash = sha256();
    let at = 0;
    while (at < size) {
      const take = Math.min(size - at, 1 + (next() % 300));
      hash.update(data.subarray(at, at + take));
      at += take;
      if (next() % 2 === 0) hash = sha256(JSON.parse(JSON.stringify(hash.save())));
    }
    equal(hash.hex(), expected(data), `input of ${size} bytes`);
  }
});

Deno.test("sha256 of 8 MiB in one update equals node:crypto", () => {
  const data = new Uint8Array(8 * 1024 * 1024);
  for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  const hash = sha256();
  hash.update(data);
  equal(hash.hex(), expected(data));
});

/**
 * SHA-256 (FIPS 180-4) whose state can be saved as JSON and taken up again
 * in another process: an export that is built across several worker
 * invocations hashes each file as it goes, and node:crypto's hashes cannot
 * be serialised. Written for speed in V8 (one reused message schedule,
 * big-endian words read by hand, no allocation per block).
 *
 * @module
 */

/** A hash in progress, as JSON: the eight words, the bytes hashed, and the unhashed tail (base64). */
export interface Sha256State {
  h: number[];
  length: number;
  tail: string;
}

const K = new Int32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);

const INITIAL = [
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
];

/** The message schedule, shared: blocks are hashed one at a time, never concurrently. */
const W = new Int32Array(64);

/** Hashes the 64-byte blocks of `data[at, end)` into `h`. */
function blocks(h: Int32Array, data: Uint8Array, at: number, end: number): void {
  let h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4], h5 = h[5], h6 = h[6], h7 = h[7];
  for (; at + 64 <= end; at += 64) {
    for (let i = 0, j = at; i < 16; i++, j += 4) {
      W[i] = (data[j] << 24) | (data[j + 1] << 16) | (data[j + 2] << 8) | data[j + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15], y = W[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, k = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (k + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + k) | 0;
  }
  h[0] = h0, h[1] = h1, h[2] = h2, h[3] = h3, h[4] = h4, h[5] = h5, h[6] = h6, h[7] = h7;
}

/** A SHA-256 being computed. */
export interface Sha256 {
  update(data: Uint8Array): void;
  /** The state to take up later with {@link sha256}; the hash goes on unchanged. */
  save(): Sha256State;
  /** The digest as lowercase hex; the hash is finished. */
  hex(): string;
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * A new hash, or one taken up from a saved state.
 *
 * @example
 * const hash = sha256();
 * hash.update(new TextEncoder().encode("ab"));
 * const saved = JSON.stringify(hash.save());
 * const later = sha256(JSON.parse(saved));
 * later.update(new TextEncoder().encode("c"));
 * later.hex(); // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
 */
export function sha256(state?: Sha256State): Sha256 {
  const h = new Int32Array(state?.h ?? INITIAL);
  const tail = new Uint8Array(64);
  let used = 0;
  let length = state?.length ?? 0;
  if (state?.tail) {
    const saved = fromBase64(state.tail);
    tail.set(saved);
    used = saved.byteLength;
  }
  let finished = false;

  return {
    update(data) {
      if (finished) throw new Error("Cannot update a finished SHA-256");
      length += data.byteLength;
      let at = 0;
      if (used > 0) {
        const take = Math.min(64 - used, data.byteLength);
        tail.set(data.subarray(0, take), used);
        used += take;
        at = take;
        if (used < 64) return;
        blocks(h, tail, 0, 64);
        used = 0;
      }
      const whole = at + Math.floor((data.byteLength - at) / 64) * 64;
      blocks(h, data, at, whole);
      tail.set(data.subarray(whole), 0);
      used = data.byteLength - whole;
    },
    save() {
      return { h: Array.from(h), length, tail: toBase64(tail.subarray(0, used)) };
    },
    hex() {
      finished = true;
      const bits = length * 8;
      const pad = new Uint8Array(used < 56 ? 64 : 128);
      pad.set(tail.subarray(0, used));
      pad[used] = 0x80;
      const view = new DataView(pad.buffer);
      view.setUint32(pad.byteLength - 8, Math.floor(bits / 2 ** 32));
      view.setUint32(pad.byteLength - 4, bits >>> 0);
      blocks(h, pad, 0, pad.byteLength);
      return Array.from(h, (word) => (word >>> 0).toString(16).padStart(8, "0")).join("");
    },
  };
}

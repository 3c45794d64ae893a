/**
 * Access tokens that passed verification, remembered. A client sends the same
 * access token with every request until it refreshes it (supabase-js does),
 * and checking a signature with WebCrypto costs a hop to a worker thread and
 * back for microseconds of work. A remembered token is only
 * checked for expiry.
 *
 * An entry lives until the token's `exp` (plus the verifier's leeway) or for
 * at most `maxAgeSeconds`, whichever comes first, so a key that is rotated
 * out stops being trusted within that time; when full, the least recently
 * used entry goes. Only tokens that passed every check are stored, and their
 * claims are frozen, since every request that sends the token shares them.
 *
 * @module
 */

/** Options for {@link createTokenCache}. */
export interface TokenCacheOptions {
  /** Most tokens kept; default 1000. */
  maxEntries?: number;
  /** Longest an entry is trusted, in seconds; default 60. */
  maxAgeSeconds?: number;
  /** The clock in milliseconds; default `Date.now`. */
  now?: () => number;
}

/** Verified tokens and their claims. */
export interface TokenCache<C extends object> {
  /** The claims of a remembered, unexpired token. */
  get(token: string): Readonly<C> | undefined;
  /** Remembers a verified token until `expiresAtMs` (or the maximum age). */
  set(token: string, claims: C, expiresAtMs: number): Readonly<C>;
}

/**
 * Creates an empty cache.
 *
 * @example
 * const cache = createTokenCache<VerifiedClaims>({ maxEntries: 1000, maxAgeSeconds: 60 });
 * const claims = cache.get(token) ?? cache.set(token, await verifyFully(token), exp * 1000);
 */
export function createTokenCache<C extends object>(
  options: TokenCacheOptions = {},
): TokenCache<C> {
  const maxEntries = options.maxEntries ?? 1000;
  const maxAgeMs = (options.maxAgeSeconds ?? 60) * 1000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { claims: Readonly<C>; until: number }>();

  return {
    get(token) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      entries.delete(token);
      if (now() >= entry.until) return undefined;
      entries.set(token, entry); // most recently used last
      return entry.claims;
    },
    set(token, claims, expiresAtMs) {
      const frozen = deepFreeze(structuredClone(claims));
      const until = Math.min(expiresAtMs, now() + maxAgeMs);
      if (maxEntries <= 0 || until <= now()) return frozen;
      entries.delete(token);
      entries.set(token, { claims: frozen, until });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return frozen;
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

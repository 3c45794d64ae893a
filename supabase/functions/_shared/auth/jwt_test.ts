import assert from "node:assert/strict";
import { Hono } from "hono";
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  type JWTVerifyGetKey,
  SignJWT,
} from "jose";
import type { LabEnv } from "../http/context.ts";
import { bearerToken, createJwtVerifier, type JwtVerifier, requireUser } from "./jwt.ts";
import { errorHandler } from "../http/error_handler.ts";
import { HttpError } from "../errors.ts";

const SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
const USER_ID = "8d0fd2b3-9ca7-4d9e-a95f-9e13dded323e";
const now = () => Math.floor(Date.now() / 1000);

function userClaims(extra: JWTPayload = {}): JWTPayload {
  return {
    sub: USER_ID,
    aud: "authenticated",
    role: "authenticated",
    email: "ada@example.com",
    session_id: "5b9b5c4e-6f60-4c5a-a9a4-3b4c1f2f8f52",
    is_anonymous: false,
    iat: now(),
    exp: now() + 3600,
    ...extra,
  };
}

function signHs256(claims: JWTPayload, secret = SECRET): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
}

const b64url = (value: string) =>
  btoa(value).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");

function unsignedToken(header: object, claims: object): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}.`;
}

async function asymmetricKeys(alg: "ES256" | "RS256") {
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
  });
  const jwk = {
    ...(await exportJWK(publicKey)),
    kid: `${alg}-key`,
    alg,
    use: "sig",
  };
  const sign = (claims: JWTPayload) =>
    new SignJWT(claims).setProtectedHeader({ alg, kid: jwk.kid, typ: "JWT" })
      .sign(privateKey);
  return { jwks: { keys: [jwk] }, sign };
}

async function verifyError(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error("Expected an HttpError");
}

async function assertCode(
  promise: Promise<unknown>,
  status: number,
  code: string,
) {
  const error = await verifyError(promise);
  assert.equal(error.code, code, error.message);
  assert.equal(error.status, status);
  assert.match(error.message, /^Invalid token: |^Cannot verify token: /);
}

Deno.test("verify accepts an HS256 user token and returns its claims", async () => {
  const verifier = createJwtVerifier({ secret: SECRET });
  const claims = await verifier.verify(await signHs256(userClaims()));
  assert.equal(claims.sub, USER_ID);
  assert.equal(claims.role, "authenticated");
  assert.equal(claims.email, "ada@example.com");
});

Deno.test("verify accepts ES256 and RS256 tokens from an injected key set", async () => {
  for (const alg of ["ES256", "RS256"] as const) {
    const keys = await asymmetricKeys(alg);
    const verifier = createJwtVerifier({ jwks: createLocalJWKSet(keys.jwks) });
    const claims = await verifier.verify(await keys.sign(userClaims()));
    assert.equal(claims.sub, USER_ID, alg);
  }
});

Deno.test("verify fetches the JWKS from jwksUrl", async () => {
  const keys = await asymmetricKeys("ES256");
  let fetches = 0;
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => {
      fetches++;
      return Response.json(keys.jwks);
    },
  );
  try {
    const url = `http://127.0.0.1:${server.addr.port}/auth/v1/.well-known/jwks.json`;
    const verifier = createJwtVerifier({ jwksUrl: url });
    assert.equal(
      (await verifier.verify(await keys.sign(userClaims()))).sub,
      USER_ID,
    );
    assert.equal(
      (await verifier.verify(await keys.sign(userClaims()))).sub,
      USER_ID,
    );
    assert.equal(fetches, 1, "the key set is cached");
  } finally {
    await server.shutdown();
  }
});

Deno.test("verify answers 503 jwks_unavailable when the JWKS cannot be fetched", async () => {
  const keys = await asymmetricKeys("ES256");
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => new Response("down", { status: 500 }),
  );
  try {
    const verifier = createJwtVerifier({
      jwksUrl: `http://127.0.0.1:${server.addr.port}/jwks`,
    });
    await assertCode(
      verifier.verify(await keys.sign(userClaims())),
      503,
      "jwks_unavailable",
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("verify rejects a token signed with the wrong secret as invalid_signature", async () => {
  const verifier = createJwtVerifier({ secret: SECRET });
  const forged = await signHs256(
    userClaims(),
    "another-secret-that-is-also-32-chars-long!!",
  );
  await assertCode(verifier.verify(forged), 401, "invalid_signature");
});

Deno.test("verify rejects an ES256 token signed by an unknown key as invalid_signature", async () => {
  const known = await asymmetricKeys("ES256");
  const stranger = await asymmetricKeys("ES256");
  const verifier = createJwtVerifier({ jwks: createLocalJWKSet(known.jwks) });
  await assertCode(
    verifier.verify(await stranger.sign(userClaims())),
    401,
    "invalid_signature",
  );
});

Deno.test("verify rejects alg none and other algorithms as unsupported_algorithm", async () => {
  const verifier = createJwtVerifier({ secret: SECRET });
  const none = unsignedToken({ alg: "none", typ: "JWT" }, userClaims());
  await assertCode(verifier.verify(none), 401, "unsupported_algorithm");
  const hs512 = await new SignJWT(userClaims())
    .setProtectedHeader({ alg: "HS512" })
    .sign(new TextEncoder().encode(SECRET));
  await assertCode(verifier.verify(hs512), 401, "unsupported_algorithm");
  const keys = await asymmetricKeys("ES256");
  await assertCode(
    verifier.verify(await keys.sign(userClaims())),
    401,
    "unsupported_algorithm",
  );
});

Deno.test("verify does not accept HS256 when only a key set is configured", async () => {
  const keys = await asymmetricKeys("RS256");
  const verifier = createJwtVerifier({ jwks: createLocalJWKSet(keys.jwks) });
  await assertCode(
    verifier.verify(await signHs256(userClaims())),
    401,
    "unsupported_algorithm",
  );
});

Deno.test("verify rejects tokens that are not JWS as malformed_token", async () => {
  const verifier = createJwtVerifier({ secret: SECRET });
  const valid = await signHs256(userClaims());
  const [header, , signature] = valid.split(".");
  const malformed = [
    "not-a-token",
    "a.b",
    "a.b.c.d",
    `${header}.%%%notbase64%%%.${signature}`,
    `${header}.${b64url("not json")}.${signature}`,
    `${header}.${b64url("[1,2]")}.${signature}`,
    `${b64url("{oops")}.${b64url("{}")}.${signature}`,
    `${b64url(JSON.stringify({ typ: "JWT" }))}.${b64url("{}")}.${signature}`,
  ];
  for (const token of malformed) {
    await assertCode(verifier.verify(token), 401, "malformed_token");
  }
});

Deno.test("verify rejects expired and not-yet-valid tokens, honouring the clock tolerance", async () => {
  const strict = createJwtVerifier({ secret: SECRET });
  const expired = await signHs256(
    userClaims({ iat: now() - 7200, exp: now() - 30 }),
  );
  await assertCode(strict.verify(expired), 401, "token_expired");
  const early = await signHs256(userClaims({ nbf: now() + 30 }));
  await assertCode(strict.verify(early), 401, "token_not_yet_valid");
  const lenient = createJwtVerifier({
    secret: SECRET,
    clockToleranceSeconds: 120,
  });
  assert.equal((await lenient.verify(expired)).sub, USER_ID);
  assert.equal((await lenient.verify(early)).sub, USER_ID);
});

Deno.test("verify requires an exp claim", async () => {
  const verifier = createJwtVerifier({ secret: SECRET });
  const { exp: _exp, ...withoutExp } = userClaims();
  await assertCode(
    verifier.verify(await signHs256(withoutExp)),
    401,
    "invalid_claims",
  );
});

Deno.test("verify rejects a token for another audience as invalid_audience", async () => {
  const verifier = createJwtVerifier({ secret: SECRET });
  for (const aud of ["other-project", ["a", "b"]]) {
    await assertCode(
      verifier.verify(await signHs256(userClaims({ aud }))),
      401,
      "invalid_audience",
    );
  }
  const custom = createJwtVerifier({ secret: SECRET, audience: "lab" });
  await assertCode(
    custom.verify(await signHs256(userClaims())),
    401,
    "invalid_audience",
  );
  assert.equal(
    (await verifier.verify(
      await signHs256(userClaims({ aud: ["x", "authenticated"] })),
    )).sub,
    USER_ID,
  );
});

Deno.test("verify checks the issuer when one is configured", async () => {
  const verifier = createJwtVerifier({
    secret: SECRET,
    issuer: "http://127.0.0.1:54321/auth/v1",
  });
  await assertCode(
    verifier.verify(await signHs256(userClaims({ iss: "evil" }))),
    401,
    "invalid_issuer",
  );
});

/** A key set that counts how often jose asks it for a key, i.e. how often a signature is checked. */
function countingKeySet(jwks: Parameters<typeof createLocalJWKSet>[0]) {
  const local = createLocalJWKSet(jwks);
  const counter = {
    checks: 0,
    keys: ((header, token) => {
      counter.checks++;
      return local(header, token);
    }) as JWTVerifyGetKey,
  };
  return counter;
}

Deno.test("verify checks a token's signature once and then remembers it, frozen", async () => {
  const keys = await asymmetricKeys("ES256");
  const counter = countingKeySet(keys.jwks);
  const verifier = createJwtVerifier({ jwks: counter.keys });
  const token = await keys.sign(userClaims());
  const first = await verifier.verify(token);
  const second = await verifier.verify(token);
  assert.equal(counter.checks, 1, "the second request with the same token is not verified again");
  assert.deepEqual(second, first);
  assert.equal(second.sub, USER_ID);
  assert.throws(() => {
    (second as { sub?: string }).sub = "someone-else";
  }, TypeError);
  await verifier.verify(await keys.sign(userClaims({ session_id: "another" })));
  assert.equal(counter.checks, 2, "another token is verified");
});

Deno.test("verify never remembers a rejected token", async () => {
  const keys = await asymmetricKeys("ES256");
  const counter = countingKeySet(keys.jwks);
  const verifier = createJwtVerifier({ jwks: counter.keys });
  const wrongAudience = await keys.sign(userClaims({ aud: "elsewhere" }));
  for (let i = 0; i < 2; i++) {
    assert.equal((await verifyError(verifier.verify(wrongAudience))).code, "invalid_audience");
  }
  assert.equal(counter.checks, 2);
});

Deno.test("verify remembers a token only until its exp, and not at all with cache: false", async () => {
  const keys = await asymmetricKeys("ES256");
  let clock = Date.now();
  const counter = countingKeySet(keys.jwks);
  const verifier = createJwtVerifier({ jwks: counter.keys, cache: { now: () => clock } });
  const token = await keys.sign(userClaims({ exp: now() + 30 }));
  await verifier.verify(token);
  clock += 31_000; // past exp: the cache lets go, and the real check runs again
  await verifier.verify(token);
  assert.equal(counter.checks, 2);

  const uncached = countingKeySet(keys.jwks);
  const everyTime = createJwtVerifier({ jwks: uncached.keys, cache: false });
  await everyTime.verify(token);
  await everyTime.verify(token);
  assert.equal(uncached.checks, 2);
});

Deno.test("createJwtVerifier needs a key source and a long enough secret", () => {
  assert.throws(
    () => createJwtVerifier({}),
    /Cannot create JWT verifier: pass a secret/,
  );
  assert.throws(
    () => createJwtVerifier({ secret: "short" }),
    /at least 32 characters/,
  );
});

Deno.test("bearerToken extracts the token or throws missing_token", () => {
  assert.equal(bearerToken("Bearer abc.def.ghi"), "abc.def.ghi");
  assert.equal(bearerToken("bearer   abc"), "abc");
  for (
    const header of [
      undefined,
      "",
      "Bearer",
      "Bearer ",
      "Basic abc",
      "Bearer a b",
    ]
  ) {
    assert.throws(
      () => bearerToken(header),
      (error: unknown) =>
        error instanceof HttpError && error.code === "missing_token" &&
        error.status === 401,
      String(header),
    );
  }
});

function protectedApp(verifier: JwtVerifier) {
  const app = new Hono<LabEnv>();
  app.use("*", async (c, next) => {
    c.set("correlationId", crypto.randomUUID());
    await next();
  });
  app.onError(errorHandler());
  app.get(
    "/me",
    requireUser({ verifier }),
    (c) => c.json(c.get("caller") ?? null),
  );
  return app;
}

async function errorCode(response: Response): Promise<string> {
  const body = await response.json();
  return body.error.code;
}

Deno.test("requireUser sets the caller with the user id, the full claims and the correlation id", async () => {
  const app = protectedApp(createJwtVerifier({ secret: SECRET }));
  const response = await app.request("/me", {
    headers: {
      authorization: `Bearer ${await signHs256(userClaims({ custom: 1 }))}`,
    },
  });
  assert.equal(response.status, 200);
  const user = await response.json();
  assert.equal(user.userId, USER_ID);
  assert.equal(user.claims.email, "ada@example.com");
  assert.match(user.correlationId, /^[0-9a-f-]{36}$/);
  assert.equal(user.claims.role, "authenticated");
  assert.equal(user.claims.custom, 1);
  assert.equal(user.claims.session_id, "5b9b5c4e-6f60-4c5a-a9a4-3b4c1f2f8f52");
});

Deno.test("requireUser answers 401 with a distinct code and www-authenticate", async () => {
  const app = protectedApp(createJwtVerifier({ secret: SECRET }));
  const missing = await app.request("/me");
  assert.equal(missing.status, 401);
  assert.equal(missing.headers.get("www-authenticate"), "Bearer");
  assert.equal(await errorCode(missing), "missing_token");
  const expired = await app.request("/me", {
    headers: {
      authorization: `Bearer ${await signHs256(
        userClaims({ exp: now() - 10 }),
      )}`,
    },
  });
  assert.equal(expired.status, 401);
  assert.equal(
    expired.headers.get("www-authenticate"),
    'Bearer error="invalid_token"',
  );
  assert.equal(await errorCode(expired), "token_expired");
});

Deno.test("requireUser answers 403 user_token_required for anon and service keys", async () => {
  const app = protectedApp(createJwtVerifier({ secret: SECRET }));
  const legacyAnon = {
    iss: "supabase",
    ref: "abc",
    role: "anon",
    iat: now(),
    exp: now() + 60,
  };
  const tokens = [
    await signHs256(legacyAnon),
    await signHs256({ ...legacyAnon, role: "service_role" }),
    await signHs256(userClaims({ role: "anon" })),
    await signHs256(userClaims({ role: "service_role" })),
    await signHs256(userClaims({ sub: "not-a-uuid" })),
    await signHs256(userClaims({ aud: undefined })),
  ];
  for (const token of tokens) {
    const response = await app.request("/me", {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 403);
    assert.equal(await errorCode(response), "user_token_required");
  }
});

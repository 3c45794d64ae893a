import assert from "node:assert/strict";
import { z } from "zod";
import { baseEnvSchema, EnvError, jwksUrl, positiveInt, readEnv } from "./env.ts";

const minimal = {
  SUPABASE_URL: "http://127.0.0.1:54321",
  SUPABASE_DB_URL: "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
};

function envError(fn: () => unknown): EnvError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EnvError) return error;
    throw error;
  }
  throw new Error("Expected an EnvError");
}

Deno.test("readEnv applies the defaults of the base schema", () => {
  const env = readEnv(baseEnvSchema, minimal);
  assert.equal(env.SUPABASE_URL, minimal.SUPABASE_URL);
  assert.equal(env.LAB_ALLOWED_ORIGINS, "*");
  assert.equal(env.LAB_MAX_BODY_BYTES, 1_048_576);
  assert.equal(env.LAB_DB_POOL_SIZE, 5);
  assert.equal(env.SUPABASE_JWT_SECRET, undefined);
});

Deno.test("readEnv leaves Server-Timing off unless LAB_SERVER_TIMING is true", () => {
  assert.equal(readEnv(baseEnvSchema, minimal).LAB_SERVER_TIMING, false);
  assert.equal(
    readEnv(baseEnvSchema, { ...minimal, LAB_SERVER_TIMING: "true" }).LAB_SERVER_TIMING,
    true,
  );
  assert.match(
    envError(() => readEnv(baseEnvSchema, { ...minimal, LAB_SERVER_TIMING: "yes" })).message,
    /LAB_SERVER_TIMING/,
  );
});

Deno.test("readEnv coerces integers and parses the origin list", () => {
  const env = readEnv(baseEnvSchema, {
    ...minimal,
    LAB_MAX_BODY_BYTES: "2048",
    LAB_DB_POOL_SIZE: "12",
    LAB_ALLOWED_ORIGINS: "https://lab.example.com, http://localhost:3000",
  });
  assert.equal(env.LAB_MAX_BODY_BYTES, 2048);
  assert.equal(env.LAB_DB_POOL_SIZE, 12);
  assert.deepEqual(env.LAB_ALLOWED_ORIGINS, [
    "https://lab.example.com",
    "http://localhost:3000",
  ]);
  assert.equal(
    readEnv(baseEnvSchema, { ...minimal, LAB_ALLOWED_ORIGINS: "*" })
      .LAB_ALLOWED_ORIGINS,
    "*",
  );
});

Deno.test("readEnv lists every problem and never prints a value", () => {
  const secret = "short-secret-value";
  const error = envError(() =>
    readEnv(
      baseEnvSchema.extend({ LAB_RATE_LIMIT_PER_MINUTE: positiveInt(30) }),
      {
        SUPABASE_URL: "not a url",
        SUPABASE_JWT_SECRET: secret,
        LAB_RATE_LIMIT_PER_MINUTE: "-3",
        LAB_DB_POOL_SIZE: "2.5",
        LAB_ALLOWED_ORIGINS: "https://ok.example.com,ftp:/nope",
      },
    )
  );
  assert.equal(error.name, "EnvError");
  assert.match(error.message, /^Invalid environment: /);
  assert.deepEqual(error.problems.toSorted(), [
    'LAB_ALLOWED_ORIGINS must be "*" or a comma-separated list of origins',
    "LAB_DB_POOL_SIZE must be a positive integer",
    "LAB_RATE_LIMIT_PER_MINUTE must be a positive integer",
    "SUPABASE_DB_URL is required",
    "SUPABASE_JWT_SECRET must be at least 32 characters",
    "SUPABASE_URL must be an http(s) URL",
  ]);
  assert.ok(!error.message.includes(secret));
  assert.ok(!error.message.includes("not a url"));
});

Deno.test("readEnv treats an empty variable as missing", () => {
  const error = envError(() => readEnv(baseEnvSchema, { ...minimal, SUPABASE_DB_URL: "" }));
  assert.equal(
    error.message,
    "Invalid environment: SUPABASE_DB_URL is required",
  );
});

Deno.test("readEnv wraps zod's own message for fields without a custom one", () => {
  const schema = baseEnvSchema.extend({
    LAB_MODEL: z.enum(["gpt-4o", "gpt-4o-mini"]),
  });
  const error = envError(() => readEnv(schema, { ...minimal, LAB_MODEL: "secret-model" }));
  assert.match(error.message, /^Invalid environment: LAB_MODEL is invalid \(/);
  assert.ok(!error.message.includes("secret-model"));
});

Deno.test("readEnv reads Deno.env by default", () => {
  const saved = Object.fromEntries(
    Object.keys(minimal).map((key) => [key, Deno.env.get(key)]),
  );
  for (const [key, value] of Object.entries(minimal)) Deno.env.set(key, value);
  try {
    assert.equal(
      readEnv(baseEnvSchema).SUPABASE_DB_URL,
      minimal.SUPABASE_DB_URL,
    );
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) Deno.env.delete(key);
      else Deno.env.set(key, value);
    }
  }
});

Deno.test("jwksUrl points at the auth JWKS endpoint", () => {
  assert.equal(
    jwksUrl("https://abc.supabase.co"),
    "https://abc.supabase.co/auth/v1/.well-known/jwks.json",
  );
  assert.equal(
    jwksUrl("http://127.0.0.1:54321/"),
    "http://127.0.0.1:54321/auth/v1/.well-known/jwks.json",
  );
});

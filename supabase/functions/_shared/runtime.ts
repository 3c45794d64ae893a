/**
 * What every function needs at run time, built once from the validated
 * environment: the database pool, the JWT verifier, and the pipeline's
 * callbacks (telemetry rows and failure audits). Each function describes
 * itself as a {@link FunctionModule}; `index.ts` starts it with
 * {@link startFunction}, and the local gateway and tests do the same with an
 * environment of their own.
 *
 * @module
 */
import type { Hono } from "hono";
import type { z } from "zod";
import { createJwtVerifier, type JwtVerifier } from "./auth/jwt.ts";
import { failureRecorder } from "./db/audit.ts";
import { createDatabase, type Database } from "./db/client.ts";
import { type BaseEnv, jwksUrl, readEnv } from "./env.ts";
import type { FunctionAppDeps } from "./http/app.ts";
import type { LabEnv } from "./http/context.ts";
import { metricRecorder } from "./db/telemetry_sink.ts";

/** Shared dependencies of the lab's functions. */
export interface Runtime<E extends BaseEnv = BaseEnv> {
  env: E;
  db: Database;
  verifier: JwtVerifier;
  /** What `createFunctionApp` needs. */
  appDeps: FunctionAppDeps;
}

/**
 * Builds the runtime. Tokens are verified with SUPABASE_JWT_SECRET (HS256)
 * when it is set, and with the project's JWKS (ES256/RS256) in every case.
 *
 * @example
 * const runtime = createRuntime(readEnv(baseEnvSchema));
 */
export function createRuntime<E extends BaseEnv>(
  env: E,
  options: { db?: Database } = {},
): Runtime<E> {
  const db = options.db ?? createDatabase(env.SUPABASE_DB_URL, { max: env.LAB_DB_POOL_SIZE });
  const verifier = createJwtVerifier({
    secret: env.SUPABASE_JWT_SECRET,
    jwksUrl: jwksUrl(env.SUPABASE_URL),
  });
  return {
    env,
    db,
    verifier,
    appDeps: {
      allowedOrigins: env.LAB_ALLOWED_ORIGINS,
      recordMetric: metricRecorder(db),
      onFailure: failureRecorder(db),
      serverTiming: env.LAB_SERVER_TIMING,
    },
  };
}

/** A lab function: the environment it needs and how to build its app. */
export interface FunctionModule<E extends BaseEnv> {
  name: string;
  /** `baseEnvSchema`, or an extension of it, that parses to `E`. */
  envSchema: z.ZodObject & z.ZodType<E>;
  createApp(runtime: Runtime<E>): Hono<LabEnv>;
}

/** A started function: its app and the runtime to close. */
export interface StartedFunction {
  app: Hono<LabEnv>;
  runtime: Runtime;
  /** Closes the database pool. */
  close(): Promise<void>;
}

/**
 * Validates the environment (failing loudly on anything missing) and builds
 * the function's app.
 *
 * @example
 * Deno.serve(startFunction(calibration).app.fetch);
 */
export function startFunction<E extends BaseEnv>(
  module: FunctionModule<E>,
  source: Record<string, string | undefined> = Deno.env.toObject(),
): StartedFunction {
  const runtime = createRuntime<E>(readEnv(module.envSchema, source));
  return { app: module.createApp(runtime), runtime, close: () => runtime.db.end() };
}

/**
 * LOCAL STACK: what every Storage API stand-in route shares — the pool, the
 * secrets, the data directory — and how a route learns who is calling.
 *
 * @module
 */
import type postgres from "postgres";
import { STORAGE_ERRORS } from "./errors.ts";
import { type Caller, callerFromClaims } from "./store.ts";
import { verifyBearer } from "./tokens.ts";
import { type BodyLimits, readBodyText } from "../body.ts";

/** Shared state of one Storage API stand-in. */
export interface StorageContext {
  sql: postgres.Sql;
  jwtSecret: string;
  signingSecret: string;
  rootDir: string;
  /** The global upload limit in bytes (config.toml `[storage] file_size_limit`). */
  fileSizeLimit: number;
  /** Longest wait for the next chunk of a request body, in milliseconds. */
  bodyIdleTimeoutMs: number;
}

/** Fastify's default body limit, which Storage keeps for its JSON routes. */
const JSON_BODY_LIMIT = 1024 * 1024;

const BEARER = /^Bearer\s+/i;

/**
 * The verified caller of a request. Storage reads only `Authorization` (an
 * `apikey` alone is refused by its header schema, as recorded: U11, U12); a
 * bad token is AccessDenied with the verifier's message.
 *
 * @example
 * const caller = await authenticate(ctx, request);
 */
export async function authenticate(ctx: StorageContext, request: Request): Promise<Caller> {
  const authorization = request.headers.get("authorization");
  if (authorization === null) throw STORAGE_ERRORS.missingAuthorization();
  const claims = await verifyBearer(authorization.replace(BEARER, "").trim(), ctx.jwtSecret);
  return callerFromClaims(claims);
}

/** The limits for a JSON body: Fastify's 1 MiB. */
export function bodyLimits(ctx: StorageContext): BodyLimits {
  return {
    maxBytes: JSON_BODY_LIMIT,
    idleTimeoutMs: ctx.bodyIdleTimeoutMs,
    tooLarge: STORAGE_ERRORS.bodyTooLarge,
    timedOut: STORAGE_ERRORS.requestTimeout,
  };
}

/** The limits for an uploaded file: the bucket's size limit, answered as EntityTooLarge. */
export function uploadLimits(ctx: StorageContext, maxBytes: number): BodyLimits {
  return { ...bodyLimits(ctx), maxBytes, tooLarge: STORAGE_ERRORS.entityTooLarge };
}

/**
 * The request's JSON object body, or Storage's validation failure when it is
 * missing or not an object.
 */
export async function readJsonObject(
  ctx: StorageContext,
  request: Request,
): Promise<Record<string, unknown>> {
  const text = await readBodyText(request, bodyLimits(ctx));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw STORAGE_ERRORS.validation("body must be object");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw STORAGE_ERRORS.validation("body must be object");
  }
  return parsed as Record<string, unknown>;
}

/**
 * `expiresIn` as Storage's schema accepts it: an integer of at least 1
 * (seconds); Fastify coerces a numeric string, as recorded (S07).
 */
export function readExpiresIn(body: Record<string, unknown>): number {
  const raw = body.expiresIn;
  if (raw === undefined) {
    throw STORAGE_ERRORS.validation("body must have required property 'expiresIn'");
  }
  const value = typeof raw === "string" && /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw STORAGE_ERRORS.validation("body/expiresIn must be integer");
  }
  if (value < 1) throw STORAGE_ERRORS.validation("body/expiresIn must be >= 1");
  return value;
}

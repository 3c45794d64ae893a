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

/** Shared state of one Storage API stand-in. */
export interface StorageContext {
  sql: postgres.Sql;
  jwtSecret: string;
  signingSecret: string;
  rootDir: string;
  /** The global upload limit in bytes (config.toml `[storage] file_size_limit`). */
  fileSizeLimit: number;
}

const BEARER = /^Bearer\s+/i;

/**
 * The verified caller of a request. The token comes from `Authorization`; when
 * that header is absent a JWT `apikey` stands in for it, as the API gateway
 * does for legacy keys. A missing or bad token is AccessDenied with the
 * verifier's message ("jwt must be provided", "invalid signature", ...).
 *
 * @example
 * const caller = await authenticate(ctx, request);
 */
export async function authenticate(ctx: StorageContext, request: Request): Promise<Caller> {
  const authorization = request.headers.get("authorization");
  const apikey = request.headers.get("apikey");
  const token = authorization !== null
    ? authorization.replace(BEARER, "")
    : apikey && apikey.split(".").length === 3
    ? apikey
    : "";
  const claims = await verifyBearer(token.trim(), ctx.jwtSecret);
  return callerFromClaims(claims);
}

/**
 * The request's JSON object body, or Storage's validation failure when it is
 * missing or not an object.
 */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await request.text());
  } catch {
    throw STORAGE_ERRORS.validation("body must be object");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw STORAGE_ERRORS.validation("body must be object");
  }
  return parsed as Record<string, unknown>;
}

/** `expiresIn` as Storage's schema accepts it: an integer of at least 1 (seconds). */
export function readExpiresIn(body: Record<string, unknown>): number {
  const value = body.expiresIn;
  if (value === undefined) {
    throw STORAGE_ERRORS.validation("body must have required property 'expiresIn'");
  }
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw STORAGE_ERRORS.validation("body/expiresIn must be integer");
  }
  if (value < 1) throw STORAGE_ERRORS.validation("body/expiresIn must be >= 1");
  return value;
}

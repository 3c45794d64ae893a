/**
 * Request validation with zod: a JSON body read with a byte cap, and the
 * query string. Failures are {@link HttpError}s naming the first bad field.
 *
 * @module
 */
import type { Context } from "hono";
import type { z } from "zod";
import { HttpError } from "../errors.ts";

/** One validation problem, as sent in `error.details`. */
export interface ValidationIssue {
  /** Dotted path of the field, e.g. `parameters.temperature` or `items[0]`. */
  path: string;
  message: string;
}

/** Options for {@link parseJsonBody}. */
export interface JsonBodyOptions {
  /** Largest accepted body in bytes; default 1 MiB (env `LAB_MAX_BODY_BYTES`). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 1_048_576;

/**
 * Reads the JSON body (at most `maxBytes`, whatever Content-Length claims)
 * and parses it with `schema`.
 *
 * @throws {HttpError} 415 `unsupported_media_type`, 413 `payload_too_large`,
 *   400 `invalid_json` or 400 `validation_failed` (also for text PostgreSQL
 *   cannot store: NUL, lone surrogates).
 *
 * @example
 * ```ts
 * const input = await parseJsonBody(c, generateRequestSchema, { maxBytes: env.LAB_MAX_BODY_BYTES });
 * input.prompt; // string
 * ```
 */
export async function parseJsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
  options: JsonBodyOptions = {},
): Promise<z.infer<S>> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0].trim()
    .toLowerCase();
  if (mediaType !== "application/json") {
    throw new HttpError(
      415,
      "Unsupported content type: expected application/json",
    );
  }
  const declared = Number(c.req.header("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw tooLarge(maxBytes);
  }
  const bytes = await readCapped(c.req.raw.body, maxBytes);
  let value: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    if (text.trim() === "") throw new SyntaxError("empty body");
    value = JSON.parse(text);
  } catch {
    throw new HttpError(
      400,
      "Cannot parse request body: the body is not valid JSON",
      {
        code: "invalid_json",
      },
    );
  }
  checkStorable(value);
  return validate(schema, value, "request body");
}

/** Deepest nesting of arrays and objects a body may have; the lab's own bodies need 3. */
export const MAX_BODY_DEPTH = 32;

/** True for text with NUL or a UTF-16 surrogate without its other half (`"\ud800"` in JSON). */
function unstorableText(text: string): boolean {
  return text.includes("\0") || !text.isWellFormed();
}

/**
 * Refuses a body PostgreSQL could not store or the lab should not walk:
 * text (keys included) with NUL or a lone surrogate, which text and jsonb
 * reject, and nesting deeper than {@link MAX_BODY_DEPTH}. Checked before the
 * schema, so nothing downstream (a model call, a rate-limit slot) ever sees it.
 */
function checkStorable(value: unknown): void {
  const pending: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === "string") {
      if (unstorableText(current)) throw unstorable(path);
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    if (path.length >= MAX_BODY_DEPTH) {
      throw new HttpError(
        400,
        `Cannot parse request body: nested deeper than ${MAX_BODY_DEPTH} levels`,
        { code: "validation_failed", details: [{ path: formatPath(path), message: "Too deep" }] },
      );
    }
    for (const [key, child] of Object.entries(current)) {
      if (unstorableText(key)) throw unstorable(path);
      pending.push({ value: child, path: [...path, Array.isArray(current) ? Number(key) : key] });
    }
  }
}

function unstorable(path: (string | number)[]): HttpError {
  const field = path.length === 0 ? "the body" : `"${formatPath(path)}"`;
  return new HttpError(
    400,
    `Cannot parse request body: ${field} contains a NUL character or an unpaired surrogate`,
    {
      code: "validation_failed",
      details: [{ path: formatPath(path), message: "Contains text that cannot be stored" }],
    },
  );
}

/**
 * Parses the query string (first value of each key) with `schema`; use
 * `z.coerce` for numbers.
 *
 * @throws {HttpError} 400 `validation_failed`.
 *
 * @example
 * ```ts
 * const { limit } = parseQuery(c, z.object({ limit: z.coerce.number().int().max(100).default(20) }));
 * ```
 */
export function parseQuery<S extends z.ZodType>(
  c: Context,
  schema: S,
): z.infer<S> {
  return validate(schema, c.req.query(), "query");
}

/**
 * Parses the route's path parameters with `schema`.
 *
 * @throws {HttpError} 400 `validation_failed`.
 *
 * @example
 * ```ts
 * app.get("/:id", (c) => {
 *   const { id } = parseParams(c, z.object({ id: z.uuid() }));
 * });
 * ```
 */
export function parseParams<S extends z.ZodType>(
  c: Context,
  schema: S,
): z.infer<S> {
  return validate(schema, c.req.param(), "path");
}

function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details: ValidationIssue[] = result.error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
  }));
  const first = result.error.issues[0];
  const field = formatPath(first.path);
  const missing = first.path.length > 0 &&
    valueAt(value, first.path) === undefined;
  const problem = first.path.length === 0
    ? lowerFirst(first.message)
    : missing
    ? `"${field}" is required`
    : `"${field}" is invalid (${lowerFirst(first.message)})`;
  throw new HttpError(400, `Cannot parse ${what}: ${problem}`, {
    code: "validation_failed",
    details,
  });
}

/** `["items", 0, "name"]` -> `items[0].name`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === "number") return `${out}[${key}]`;
    return out === "" ? String(key) : `${out}.${String(key)}`;
  }, "");
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(
    413,
    `Request body is too large: the limit is ${maxBytes} bytes`,
  );
}

async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Environment read and validated once, at start. A missing or malformed
 * variable fails loudly with every problem listed and no value printed.
 *
 * @module
 */
import { z } from "zod";

/** Thrown by {@link readEnv}; its message lists every problem, never a value. */
export class EnvError extends Error {
  /** One entry per problem, e.g. `SUPABASE_DB_URL is required`. */
  readonly problems: string[];

  /** @param problems one sentence fragment per invalid variable. */
  constructor(problems: string[]) {
    super(`Invalid environment: ${problems.join("; ")}`);
    this.name = "EnvError";
    this.problems = problems;
  }
}

/**
 * A zod schema for a positive integer read from a string, with a default.
 *
 * @example
 * ```ts
 * const schema = baseEnvSchema.extend({ LAB_RATE_LIMIT_PER_MINUTE: positiveInt(30) });
 * ```
 */
export function positiveInt(defaultValue: number) {
  const error = "must be a positive integer";
  return z.coerce.number({ error }).int({ error }).positive({ error }).default(
    defaultValue,
  );
}

/** `"*"` or a comma-separated list of origins (`https://app.example.com`). */
function parseOrigins(raw: string): string[] | "*" {
  const items = raw.split(",").map((item) => item.trim()).filter((item) => item !== "");
  if (items.length === 0 || items.includes("*")) return "*";
  return items;
}

function isOrigin(value: string): boolean {
  return URL.canParse(value) && new URL(value).origin === value;
}

const originsSchema = z
  .string()
  .default("*")
  .transform(parseOrigins)
  .refine((origins) => origins === "*" || origins.every(isOrigin), {
    error: 'must be "*" or a comma-separated list of origins',
  });

/**
 * The variables every lab function needs. Functions extend it.
 *
 * @example
 * ```ts
 * const env = readEnv(baseEnvSchema.extend({ OPENAI_API_KEY: z.string().min(1) }));
 * ```
 */
export const baseEnvSchema = z.object({
  SUPABASE_URL: z.url({
    error: "must be an http(s) URL",
    protocol: /^https?$/,
  }),
  SUPABASE_DB_URL: z.string().min(1),
  SUPABASE_JWT_SECRET: z
    .string()
    .min(32, { error: "must be at least 32 characters" })
    .optional(),
  SUPABASE_ANON_KEY: z.string().optional(),
  LAB_ALLOWED_ORIGINS: originsSchema,
  LAB_MAX_BODY_BYTES: positiveInt(1_048_576),
  LAB_DB_POOL_SIZE: positiveInt(5),
  /** Opt-in `Server-Timing` header with where each request's time went (bench, debugging). */
  LAB_SERVER_TIMING: z
    .enum(["true", "false"], { error: 'must be "true" or "false"' })
    .default("false")
    .transform((value) => value === "true"),
});

/** The parsed base environment. */
export type BaseEnv = z.infer<typeof baseEnvSchema>;

/** The base plus an OpenAI-compatible model endpoint, for functions that call a model. */
export const modelEnvSchema = baseEnvSchema.extend({
  OPENAI_API_KEY: z.string().min(1),
  OPENAI_BASE_URL: z.url({ error: "must be an http(s) URL", protocol: /^https?$/ }).optional(),
  LAB_MODEL: z.string().min(1).max(200).default("gpt-4o"),
  LAB_LLM_TIMEOUT_MS: positiveInt(60_000),
  LAB_LLM_MAX_RETRIES: z.coerce
    .number({ error: "must be an integer from 0 to 10" })
    .int({ error: "must be an integer from 0 to 10" })
    .min(0, { error: "must be an integer from 0 to 10" })
    .max(10, { error: "must be an integer from 0 to 10" })
    .default(2),
});

/** The parsed environment of a function that calls a model. */
export type ModelEnv = z.infer<typeof modelEnvSchema>;

/**
 * Parses the environment with `schema`. Empty strings count as unset, so
 * `FOO=` is "required", not silently `""`.
 *
 * @param schema a zod object schema, usually `baseEnvSchema.extend(...)`.
 * @param source the variables; defaults to `Deno.env.toObject()`.
 * @throws {EnvError} listing every invalid variable, without values.
 *
 * @example
 * ```ts
 * const env = readEnv(baseEnvSchema);
 * env.LAB_MAX_BODY_BYTES; // number
 * ```
 */
export function readEnv<S extends z.ZodObject>(
  schema: S,
  source: Record<string, string | undefined> = Deno.env.toObject(),
): z.infer<S> {
  const present = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ""),
  );
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.map(String).join(".") || "environment";
    if (issue.path.length > 0 && present[key] === undefined) {
      return `${key} is required`;
    }
    return `${key} ${describe(issue.message)}`;
  });
  throw new EnvError([...new Set(problems)]);
}

/** Our own messages start with "must"; zod's defaults are wrapped. */
function describe(message: string): string {
  return message.startsWith("must") ? message : `is invalid (${message})`;
}

/**
 * The JWKS endpoint of a Supabase project (`/auth/v1/.well-known/jwks.json`).
 *
 * @example
 * ```ts
 * jwksUrl("http://127.0.0.1:54321/"); // "http://127.0.0.1:54321/auth/v1/.well-known/jwks.json"
 * ```
 */
export function jwksUrl(supabaseUrl: string): string {
  return `${supabaseUrl.replace(/\/+$/, "")}/auth/v1/.well-known/jwks.json`;
}

/**
 * LOCAL STACK: what Supabase Auth would provide on this machine — users in
 * auth.users and access tokens signed with the CLI's default local JWT secret
 * (supabase-facts.md §5, §11), passed through the Custom Access Token hook
 * of supabase/config.toml first, as Supabase Auth does. Used by the token
 * tool, the gateway and tests.
 */
import { SignJWT } from "jose";
import postgres from "postgres";
import { parse } from "smol-toml";
import { repoRoot } from "./process.ts";

/** The Supabase CLI's default local JWT secret. */
export const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

/** The Supabase CLI's default local anon key (HS256 over LOCAL_JWT_SECRET). */
export const LOCAL_ANON_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0";

const encoder = new TextEncoder();

/** A legacy-style API key (anon or service_role) as the CLI mints them. */
export function mintApiKey(
  role: "anon" | "service_role",
  secret = LOCAL_JWT_SECRET,
): Promise<string> {
  return new SignJWT({ iss: "supabase-demo", role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setExpirationTime(1983812996)
    .sign(encoder.encode(secret));
}

/** Options for {@link mintAccessToken}. */
export interface AccessTokenOptions {
  email?: string | null;
  /** Seconds until expiry (Supabase's jwt_expiry defaults to 3600). */
  expiresIn?: number;
  secret?: string;
  /** Issuer; Supabase uses `<SUPABASE_URL>/auth/v1`. */
  issuer?: string;
}

/**
 * The claims of an access token as Supabase Auth issues them (§5).
 *
 * @example
 * const claims = accessTokenClaims(userId, { email: "a@example.com" });
 */
export function accessTokenClaims(
  userId: string,
  options: AccessTokenOptions = {},
): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: "authenticated",
    exp: now + (options.expiresIn ?? 3600),
    iat: now,
    iss: options.issuer ?? "http://127.0.0.1:54321/auth/v1",
    sub: userId,
    email: options.email ?? "",
    phone: "",
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: {},
    role: "authenticated",
    aal: "aal1",
    amr: [{ method: "password", timestamp: now }],
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  };
}

/** Signs claims as the project's access token (HS256 over the JWT secret). */
export function signAccessToken(
  claims: Record<string, unknown>,
  secret = LOCAL_JWT_SECRET,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(encoder.encode(secret));
}

/**
 * An access token shaped like the ones Supabase Auth issues (§5 claims),
 * without asking the database (no hook): for tokens a test forges.
 *
 * @example
 * const token = await mintAccessToken(userId, { email: "a@example.com" });
 */
export function mintAccessToken(userId: string, options: AccessTokenOptions = {}): Promise<string> {
  return signAccessToken(accessTokenClaims(userId, options), options.secret);
}

/** The claims Supabase Auth requires a Custom Access Token hook to return (§5). */
const REQUIRED_HOOK_CLAIMS = [
  "aud",
  "exp",
  "iat",
  "sub",
  "email",
  "phone",
  "role",
  "aal",
  "session_id",
  "is_anonymous",
];

/** `"schema"."function"` of config.toml's enabled custom access token hook, or null. */
export function accessTokenHookName(configToml: string): string | null {
  const config = parse(configToml) as {
    auth?: { hook?: { custom_access_token?: { enabled?: boolean; uri?: string } } };
  };
  const hook = config.auth?.hook?.custom_access_token;
  if (!hook?.enabled) return null;
  const match = /^pg-functions:\/\/[^/]+\/([a-z_][a-z0-9_]*)\/([a-z_][a-z0-9_]*)$/.exec(
    hook.uri ?? "",
  );
  if (!match) throw new Error(`Invalid custom access token hook URI: "${hook.uri}"`);
  return `"${match[1]}"."${match[2]}"`;
}

/** The hook of this repository's supabase/config.toml (read once). */
let configuredHook: Promise<string | null> | undefined;
function configuredHookName(): Promise<string | null> {
  configuredHook ??= Deno.readTextFile(`${repoRoot}/supabase/config.toml`).then(
    accessTokenHookName,
  );
  return configuredHook;
}

/** The same database, connected as `supabase_auth_admin`, the role Supabase Auth logs in as. */
function authAdminUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.username = "supabase_auth_admin";
  url.password = "";
  return url.toString();
}

/**
 * Runs a Postgres Custom Access Token hook the way Supabase Auth does: as
 * supabase_auth_admin, in a transaction with a 2 s statement timeout, input
 * `{user_id, claims, authentication_method}`; an `error` in the answer
 * refuses the token, and the returned claims must keep the required ones.
 */
export async function runAccessTokenHook(
  databaseUrl: string,
  hookName: string,
  input: { userId: string; claims: Record<string, unknown> },
): Promise<Record<string, unknown>> {
  const sql = postgres(authAdminUrl(databaseUrl), { max: 1, onnotice: () => {} });
  try {
    const event = {
      user_id: input.userId,
      claims: input.claims,
      authentication_method: "password",
    };
    const [row] = await sql.begin(async (tx) => {
      await tx`set local statement_timeout to '2s'`;
      return await tx.unsafe<{ output: Record<string, unknown> }[]>(
        `select ${hookName}($1::text::jsonb) as output`,
        [JSON.stringify(event)],
      );
    });
    const output = row.output as { claims?: Record<string, unknown>; error?: { message?: string } };
    if (output.error) {
      throw new Error(`Access token refused by the hook: ${output.error.message ?? "no message"}`);
    }
    const claims = output.claims;
    const missing = REQUIRED_HOOK_CLAIMS.filter((claim) => claims?.[claim] === undefined);
    if (!claims || missing.length > 0) {
      throw new Error(`Invalid output from the access token hook: missing ${missing.join(", ")}`);
    }
    return claims;
  } finally {
    await sql.end();
  }
}

/**
 * Issues a user's access token as Supabase Auth does: the standard claims,
 * passed through the Custom Access Token hook configured in
 * supabase/config.toml (which adds `user_role`), then signed.
 *
 * @example
 * const token = await issueAccessToken(appUrl, userId, { email });
 */
export async function issueAccessToken(
  databaseUrl: string,
  userId: string,
  options: AccessTokenOptions = {},
): Promise<string> {
  const hookName = await configuredHookName();
  const claims = accessTokenClaims(userId, options);
  const final = hookName
    ? await runAccessTokenHook(databaseUrl, hookName, { userId, claims })
    : claims;
  return signAccessToken(final, options.secret);
}

/**
 * Grants `role` to the user as the service role would (a dashboard or
 * service-key client), audited by the database like every grant.
 *
 * @example
 * await grantLocalRole(appUrl, userId, "admin");
 */
export async function grantLocalRole(
  databaseUrl: string,
  userId: string,
  role: "admin",
): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.begin(async (tx) => {
      await tx`select set_config('role', 'service_role', true),
                      set_config('request.jwt.claims', '{"role":"service_role"}', true)`;
      await tx`insert into public.user_roles (user_id, role) values (${userId}, ${role})
               on conflict do nothing`;
    });
  } finally {
    await sql.end();
  }
}

/**
 * Creates the user in auth.users (or finds it by email) the way GoTrue
 * writes it, and returns its id. `databaseUrl` must be allowed to write
 * auth.users (the app role or a superuser).
 *
 * @example
 * const id = await ensureLocalUser(appUrl, "someone@example.com");
 */
export async function ensureLocalUser(databaseUrl: string, email: string): Promise<string> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [existing] = await sql<
      { id: string }[]
    >`select id from auth.users where email = ${email} and not is_sso_user`;
    if (existing) return existing.id;
    const [created] = await sql<{ id: string }[]>`
      insert into auth.users (instance_id, id, aud, role, email, email_confirmed_at,
                              raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
      values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
              ${email}, now(), '{"provider":"email","providers":["email"]}', '{}', now(), now())
      returning id`;
    return created.id;
  } finally {
    await sql.end();
  }
}

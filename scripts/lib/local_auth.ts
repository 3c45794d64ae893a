/**
 * LOCAL STACK: what Supabase Auth would provide on this machine — users in
 * auth.users and access tokens signed with the CLI's default local JWT secret
 * (supabase-facts.md §5, §11). Used by the token tool, the gateway and tests.
 */
import { SignJWT } from "jose";
import postgres from "postgres";

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
 * An access token shaped like the ones Supabase Auth issues (§5 claims).
 *
 * @example
 * const token = await mintAccessToken(userId, { email: "a@example.com" });
 */
export function mintAccessToken(userId: string, options: AccessTokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    email: options.email ?? "",
    phone: "",
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: {},
    role: "authenticated",
    aal: "aal1",
    amr: [{ method: "password", timestamp: now }],
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setAudience("authenticated")
    .setIssuer(options.issuer ?? "http://127.0.0.1:54321/auth/v1")
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 3600))
    .sign(encoder.encode(options.secret ?? LOCAL_JWT_SECRET));
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

/**
 * The local Auth stand-in: which hook config.toml enables, and issuing a
 * token through it as Supabase Auth does (as supabase_auth_admin, refusing
 * a hook that answers with an error or drops a required claim).
 */
import { deepEqual, equal, rejects } from "node:assert/strict";
import { decodeJwt } from "jose";
import postgres from "postgres";
import {
  accessTokenHookName,
  ensureLocalUser,
  grantLocalRole,
  issueAccessToken,
  runAccessTokenHook,
} from "./local_auth.ts";

const APP_URL = Deno.env.get("LAB_TEST_DATABASE_URL");
const ADMIN_URL = Deno.env.get("LAB_TEST_ADMIN_DATABASE_URL");
const dbTest = { ignore: !APP_URL || !ADMIN_URL, sanitizeOps: false, sanitizeResources: false };

Deno.test("the hook named by config.toml's [auth.hook.custom_access_token]", () => {
  const enabled = `[auth.hook.custom_access_token]
enabled = true
uri = "pg-functions://postgres/public/custom_access_token_hook"`;
  equal(accessTokenHookName(enabled), `"public"."custom_access_token_hook"`);
  equal(accessTokenHookName(enabled.replace("true", "false")), null);
  equal(accessTokenHookName("[auth]\nenabled = true"), null);
});

Deno.test("a hook URI that is not pg-functions://db/schema/function is refused", () => {
  const config = `[auth.hook.custom_access_token]
enabled = true
uri = "https://example.com/hook"`;
  let message = "";
  try {
    accessTokenHookName(config);
  } catch (error) {
    message = (error as Error).message;
  }
  equal(message, 'Invalid custom access token hook URI: "https://example.com/hook"');
});

Deno.test(
  "issued tokens carry user_role from the hook: null, then admin once granted",
  dbTest,
  async () => {
    const email = `hook-${crypto.randomUUID().slice(0, 8)}@test.local`;
    const id = await ensureLocalUser(APP_URL!, email);
    const plain = decodeJwt(await issueAccessToken(APP_URL!, id, { email }));
    equal(plain.user_role, null);
    equal(plain.sub, id);
    equal(plain.role, "authenticated");
    await grantLocalRole(APP_URL!, id, "admin");
    const admin = decodeJwt(await issueAccessToken(APP_URL!, id, { email }));
    equal(admin.user_role, "admin");
  },
);

Deno.test(
  "a hook that answers with an error or drops required claims refuses the token",
  dbTest,
  async () => {
    const sql = postgres(ADMIN_URL!, { max: 1, onnotice: () => {} });
    const schema = `hook_test_${crypto.randomUUID().slice(0, 8)}`;
    try {
      await sql.unsafe(`
      create schema ${schema};
      grant usage on schema ${schema} to supabase_auth_admin;
      create function ${schema}.refuse(event jsonb) returns jsonb language sql
        as $$ select '{"error": {"http_code": 403, "message": "No tokens today"}}'::jsonb $$;
      create function ${schema}.strip(event jsonb) returns jsonb language sql
        as $$ select jsonb_build_object('claims', (event -> 'claims') - 'session_id' - 'aal') $$;
      create function ${schema}.whoami(event jsonb) returns jsonb language sql
        as $$ select jsonb_set(event, '{claims,ran_as}', to_jsonb(current_user::text)) $$;
      grant execute on all functions in schema ${schema} to supabase_auth_admin;`);
      const input = {
        userId: crypto.randomUUID(),
        claims: {
          aud: "authenticated",
          exp: 1,
          iat: 1,
          sub: "x",
          email: "",
          phone: "",
          role: "authenticated",
          aal: "aal1",
          session_id: "s",
          is_anonymous: false,
        },
      };
      await rejects(runAccessTokenHook(APP_URL!, `"${schema}"."refuse"`, input), {
        message: "Access token refused by the hook: No tokens today",
      });
      await rejects(runAccessTokenHook(APP_URL!, `"${schema}"."strip"`, input), {
        message: "Invalid output from the access token hook: missing aal, session_id",
      });
      const claims = await runAccessTokenHook(APP_URL!, `"${schema}"."whoami"`, input);
      deepEqual(claims.ran_as, "supabase_auth_admin");
    } finally {
      await sql.unsafe(`drop schema if exists ${schema} cascade`);
      await sql.end();
    }
  },
);

/**
 * The PostgREST stand-in against a real lab database, driven by the real
 * supabase-js client over HTTP. Ignored unless `npm test` provides a
 * throwaway database (LAB_TEST_DATABASE_URL / LAB_TEST_ADMIN_DATABASE_URL).
 */
import assert from "node:assert/strict";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import {
  ensureLocalUser,
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
  mintAccessToken,
} from "../../lib/local_auth.ts";
import { createRestApi } from "./api.ts";

const APP_URL = Deno.env.get("LAB_TEST_DATABASE_URL");
const ADMIN_URL = Deno.env.get("LAB_TEST_ADMIN_DATABASE_URL");
const ignore = !APP_URL || !ADMIN_URL;

interface Person {
  id: string;
  token: string;
  client: SupabaseClient;
  calibrationId: string;
  experimentIds: string[];
}

interface Fixture {
  url: string;
  alice: Person;
  bob: Person;
  anon: SupabaseClient;
  admin: postgres.Sql;
}

function clientFor(url: string, token?: string): SupabaseClient {
  return createClient(url, LOCAL_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(token ? { accessToken: () => Promise.resolve(token) } : {}),
  });
}

async function person(admin: postgres.Sql, url: string, name: string): Promise<Person> {
  const email = `rest-${name}-${crypto.randomUUID().slice(0, 8)}@test.local`;
  const id = await ensureLocalUser(APP_URL!, email);
  const token = await mintAccessToken(id, { email });
  const [calibration] = await admin<{ id: string }[]>`
    insert into public.calibrations (user_id, mode, questionnaire_version, answers,
      temperature_min, temperature_max, top_p_min, top_p_max, max_tokens_min, max_tokens_max,
      frequency_penalty_min, frequency_penalty_max)
    values (${id}, 'quick', 'test', '{}', 0.2, 0.8, 0.5, 1, 64, 256, 0, 0.5) returning id`;
  const responses = [{
    status: "succeeded",
    metrics: { creativity: 0.5, coherence: 0.5, structure: 0.5, completeness: 0.5 },
  }];
  const experimentIds: string[] = [];
  for (const prompt of ["first", "second"]) {
    const [row] = await admin<{ id: string }[]>`
      insert into public.experiments (user_id, calibration_id, prompt, model, parameters, responses, status, latency_ms)
      values (${id}, ${calibration.id}, ${prompt}, 'test-model', '{}', ${
      admin.json(responses)
    }, 'completed', 10)
      returning id`;
    experimentIds.push(row.id);
  }
  return { id, token, client: clientFor(url, token), calibrationId: calibration.id, experimentIds };
}

async function withFixture(fn: (fixture: Fixture) => Promise<void>): Promise<void> {
  const api = createRestApi({ databaseUrl: APP_URL!, jwtSecret: LOCAL_JWT_SECRET });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, api.handler);
  const url = `http://127.0.0.1:${server.addr.port}`;
  const admin = postgres(ADMIN_URL!, { max: 1, onnotice: () => {} });
  try {
    const alice = await person(admin, url, "alice");
    const bob = await person(admin, url, "bob");
    await fn({ url, alice, bob, anon: clientFor(url), admin });
  } finally {
    await server.shutdown();
    await api.close();
    await admin.end();
  }
}

Deno.test({
  name: "rest: a user reads only their own rows, filtered and ordered",
  ignore,
  fn: () =>
    withFixture(async ({ alice }) => {
      const { data, error, status } = await alice.client
        .from("experiments")
        .select("id, prompt, saved")
        .order("created_at", { ascending: true })
        .order("prompt", { ascending: true });
      assert.equal(error, null);
      assert.equal(status, 200);
      assert.deepEqual(data?.map((row) => row.prompt), ["first", "second"]);
      assert.deepEqual(Object.keys(data![0]).sort(), ["id", "prompt", "saved"]);

      const one = await alice.client.from("experiments").select("*").eq(
        "id",
        alice.experimentIds[1],
      )
        .maybeSingle();
      assert.equal(one.error, null);
      assert.equal(one.data?.prompt, "second");
      assert.equal(typeof one.data?.parameters, "object", "jsonb comes back as JSON, not text");

      const some = await alice.client.from("experiments").select("id").in("id", alice.experimentIds)
        .limit(1);
      assert.equal(some.data?.length, 1);
    }),
});

Deno.test({
  name: "rest: another user's rows are invisible and cannot be updated",
  ignore,
  fn: () =>
    withFixture(async ({ alice, bob, admin }) => {
      const read = await bob.client.from("experiments").select("id").eq(
        "id",
        alice.experimentIds[0],
      );
      assert.deepEqual(read.data, []);
      const single = await bob.client.from("experiments").select("id").eq(
        "id",
        alice.experimentIds[0],
      )
        .single();
      assert.equal(single.status, 406);
      assert.equal(single.error?.code, "PGRST116");

      const update = await bob.client.from("experiments").update({ discarded: true })
        .eq("id", alice.experimentIds[0]).select();
      assert.equal(update.error, null);
      assert.deepEqual(update.data, []);
      const [row] = await admin`select discarded from public.experiments where id = ${
        alice.experimentIds[0]
      }`;
      assert.equal(row.discarded, false);
    }),
});

Deno.test({
  name: "rest: the owner may flip saved/discarded, and the analytics trigger sees it",
  ignore,
  fn: () =>
    withFixture(async ({ alice, admin }) => {
      const update = await alice.client.from("experiments").update({ discarded: true })
        .eq("id", alice.experimentIds[0]).select("id, discarded").single();
      assert.equal(update.error, null);
      assert.deepEqual(update.data, { id: alice.experimentIds[0], discarded: true });
      const [summary] = await admin`select experiment_count from public.analytics_summaries
                                     where calibration_id = ${alice.calibrationId}`;
      assert.equal(summary.experiment_count, 1);

      const minimal = await alice.client.from("experiments").update({ saved: true })
        .eq("id", alice.experimentIds[1]);
      assert.equal(minimal.status, 204);
      assert.equal(minimal.error, null);
    }),
});

Deno.test({
  name: "rest: column grants decide what may change (403 42501), like PostgREST",
  ignore,
  fn: () =>
    withFixture(async ({ alice, admin }) => {
      const update = await alice.client.from("experiments").update({ prompt: "rewritten" })
        .eq("id", alice.experimentIds[0]);
      assert.equal(update.status, 403);
      assert.equal(update.error?.code, "42501");
      assert.match(update.error?.message ?? "", /permission denied for table experiments/);
      const [row] = await admin`select prompt from public.experiments where id = ${
        alice.experimentIds[0]
      }`;
      assert.equal(row.prompt, "first");
    }),
});

Deno.test({
  name: "rest: anonymous callers are refused by grants with 401",
  ignore,
  fn: () =>
    withFixture(async ({ anon }) => {
      const read = await anon.from("experiments").select("id");
      assert.equal(read.status, 401);
      assert.equal(read.error?.code, "42501");
    }),
});

Deno.test({
  name: "rest: unknown tables, columns and bad tokens get PostgREST's errors",
  ignore,
  fn: () =>
    withFixture(async ({ url, alice }) => {
      const table = await alice.client.from("nope").select("*");
      assert.equal(table.status, 404);
      assert.equal(table.error?.code, "PGRST205");
      const column = await alice.client.from("experiments").select("nope");
      assert.equal(column.status, 400);
      assert.equal(column.error?.code, "42703");
      const badValue = await alice.client.from("experiments").select("id").eq("id", "not-a-uuid");
      assert.equal(badValue.status, 400);
      assert.equal(badValue.error?.code, "22P02");
      const forged = await clientFor(url, `${alice.token.slice(0, -4)}AAAA`).from("experiments")
        .select("id");
      assert.equal(forged.status, 401);
      assert.equal(forged.error?.code, "PGRST301");
      const schema = await fetch(`${url}/rest/v1/experiments`, {
        headers: { apikey: LOCAL_ANON_KEY, "accept-profile": "private" },
      });
      assert.equal(schema.status, 406);
      assert.equal((await schema.json()).code, "PGRST106");
    }),
});

Deno.test({
  name: "rest: a PATCH whose body stops arriving ends 408, nothing changed (issue 19)",
  ignore,
  fn: async () => {
    const api = createRestApi({
      databaseUrl: APP_URL!,
      jwtSecret: LOCAL_JWT_SECRET,
      bodyIdleTimeoutMs: 50,
    });
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, api.handler);
    try {
      // A raw connection: fetch would not read the answer before its body ends.
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
      await conn.write(new TextEncoder().encode(
        "PATCH /rest/v1/experiments?id=eq.00000000-0000-0000-0000-000000000000 HTTP/1.1\r\n" +
          "host: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n" +
          "1\r\n{\r\n",
      ));
      const buffer = new Uint8Array(4096);
      const read = await conn.read(buffer);
      conn.close();
      const answer = new TextDecoder().decode(buffer.subarray(0, read ?? 0));
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.match(answer, /"message":"Request timeout"/);
    } finally {
      await server.shutdown();
      await api.close();
    }
  },
});

/**
 * Conformance: unmodified supabase-js `from()` and `rpc()` calls against the
 * PostgREST stand-in, each answer as PostgREST documents it
 * (docs.postgrest.org: references/api/tables_views, resource_embedding,
 * pagination_count, functions, references/errors). Fixtures are this run's
 * own tables and functions (stack.ts).
 */
import assert from "node:assert/strict";
import { ignore, withConformance } from "./stack.ts";

Deno.test({
  name:
    "data api: insert, upsert (merge and ignore), update and delete with return=representation|minimal",
  ignore,
  fn: () =>
    withConformance(async ({ user, fixtures: f }) => {
      const alice = await user();
      const db = alice.client;
      // PostgREST: POST -> 201; representation returns the rows with their defaults filled in.
      const inserted = await db.from(f.authors).insert({ name: "Ada" }).select().single();
      assert.equal(inserted.status, 201);
      assert.equal(inserted.error, null);
      assert.equal(inserted.data.name, "Ada");
      assert.equal(inserted.data.owner, alice.id);
      assert.equal(typeof inserted.data.id, "number");

      // return=minimal: 201 and no body.
      const minimal = await db.from(f.authors).insert([{ name: "Bea" }, { name: "Cy" }]);
      assert.equal(minimal.status, 201);
      assert.equal(minimal.data, null);

      // A unique violation is 409 with the SQLSTATE 23505 and Postgres's own message.
      const duplicate = await db.from(f.authors).insert({ name: "Ada" });
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.error?.code, "23505");
      assert.equal(
        duplicate.error?.message,
        `duplicate key value violates unique constraint "${f.authors}_name_key"`,
      );

      // Upsert: merge-duplicates on the unique column updates; ignore-duplicates leaves it alone.
      const merged = await db.from(f.authors).upsert({ name: "Ada", owner: alice.id }, {
        onConflict: "name",
      }).select();
      assert.equal(merged.status, 201);
      assert.deepEqual(merged.data?.map((r) => r.name), ["Ada"]);
      assert.equal(merged.data?.[0].id, inserted.data.id);
      const ignored = await db.from(f.authors).upsert([{ name: "Ada" }, { name: "Dee" }], {
        onConflict: "name",
        ignoreDuplicates: true,
      }).select("name");
      assert.deepEqual(ignored.data, [{ name: "Dee" }]);

      // PATCH: 204 without representation, 200 with it.
      const renamed = await db.from(f.authors).update({ name: "Ada L." }).eq("name", "Ada")
        .select("name");
      assert.equal(renamed.status, 200);
      assert.deepEqual(renamed.data, [{ name: "Ada L." }]);
      const quiet = await db.from(f.authors).update({ name: "Ada" }).eq("name", "Ada L.");
      assert.equal(quiet.status, 204);

      // DELETE: 204, or 200 with the deleted rows.
      const removed = await db.from(f.authors).delete().eq("name", "Dee").select("name");
      assert.equal(removed.status, 200);
      assert.deepEqual(removed.data, [{ name: "Dee" }]);
      const gone = await db.from(f.authors).delete().eq("name", "Cy");
      assert.equal(gone.status, 204);
      const left = await db.from(f.authors).select("name").order("name");
      assert.deepEqual(left.data?.map((r) => r.name), ["Ada", "Bea"]);
    }),
});

Deno.test({
  name:
    "data api: RLS and grants decide writes — 42501 is 401 for anon and 403 for a user; others' rows are untouched",
  ignore,
  fn: () =>
    withConformance(async ({ user, anon, fixtures: f }) => {
      const alice = await user();
      const bob = await user();
      await alice.client.from(f.authors).insert({ name: "Alice's" });
      // anon has no insert grant: PostgREST answers 42501 with 401.
      const anonymous = await anon.from(f.authors).insert({ name: "anon" });
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.error?.code, "42501");
      assert.equal(anonymous.error?.message, `permission denied for table ${f.authors}`);
      // A row the policy refuses: 42501 with 403 for an authenticated caller.
      const forged = await bob.client.from(f.authors).insert({ name: "forged", owner: alice.id });
      assert.equal(forged.status, 403);
      assert.equal(forged.error?.code, "42501");
      assert.equal(
        forged.error?.message,
        `new row violates row-level security policy for table "${f.authors}"`,
      );
      // Updates and deletes of others' rows match nothing.
      const update = await bob.client.from(f.authors).update({ name: "taken" }).eq(
        "name",
        "Alice's",
      ).select();
      assert.deepEqual(update.data, []);
      const remove = await bob.client.from(f.authors).delete().eq("name", "Alice's").select();
      assert.deepEqual(remove.data, []);
      const still = await anon.from(f.authors).select("name").eq("name", "Alice's");
      assert.deepEqual(still.data, [{ name: "Alice's" }]);
    }),
});

Deno.test({
  name:
    "data api: .single() and .maybeSingle() answer PGRST116 with 406 on zero or many rows, as PostgREST",
  ignore,
  fn: () =>
    withConformance(async ({ user, fixtures: f }) => {
      const alice = await user();
      const db = alice.client;
      await db.from(f.authors).insert([{ name: "one" }, { name: "two" }]);
      const none = await db.from(f.authors).select().eq("name", "nobody").single();
      assert.equal(none.status, 406);
      assert.equal(none.error?.code, "PGRST116");
      assert.equal(none.error?.details, "The result contains 0 rows");
      const many = await db.from(f.authors).select().single();
      assert.equal(many.status, 406);
      assert.equal(many.error?.details, "The result contains 2 rows");
      const maybe = await db.from(f.authors).select().eq("name", "nobody").maybeSingle();
      assert.equal(maybe.error, null);
      assert.equal(maybe.data, null);
      const one = await db.from(f.authors).select("name").eq("name", "one").single();
      assert.deepEqual(one.data, { name: "one" });
    }),
});

Deno.test({
  name:
    "data api: count=exact with Content-Range and 206, range()/limit()/offset, head requests, 416 past the end",
  ignore,
  fn: () =>
    withConformance(async ({ user, url, fixtures: f }) => {
      const alice = await user();
      const db = alice.client;
      await db.from(f.authors).insert(["a", "b", "c", "d", "e"].map((name) => ({ name })));
      const page = await db.from(f.authors).select("name", { count: "exact" }).order("name")
        .range(1, 2);
      assert.equal(page.status, 206);
      assert.equal(page.count, 5);
      assert.deepEqual(page.data?.map((r) => r.name), ["b", "c"]);
      const all = await db.from(f.authors).select("name", { count: "exact" });
      assert.equal(all.status, 200);
      assert.equal(all.count, 5);
      const head = await db.from(f.authors).select("*", { count: "exact", head: true });
      assert.equal(head.count, 5);
      assert.equal(head.data, null);
      const limited = await db.from(f.authors).select("name").order("name").limit(2);
      assert.deepEqual(limited.data?.map((r) => r.name), ["a", "b"]);

      // The Range header itself (PostgREST pagination_count) and its Content-Range.
      const ranged = await fetch(`${url}/rest/v1/${f.authors}?select=name&order=name`, {
        headers: { Authorization: `Bearer ${alice.token}`, Range: "3-", Prefer: "count=exact" },
      });
      assert.equal(ranged.status, 206);
      assert.equal(ranged.headers.get("content-range"), "3-4/5");
      assert.deepEqual(await ranged.json(), [{ name: "d" }, { name: "e" }]);
      const past = await db.from(f.authors).select("name", { count: "exact" }).range(10, 12);
      assert.equal(past.status, 416);
      assert.equal(past.error?.code, "PGRST103");
    }),
});

Deno.test({
  name: "data api: embedded resources over a foreign key, both directions, and !inner",
  ignore,
  fn: () =>
    withConformance(async ({ user, fixtures: f }) => {
      const alice = await user();
      const db = alice.client;
      const { data: ada } = await db.from(f.authors).insert({ name: "Ada" }).select().single();
      await db.from(f.authors).insert({ name: "Nobody" });
      await db.from(f.books).insert([
        { author_id: ada.id, title: "Notes" },
        { author_id: ada.id, title: "Letters" },
      ]);
      const books = await db.from(f.books).select(`title, author:${f.authors}(name)`).order(
        "title",
      );
      assert.equal(books.error, null);
      assert.deepEqual(books.data, [
        { title: "Letters", author: { name: "Ada" } },
        { title: "Notes", author: { name: "Ada" } },
      ]);
      const authors = await db.from(f.authors).select(`name, ${f.books}(title)`).order("name");
      assert.deepEqual(authors.data, [
        { name: "Ada", [f.books]: [{ title: "Notes" }, { title: "Letters" }] },
        { name: "Nobody", [f.books]: [] },
      ]);
      const withBooks = await db.from(f.authors).select(`name, ${f.books}!inner(title)`);
      assert.deepEqual((withBooks.data as { name: string }[] | null)?.map((r) => r.name), ["Ada"]);
      const unrelated = await db.from(f.authors).select("name, experiments(id)");
      assert.equal(unrelated.status, 400);
      assert.equal(unrelated.error?.code, "PGRST200");
    }),
});

Deno.test({
  name:
    "data api: rpc() by POST and GET, grants decide (401 anon), sets take filters, void is 204, writes under GET are 405",
  ignore,
  fn: () =>
    withConformance(async ({ user, anon, fixtures: f }) => {
      const alice = await user();
      const db = alice.client;
      const sum = await db.rpc(f.add, { a: 2, b: 3 });
      assert.equal(sum.status, 200);
      assert.equal(sum.data, 5);
      const withDefault = await db.rpc(f.add, { a: 2 }, { get: true });
      assert.equal(withDefault.data, 3);
      // Execute is revoked from anon: 42501 -> 401.
      const refused = await anon.rpc(f.add, { a: 1, b: 1 });
      assert.equal(refused.status, 401);
      assert.equal(refused.error?.code, "42501");
      assert.equal(refused.error?.message, `permission denied for function ${f.add}`);
      // Unknown arguments: PGRST202, 404.
      const unknown = await db.rpc(f.add, { x: 1 });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.error?.code, "PGRST202");

      await db.from(f.authors).insert([{ name: "Ann" }, { name: "Anton" }, { name: "Bo" }]);
      const named = await db.rpc(f.authorsNamed, { prefix: "An" }).select("name").order("name");
      assert.deepEqual(named.data, [{ name: "Ann" }, { name: "Anton" }]);
      const filtered = await db.rpc(f.authorsNamed, { prefix: "An" }, { get: true }).eq(
        "name",
        "Anton",
      ).select("name");
      assert.deepEqual(filtered.data, [{ name: "Anton" }]);
      const one = await db.rpc(f.authorsNamed, { prefix: "Bo" }).select("name").single();
      assert.deepEqual(one.data, { name: "Bo" });

      const touched = await db.rpc(f.touch);
      assert.equal(touched.status, 204);
      const readOnly = await db.rpc(f.touch, {}, { get: true });
      assert.equal(readOnly.status, 405);
      assert.equal(readOnly.error?.code, "25006");
    }),
});

Deno.test({
  name:
    "data api: tokens without exp or for another audience are refused like the functions refuse them (issue 19); bad paths and deep JSON are 4xx",
  ignore,
  fn: () =>
    withConformance(async ({ user, url, fixtures: f }) => {
      const alice = await user();
      const { SignJWT } = await import("jose");
      const { LOCAL_JWT_SECRET } = await import("../../lib/local_auth.ts");
      const key = new TextEncoder().encode(LOCAL_JWT_SECRET);
      const noExp = await new SignJWT({ sub: alice.id, role: "authenticated" })
        .setProtectedHeader({ alg: "HS256" }).sign(key);
      const wrongAud = await new SignJWT({ sub: alice.id, role: "authenticated", aud: "other" })
        .setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h").sign(key);
      for (
        const [token, message] of [[noExp, "JWT claims validation or parsing failed"], [
          wrongAud,
          "JWT not in audience",
        ]]
      ) {
        const response = await fetch(`${url}/rest/v1/${f.authors}`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        assert.equal(response.status, 401);
        const body = await response.json();
        assert.equal(body.code, "PGRST303");
        assert.equal(body.message, message);
      }
      const badPath = await fetch(`${url}/rest/v1/%ZZ`);
      assert.equal(badPath.status, 404);
      assert.equal((await badPath.json()).code, "PGRST205");
      const deep = "[".repeat(10_000) + "]".repeat(10_000);
      const nested = await fetch(`${url}/rest/v1/${f.authors}?name=eq.x`, {
        method: "PATCH",
        headers: { Authorization: `Bearer ${alice.token}`, "content-type": "application/json" },
        body: `{"name": ${deep}}`,
      });
      assert.equal(nested.status, 400);
      const error = await nested.json();
      assert.equal(error.code, "PGRST102");
      assert.doesNotMatch(JSON.stringify(error), /max_stack_depth/);
      const huge = await fetch(`${url}/rest/v1/${f.authors}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${alice.token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "x".repeat(11 * 1024 * 1024) }),
      });
      assert.equal(huge.status, 413);
      await huge.body?.cancel();
    }),
});

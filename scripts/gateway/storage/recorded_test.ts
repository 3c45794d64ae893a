/**
 * The Storage stand-in answers the requests of
 * shared/research/storage-real-vs-standin.md as the real Storage server
 * (supabase/storage 4fa61fb) answered them: status, body (its exact JSON text,
 * key order included) and the headers that matter. Each step names its
 * recorded request (U01, S04, D05, ...). Differences the stand-in keeps on
 * purpose are asserted as such and listed in the README.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { SignJWT } from "jose";
import {
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
  mintAccessToken,
  mintApiKey,
} from "../../lib/local_auth.ts";
import { createTestBucket, CSV, ignore, type Stack, withStack } from "./testing.ts";

const JSON_TYPE = "application/json; charset=utf-8";
const MD5_CSV = `"${createHash("md5").update(CSV).digest("hex")}"`;

/** What a recorded answer fixes: status, exact body text, and chosen headers (null = absent). */
interface Expected {
  status: number;
  body?: unknown;
  headers?: Record<string, string | null | RegExp>;
}

async function expectAnswer(response: Response, expected: Expected, label: string) {
  const text = await response.text();
  assert.equal(response.status, expected.status, `${label}: status (body ${text})`);
  if (expected.body !== undefined) {
    const body = typeof expected.body === "string" ? expected.body : JSON.stringify(expected.body);
    assert.equal(text, body, `${label}: body`);
  }
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const actual = response.headers.get(name);
    if (value instanceof RegExp) assert.match(actual ?? "", value, `${label}: ${name}`);
    else assert.equal(actual, value, `${label}: ${name}`);
  }
}

function storageError(statusCode: string, error: string, message: string, code: string) {
  return { statusCode, error, message, code };
}

const ACCESS_DENIED_RLS = storageError(
  "403",
  "Unauthorized",
  "new row violates row-level security policy",
  "AccessDenied",
);
const NO_SUCH_KEY = storageError("404", "not_found", "Object not found", "NoSuchKey");
const MISSING_AUTH = storageError(
  "400",
  "Error",
  "headers must have required property 'authorization'",
  "InvalidRequest",
);

async function alice(stack: Stack) {
  const a = await stack.user();
  const auth = { Authorization: `Bearer ${a.token}` };
  const object = (path: string) => `${stack.url}/storage/v1/object/exports/${a.id}/${path}`;
  const upload = (path: string, init: RequestInit = {}) =>
    fetch(object(path), {
      method: "POST",
      ...init,
      headers: { ...auth, "content-type": "text/csv", ...(init.headers ?? {}) },
      body: init.body ?? CSV,
    });
  return { ...a, auth, object, upload };
}

Deno.test({
  name: "recorded uploads U01-U18, U29-U34: real Storage's statuses, codes and key order",
  ignore,
  fn: () =>
    withStack(async (stack) => {
      const a = await alice(stack);
      const u01 = await a.upload("u01.csv");
      assert.equal(u01.status, 200, "U01");
      assert.equal(u01.headers.get("content-type"), JSON_TYPE, "U01");
      assert.match(await u01.text(), /^\{"Key":"exports\/[^"]+\/u01\.csv","Id":"[0-9a-f-]{36}"\}$/);
      await expectAnswer(await a.upload("u01.csv"), {
        status: 400,
        body: storageError("409", "Duplicate", "The resource already exists", "KeyAlreadyExists"),
        headers: { "content-type": JSON_TYPE },
      }, "U02");
      await expectAnswer(
        await a.upload("u01.csv", { headers: { "x-upsert": "true" } }),
        { status: 400, body: ACCESS_DENIED_RLS },
        "U03",
      );
      await expectAnswer(
        await a.upload("u01.csv", { method: "PUT" }),
        { status: 400, body: ACCESS_DENIED_RLS },
        "U04",
      );
      await expectAnswer(
        await a.upload("u07.csv", { headers: { "content-type": "text/csv; charset=utf-8" } }),
        {
          status: 400,
          body: storageError(
            "415",
            "invalid_mime_type",
            "mime type text/csv; charset=utf-8 is not supported",
            "InvalidMimeType",
          ),
        },
        "U07",
      );
      // fetch sends a Uint8Array body without a content-type.
      const bare = await fetch(a.object("u09.csv"), { method: "POST", headers: a.auth, body: CSV });
      await expectAnswer(bare, {
        status: 400,
        body: storageError(
          "415",
          "invalid_mime_type",
          "mime type application/octet-stream is not supported",
          "InvalidMimeType",
        ),
      }, "U09");
      const b = await stack.user();
      await expectAnswer(
        await fetch(`${stack.url}/storage/v1/object/exports/${b.id}/u10.csv`, {
          method: "POST",
          headers: { ...a.auth, "content-type": "text/csv" },
          body: CSV,
        }),
        { status: 400, body: ACCESS_DENIED_RLS },
        "U10",
      );
      await expectAnswer(
        await fetch(a.object("u11.csv"), {
          method: "POST",
          headers: { "content-type": "text/csv" },
          body: CSV,
        }),
        { status: 400, body: MISSING_AUTH },
        "U11",
      );
      await expectAnswer(
        await fetch(a.object("u12.csv"), {
          method: "POST",
          headers: { apikey: LOCAL_ANON_KEY, "content-type": "text/csv" },
          body: CSV,
        }),
        { status: 400, body: MISSING_AUTH },
        "U12",
      );
      const forged = await mintAccessToken(a.id, {
        secret: "a-different-secret-with-at-least-32-characters",
      });
      const expired = await mintAccessToken(a.id, { expiresIn: -10 });
      for (
        const [label, token, message] of [
          ["U13", forged, "signature verification failed"],
          ["U14", expired, '"exp" claim timestamp check failed'],
          ["U15", "garbage", "Invalid Compact JWS"],
        ]
      ) {
        await expectAnswer(
          await a.upload(`${label}.csv`, { headers: { Authorization: `Bearer ${token}` } }),
          { status: 400, body: storageError("403", "Unauthorized", message, "AccessDenied") },
          label,
        );
      }
      await expectAnswer(
        await fetch(`${stack.url}/storage/v1/object/no-such-bucket/${a.id}/u16.csv`, {
          method: "POST",
          headers: { ...a.auth, "content-type": "text/csv" },
          body: CSV,
        }),
        {
          status: 400,
          body: storageError("404", "Bucket not found", "Bucket not found", "NoSuchBucket"),
        },
        "U16",
      );
      await expectAnswer(await a.upload("bad%23key.csv"), {
        status: 400,
        body: storageError("400", "InvalidKey", `Invalid key: ${a.id}/bad#key.csv`, "InvalidKey"),
      }, "U17");
      const empty = await a.upload("u18.csv", { body: new Uint8Array(0) });
      assert.equal(empty.status, 200, "U18");
      await empty.body?.cancel();

      const limited = await createTestBucket(stack.admin, {
        fileSizeLimit: 1024 * 1024,
        update: true,
      });
      const inLimited = `${stack.url}/storage/v1/object/${limited}/${a.id}`;
      const first = await (await fetch(`${inLimited}/up.txt`, {
        method: "POST",
        headers: { ...a.auth, "content-type": "text/plain" },
        body: "v1",
      })).json();
      const second = await (await fetch(`${inLimited}/up.txt`, {
        method: "POST",
        headers: { ...a.auth, "content-type": "text/plain", "x-upsert": "true" },
        body: "version two",
      })).json();
      const third = await (await fetch(`${inLimited}/up.txt`, {
        method: "PUT",
        headers: { ...a.auth, "content-type": "text/plain" },
        body: "version three",
      })).json();
      assert.equal(second.Id, first.Id, "U30: an upsert keeps the Id");
      assert.equal(third.Id, first.Id, "U31: a PUT keeps the Id");
      const afterUpserts = await fetch(`${inLimited}/up.txt`, { headers: a.auth });
      assert.equal(await afterUpserts.text(), "version three", "U32");

      const service = await mintApiKey("service_role");
      const u34 = await fetch(`${stack.url}/storage/v1/object/exports/${b.id}/u34.csv`, {
        method: "POST",
        headers: { Authorization: `Bearer ${service}`, "content-type": "text/csv" },
        body: CSV,
      });
      assert.equal(u34.status, 200, "U34");
      await u34.body?.cancel();
    }),
});

Deno.test({
  name:
    "recorded size limit U26 (real: 413 with content-length) and U27 (real stores a chunked oversize body; the stand-in refuses it on purpose)",
  ignore,
  fn: () =>
    withStack(async (stack) => {
      const a = await alice(stack);
      const limited = await createTestBucket(stack.admin, { fileSizeLimit: 1024 * 1024 });
      const url = `${stack.url}/storage/v1/object/${limited}/${a.id}/big.bin`;
      const tooLarge = {
        status: 400,
        body: storageError(
          "413",
          "Payload too large",
          "The object exceeded the maximum allowed size",
          "EntityTooLarge",
        ),
      };
      await expectAnswer(
        await fetch(url, {
          method: "POST",
          headers: a.auth,
          body: new Uint8Array(2 * 1024 * 1024),
        }),
        tooLarge,
        "U26",
      );
      const chunked = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 2; i++) controller.enqueue(new Uint8Array(1024 * 1024));
          controller.close();
        },
      });
      await expectAnswer(
        await fetch(url, { method: "POST", headers: a.auth, body: chunked }),
        tooLarge,
        "U27 (deliberate difference)",
      );
    }),
});

Deno.test({
  name:
    "recorded signing S01-S12: coerced expiresIn, Fastify's messages, signed tokens without typ",
  ignore,
  fn: () =>
    withStack(async (stack) => {
      const a = await alice(stack);
      await (await a.upload("u01.csv")).body?.cancel();
      const sign = (body: string | undefined, headers: Record<string, string> = a.auth) =>
        fetch(`${stack.url}/storage/v1/object/sign/exports/${a.id}/u01.csv`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body,
        });
      const s01 = await sign(JSON.stringify({ expiresIn: 60 }));
      assert.equal(s01.status, 200, "S01");
      assert.equal(s01.headers.get("content-type"), JSON_TYPE, "S01");
      const { signedURL } = await s01.json();
      const token = new URL(signedURL, stack.url).searchParams.get("token")!;
      assert.equal(JSON.parse(atob(token.split(".")[0])).typ, undefined, "S01: no typ header");
      const invalid = (message: string) => ({
        status: 400,
        body: storageError("400", "Error", message, "InvalidRequest"),
      });
      await expectAnswer(await sign(undefined), invalid("body must be object"), "S04");
      await expectAnswer(
        await sign("{}"),
        invalid("body must have required property 'expiresIn'"),
        "S05",
      );
      await expectAnswer(
        await sign(JSON.stringify({ expiresIn: 0 })),
        invalid("body/expiresIn must be >= 1"),
        "S06",
      );
      assert.equal((await sign(JSON.stringify({ expiresIn: "60" }))).status, 200, "S07");
      await expectAnswer(
        await sign(JSON.stringify({ expiresIn: 1.5 })),
        invalid("body/expiresIn must be integer"),
        "S08",
      );
      await expectAnswer(
        await sign(JSON.stringify({ expiresIn: 60 }), {}),
        { status: 400, body: MISSING_AUTH },
        "S09",
      );
      const many = (body: unknown) =>
        fetch(`${stack.url}/storage/v1/object/sign/exports`, {
          method: "POST",
          headers: { ...a.auth, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const s10 = await many({ expiresIn: 60, paths: [`${a.id}/u01.csv`, `${a.id}/missing.csv`] });
      const [found, missing] = await s10.json();
      assert.equal(found.error, null, "S10");
      assert.deepEqual(missing, {
        error: "Either the object does not exist or you do not have access to it",
        path: `${a.id}/missing.csv`,
        signedURL: null,
      }, "S10");
      await expectAnswer(
        await many({ expiresIn: 60 }),
        invalid("body must have required property 'paths'"),
        "S11",
      );
      assert.equal(
        (await sign(JSON.stringify({ expiresIn: 60, download: true }))).status,
        200,
        "S12",
      );
    }),
});

Deno.test({
  name: "recorded downloads D01-D12, A01-A10: ranges, 304, HEAD, signed-URL headers",
  ignore,
  fn: () =>
    withStack(async (stack) => {
      const a = await alice(stack);
      await (await a.upload("u01.csv")).body?.cancel();
      const { signedURL } = await (await fetch(
        `${stack.url}/storage/v1/object/sign/exports/${a.id}/u01.csv`,
        { method: "POST", headers: a.auth, body: JSON.stringify({ expiresIn: 60 }) },
      )).json();
      const signed = `${stack.url}/storage/v1${signedURL}`;
      const objectHeaders = {
        "accept-ranges": "bytes",
        "content-type": "text/csv",
        "x-robots-tag": "none",
        etag: MD5_CSV,
        "last-modified": /GMT$/,
      };
      await expectAnswer(await fetch(signed), {
        status: 200,
        headers: {
          ...objectHeaders,
          "content-length": String(CSV.byteLength),
          expires: /GMT$/,
          "cache-control": null,
        },
      }, "D01");
      await expectAnswer(await fetch(`${signed}&download=`), {
        status: 200,
        headers: { "content-disposition": "attachment;" },
      }, "D02");
      await expectAnswer(await fetch(`${signed}&download=my%20file.csv`), {
        status: 200,
        headers: {
          "content-disposition":
            "attachment; filename=my%20file.csv; filename*=UTF-8''my%20file.csv",
        },
      }, "D03");
      await expectAnswer(await fetch(signed, { headers: { range: "bytes=0-3" } }), {
        status: 206,
        body: new TextDecoder().decode(CSV.slice(0, 4)),
        headers: { "content-length": "4", "content-range": `bytes 0-3/${CSV.byteLength}` },
      }, "D04");
      await expectAnswer(await fetch(signed, { headers: { "if-none-match": MD5_CSV } }), {
        status: 304,
        body: "",
        headers: { etag: MD5_CSV, expires: /GMT$/ },
      }, "D05");
      await expectAnswer(await fetch(signed, { method: "HEAD" }), {
        status: 200,
        body: "",
        headers: { ...objectHeaders, "content-length": String(CSV.byteLength) },
      }, "D06");
      await (await a.upload("other.csv")).body?.cancel();
      await expectAnswer(
        await fetch(signed.replace("/u01.csv?", "/other.csv?")),
        {
          status: 400,
          body: storageError("400", "InvalidSignature", "Invalid signature", "InvalidSignature"),
        },
        "D07",
      );
      const [head, payload] = new URL(signed).searchParams.get("token")!.split(".");
      await expectAnswer(await fetch(`${signed.split("?")[0]}?token=${head}.${payload}.AAAA`), {
        status: 400,
        body: storageError("400", "InvalidJWT", "signature verification failed", "InvalidJWT"),
      }, "D08");
      await expectAnswer(await fetch(signed.split("?")[0]), {
        status: 400,
        body: storageError(
          "400",
          "Error",
          "querystring must have required property 'token'",
          "InvalidRequest",
        ),
      }, "D09");
      await expectAnswer(await fetch(`${signed.split("?")[0]}?token=${a.token}`), {
        status: 400,
        body: storageError("400", "InvalidSignature", "Invalid signature", "InvalidSignature"),
      }, "D10");
      const now = Math.floor(Date.now() / 1000);
      const late = await new SignJWT({ url: `exports/${a.id}/u01.csv`, scope: "download" })
        .setProtectedHeader({ alg: "HS256" }).setIssuedAt(now - 3).setExpirationTime(now - 1)
        .sign(new TextEncoder().encode(LOCAL_JWT_SECRET));
      await expectAnswer(await fetch(`${signed.split("?")[0]}?token=${late}`), {
        status: 400,
        body: storageError("400", "InvalidJWT", '"exp" claim timestamp check failed', "InvalidJWT"),
      }, "D12");

      const authenticated = `${stack.url}/storage/v1/object/authenticated/exports/${a.id}/u01.csv`;
      await expectAnswer(await fetch(authenticated, { headers: a.auth }), {
        status: 200,
        headers: { ...objectHeaders, "cache-control": "no-cache", expires: null },
      }, "A01");
      await expectAnswer(await fetch(a.object("u01.csv"), { headers: a.auth }), {
        status: 200,
        headers: objectHeaders,
      }, "A02");
      await expectAnswer(await fetch(a.object("missing.csv"), { headers: a.auth }), {
        status: 400,
        body: NO_SUCH_KEY,
      }, "A03");
      await expectAnswer(await fetch(authenticated), { status: 400, body: MISSING_AUTH }, "A04");
      await expectAnswer(await fetch(authenticated, { method: "HEAD", headers: a.auth }), {
        status: 200,
        body: "",
        headers: { ...objectHeaders, "cache-control": "no-cache" },
      }, "A05");
      await expectAnswer(await fetch(a.object("u01.csv"), { method: "HEAD", headers: a.auth }), {
        status: 200,
        headers: { "content-length": String(CSV.byteLength) },
      }, "A06");
      await expectAnswer(
        await fetch(`${stack.url}/storage/v1/object/public/exports/${a.id}/u01.csv`),
        {
          status: 400,
          body: storageError("404", "Bucket not found", "Bucket not found", "NoSuchBucket"),
        },
        "A07",
      );
      const open = await createTestBucket(stack.admin, { public: true });
      await (await fetch(`${stack.url}/storage/v1/object/${open}/${a.id}/a08.txt`, {
        method: "POST",
        headers: { ...a.auth, "content-type": "text/plain" },
        body: "public!",
      })).body?.cancel();
      await expectAnswer(
        await fetch(`${stack.url}/storage/v1/object/public/${open}/${a.id}/a08.txt`),
        {
          status: 200,
          body: "public!",
          headers: { "cache-control": "no-cache", "x-robots-tag": "none" },
        },
        "A08",
      );
      const info = await fetch(
        `${stack.url}/storage/v1/object/info/authenticated/exports/${a.id}/u01.csv`,
        { headers: a.auth },
      );
      assert.equal(info.status, 200, "A09");
      assert.equal(info.headers.get("etag"), MD5_CSV, "A09");
      assert.equal(info.headers.get("cache-control"), "no-cache", "A09");
      const described = await info.json();
      assert.deepEqual(Object.keys(described), [
        "id",
        "name",
        "version",
        "bucket_id",
        "size",
        "content_type",
        "cache_control",
        "etag",
        "metadata",
        "last_modified",
        "created_at",
      ], "A09: keys in Storage's order");
      assert.deepEqual(
        [described.name, described.bucket_id, described.size, described.content_type],
        [`${a.id}/u01.csv`, "exports", CSV.byteLength, "text/csv"],
      );
      await expectAnswer(
        await fetch(authenticated, { headers: { ...a.auth, range: "bytes=2-5" } }),
        {
          status: 206,
          body: new TextDecoder().decode(CSV.slice(2, 6)),
          headers: { "content-range": `bytes 2-5/${CSV.byteLength}`, "cache-control": "no-cache" },
        },
        "A10",
      );
    }),
});

Deno.test({
  name:
    "recorded routes R01-R06: list, remove without a DELETE policy, GET /bucket, unknown routes, signed upload URL",
  ignore,
  fn: () =>
    withStack(async (stack) => {
      const a = await alice(stack);
      for (const name of ["b.csv", "a.csv", "deeper/c.csv"]) {
        await (await a.upload(name)).body?.cancel();
      }
      const listed = await fetch(`${stack.url}/storage/v1/object/list/exports`, {
        method: "POST",
        headers: { ...a.auth, "content-type": "application/json" },
        body: JSON.stringify({ prefix: a.id }),
      });
      assert.equal(listed.status, 200, "R01");
      const entries = await listed.json();
      assert.deepEqual(entries.map((e: { name: string }) => e.name), ["deeper", "a.csv", "b.csv"]);
      assert.deepEqual(Object.keys(entries[1]), [
        "name",
        "id",
        "updated_at",
        "created_at",
        "last_accessed_at",
        "metadata",
      ], "R01: keys in Storage's order");
      assert.equal(entries[0].id, null, "R01: a folder has no id");
      assert.equal(entries[1].metadata.size, CSV.byteLength);

      await expectAnswer(
        await fetch(a.object("a.csv"), { method: "DELETE", headers: a.auth }),
        { status: 400, body: NO_SUCH_KEY },
        "R02",
      );
      await expectAnswer(await fetch(`${stack.url}/storage/v1/bucket`, { headers: a.auth }), {
        status: 200,
        body: "[]",
        headers: { "content-type": JSON_TYPE },
      }, "R03");
      await expectAnswer(await fetch(`${stack.url}/storage/v1/no/such/route`), {
        status: 404,
        body: {
          message: "Route GET:/no/such/route not found",
          error: "Not Found",
          statusCode: 404,
        },
      }, "R04");
      await expectAnswer(await fetch(a.object("a.csv"), { method: "OPTIONS" }), {
        status: 404,
        body: {
          statusCode: "404",
          error: "Not Found",
          message: `Route OPTIONS:/object/exports/${a.id}/a.csv not found`,
          code: "InvalidRequest",
        },
        headers: { "content-type": "application/json" },
      }, "R05");
      const r06 = await fetch(
        `${stack.url}/storage/v1/object/upload/sign/exports/${a.id}/r06.csv`,
        { method: "POST", headers: a.auth },
      );
      assert.equal(r06.status, 200, "R06");
      const { url, token } = await r06.json();
      assert.equal(url, `/object/upload/sign/exports/${a.id}/r06.csv?token=${token}`, "R06");
    }),
});

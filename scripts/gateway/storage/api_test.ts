/**
 * The Storage API stand-in against a real lab database, driven by the real
 * supabase-js client over HTTP. Ignored unless `npm test` provides a
 * throwaway database (LAB_TEST_DATABASE_URL / LAB_TEST_ADMIN_DATABASE_URL).
 */
import assert from "node:assert/strict";
import { decodeJwt, SignJWT } from "jose";
import { LOCAL_JWT_SECRET, mintAccessToken, mintApiKey } from "../../lib/local_auth.ts";
import { bytesOf, createTestBucket, CSV, exists, ignore, rowCount, withStack } from "./testing.ts";

Deno.test({
  name:
    "storage: a user uploads to their folder and downloads the same bytes, authenticated and by signed URL",
  ignore,
  fn: () =>
    withStack(async ({ user, admin, rootDir }) => {
      const alice = await user();
      const path = `${alice.id}/a.csv`;
      const bucket = alice.client.storage.from("exports");

      const uploaded = await bucket.upload(path, CSV, { contentType: "text/csv" });
      assert.deepEqual(uploaded.error, null);
      assert.deepEqual(uploaded.data?.fullPath, `exports/${path}`);
      assert.deepEqual(uploaded.data?.path, path);
      assert.match(uploaded.data?.id ?? "", /^[0-9a-f-]{36}$/);

      const [row] = await admin<
        {
          id: string;
          owner: string;
          owner_id: string;
          version: string;
          metadata: Record<string, unknown>;
        }[]
      >`
        select id, owner, owner_id, version, metadata from storage.objects where bucket_id = 'exports' and name = ${path}`;
      assert.deepEqual(row.id, uploaded.data?.id);
      assert.deepEqual(row.owner, alice.id);
      assert.deepEqual(row.owner_id, alice.id);
      assert.deepEqual(row.metadata.size, CSV.byteLength);
      assert.deepEqual(row.metadata.contentLength, CSV.byteLength);
      assert.deepEqual(row.metadata.mimetype, "text/csv");
      assert.deepEqual(row.metadata.cacheControl, "max-age=3600");
      assert.deepEqual(row.metadata.httpStatusCode, 200);
      assert.match(String(row.metadata.eTag), /^"[0-9a-f]{32}"$/);
      assert.deepEqual(await Deno.readFile(`${rootDir}/exports/${path}/${row.version}`), CSV);

      const downloaded = await bucket.download(path);
      assert.deepEqual(downloaded.error, null);
      assert.deepEqual(await bytesOf(downloaded.data), CSV);

      const signed = await bucket.createSignedUrl(path, 60);
      assert.deepEqual(signed.error, null);
      const signedUrl = signed.data!.signedUrl;
      assert.ok(signedUrl.includes(`/storage/v1/object/sign/exports/${path}?token=`));
      const claims = decodeJwt(new URL(signedUrl).searchParams.get("token")!);
      assert.deepEqual(claims.url, `exports/${path}`);
      assert.deepEqual(claims.scope, "download");
      assert.deepEqual(claims.exp! - claims.iat!, 60);

      const response = await fetch(signedUrl);
      assert.deepEqual(response.status, 200);
      assert.deepEqual(response.headers.get("content-type"), "text/csv");
      assert.deepEqual(response.headers.get("content-length"), String(CSV.byteLength));
      assert.deepEqual(response.headers.get("etag"), row.metadata.eTag);
      assert.deepEqual(response.headers.get("content-disposition"), null);
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), CSV);

      const attachment = await bucket.createSignedUrl(path, 60, { download: "report.csv" });
      const asFile = await fetch(attachment.data!.signedUrl);
      assert.deepEqual(
        asFile.headers.get("content-disposition"),
        "attachment; filename=report.csv; filename*=UTF-8''report.csv",
      );
      assert.deepEqual(new Uint8Array(await asFile.arrayBuffer()), CSV);
    }),
});

Deno.test({
  name: "storage: names with spaces and a Blob body (multipart) round-trip",
  ignore,
  fn: () =>
    withStack(async ({ user, admin }) => {
      const alice = await user();
      const path = `${alice.id}/run 1 (final).json`;
      const json = new TextEncoder().encode(JSON.stringify({ ok: true }));
      const bucket = alice.client.storage.from("exports");

      const uploaded = await bucket.upload(path, new Blob([json], { type: "application/json" }), {
        cacheControl: "60",
      });
      assert.deepEqual(uploaded.error, null);
      const [row] = await admin<{ metadata: Record<string, unknown> }[]>`
        select metadata from storage.objects where bucket_id = 'exports' and name = ${path}`;
      assert.deepEqual(row.metadata.mimetype, "application/json");
      assert.deepEqual(row.metadata.cacheControl, "max-age=60");
      assert.deepEqual(row.metadata.size, json.byteLength);

      assert.deepEqual(await bytesOf((await bucket.download(path)).data), json);
      const signed = await bucket.createSignedUrl(path, 60);
      const response = await fetch(signed.data!.signedUrl);
      assert.deepEqual(response.status, 200);
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), json);
    }),
});

Deno.test({
  name:
    "storage: uploading into another user's folder is refused by RLS and leaves no row and no file",
  ignore,
  fn: () =>
    withStack(async ({ user, admin, rootDir }) => {
      const alice = await user();
      const bob = await user();
      const path = `${alice.id}/a.csv`;

      const { data, error } = await bob.client.storage.from("exports").upload(path, CSV, {
        contentType: "text/csv",
      });
      assert.deepEqual(data, null);
      assert.ok(error);
      assert.deepEqual(error.message, "new row violates row-level security policy");
      assert.deepEqual((error as unknown as { status: number }).status, 400);
      assert.deepEqual((error as unknown as { statusCode: string }).statusCode, "403");
      assert.deepEqual(await rowCount(admin, "exports", path), 0);
      assert.deepEqual(await exists(`${rootDir}/exports/${path}`), false);
    }),
});

Deno.test({
  name: "storage: another user can neither sign nor download a user's object",
  ignore,
  fn: () =>
    withStack(async ({ user, url }) => {
      const alice = await user();
      const bob = await user();
      const path = `${alice.id}/private.csv`;
      assert.deepEqual(
        (await alice.client.storage.from("exports").upload(path, CSV, { contentType: "text/csv" }))
          .error,
        null,
      );
      const asBob = bob.client.storage.from("exports");

      const signed = await asBob.createSignedUrl(path, 60);
      assert.deepEqual(signed.data, null);
      assert.deepEqual(signed.error?.message, "Object not found");
      assert.deepEqual((signed.error as unknown as { statusCode: string }).statusCode, "404");

      const downloaded = await asBob.download(path);
      assert.deepEqual(downloaded.data, null);
      assert.ok(downloaded.error);

      const direct = await fetch(`${url}/storage/v1/object/authenticated/exports/${path}`, {
        headers: { Authorization: `Bearer ${bob.token}` },
      });
      assert.deepEqual(direct.status, 400);
      assert.deepEqual(await direct.json(), {
        statusCode: "404",
        code: "NoSuchKey",
        error: "not_found",
        message: "Object not found",
      });

      const many = await asBob.createSignedUrls([path], 60);
      assert.deepEqual(many.error, null);
      assert.deepEqual(many.data?.[0].signedUrl, null);
      assert.deepEqual(
        many.data?.[0].error,
        "Either the object does not exist or you do not have access to it",
      );

      const mine = await alice.client.storage.from("exports").createSignedUrls([
        path,
        `${alice.id}/missing.csv`,
      ], 60);
      assert.deepEqual(mine.error, null);
      assert.ok(mine.data?.[0].signedUrl);
      assert.deepEqual(mine.data?.[1].signedUrl, null);
      const fetched = await fetch(mine.data![0].signedUrl!);
      assert.deepEqual(new Uint8Array(await fetched.arrayBuffer()), CSV);
    }),
});

Deno.test({
  name: "storage: the anon key can neither upload, sign nor download",
  ignore,
  fn: () =>
    withStack(async ({ user, client, admin, rootDir }) => {
      const alice = await user();
      const path = `${alice.id}/a.csv`;
      assert.deepEqual(
        (await alice.client.storage.from("exports").upload(path, CSV, { contentType: "text/csv" }))
          .error,
        null,
      );
      const anon = client().storage.from("exports");

      const uploaded = await anon.upload(`${alice.id}/b.csv`, CSV, { contentType: "text/csv" });
      assert.deepEqual(uploaded.error?.message, "new row violates row-level security policy");
      assert.deepEqual(await rowCount(admin, "exports", `${alice.id}/b.csv`), 0);
      assert.deepEqual(await exists(`${rootDir}/exports/${alice.id}/b.csv`), false);

      assert.deepEqual((await anon.createSignedUrl(path, 60)).error?.message, "Object not found");
      assert.ok((await anon.download(path)).error);
    }),
});

Deno.test({
  name: "storage: the service role key bypasses RLS and a bad bearer token is refused",
  ignore,
  fn: () =>
    withStack(async ({ user, client, url }) => {
      const alice = await user();
      const path = `${alice.id}/by-service.csv`;
      const service = client(await mintApiKey("service_role")).storage.from("exports");
      assert.deepEqual((await service.upload(path, CSV, { contentType: "text/csv" })).error, null);
      assert.deepEqual(
        await bytesOf((await alice.client.storage.from("exports").download(path)).data),
        CSV,
      );

      const forged = await mintAccessToken(alice.id, {
        secret: "a-different-secret-with-at-least-32-characters",
      });
      const refused = await fetch(`${url}/storage/v1/object/exports/${path}`, {
        headers: { Authorization: `Bearer ${forged}` },
      });
      assert.deepEqual(refused.status, 400);
      assert.deepEqual(
        await refused.text(),
        JSON.stringify({
          statusCode: "403",
          error: "Unauthorized",
          message: "signature verification failed",
          code: "AccessDenied",
        }),
      );

      const expired = await mintAccessToken(alice.id, { expiresIn: -10 });
      const late = await fetch(`${url}/storage/v1/object/exports/${path}`, {
        headers: { Authorization: `Bearer ${expired}` },
      });
      assert.deepEqual((await late.json()).message, '"exp" claim timestamp check failed');

      const missing = await fetch(`${url}/storage/v1/object/authenticated/exports/${path}`);
      assert.deepEqual(missing.status, 400);
      assert.deepEqual(await missing.json(), {
        statusCode: "400",
        error: "Error",
        message: "headers must have required property 'authorization'",
        code: "InvalidRequest",
      });
    }),
});

Deno.test({
  name: "storage: expired, tampered and misdirected signed-URL tokens are refused",
  ignore,
  fn: () =>
    withStack(async ({ user, url }) => {
      const alice = await user();
      const path = `${alice.id}/a.csv`;
      const bucket = alice.client.storage.from("exports");
      assert.deepEqual((await bucket.upload(path, CSV, { contentType: "text/csv" })).error, null);
      assert.deepEqual(
        (await bucket.upload(`${alice.id}/other.csv`, CSV, { contentType: "text/csv" })).error,
        null,
      );
      // Valid for the whole test: the misdirected check below needs an unexpired token.
      const signed = await bucket.createSignedUrl(path, 600);
      const token = new URL(signed.data!.signedUrl).searchParams.get("token")!;
      const key = new TextEncoder().encode(LOCAL_JWT_SECRET);
      const objectUrl = `${url}/storage/v1/object/sign/exports/${path}`;

      const now = Math.floor(Date.now() / 1000);
      const expired = await new SignJWT({ url: `exports/${path}`, scope: "download" })
        .setProtectedHeader({ alg: "HS256" }).setIssuedAt(now - 120).setExpirationTime(now - 60)
        .sign(key);
      const late = await fetch(`${objectUrl}?token=${expired}`);
      assert.deepEqual(late.status, 400);
      assert.deepEqual(await late.json(), {
        statusCode: "400",
        error: "InvalidJWT",
        message: '"exp" claim timestamp check failed',
        code: "InvalidJWT",
      });

      const [header, , signature] = token.split(".");
      const widened = btoa(JSON.stringify({ ...decodeJwt(token), exp: now + 86400 })).replace(
        /=+$/,
        "",
      ).replace(/\+/g, "-")
        .replace(/\//g, "_");
      const tampered = await fetch(`${objectUrl}?token=${header}.${widened}.${signature}`);
      assert.deepEqual(tampered.status, 400);
      assert.deepEqual((await tampered.json()).message, "signature verification failed");

      const elsewhere = await fetch(
        `${url}/storage/v1/object/sign/exports/${alice.id}/other.csv?token=${token}`,
      );
      assert.deepEqual(await elsewhere.json(), {
        statusCode: "400",
        code: "InvalidSignature",
        error: "InvalidSignature",
        message: "Invalid signature",
      });

      const upload = await new SignJWT({
        url: `exports/${path}`,
        scope: "upload",
        owner: alice.id,
        upsert: false,
      })
        .setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime("1h").sign(key);
      assert.deepEqual(
        (await (await fetch(`${objectUrl}?token=${upload}`)).json()).code,
        "InvalidJWT",
      );

      const garbage = await fetch(`${objectUrl}?token=not-a-jwt`);
      assert.deepEqual((await garbage.json()).message, "Invalid Compact JWS");
      assert.deepEqual((await fetch(objectUrl)).status, 400);
    }),
});

Deno.test({
  name: "storage: a MIME type the bucket does not allow and an oversize body are refused",
  ignore,
  fn: () =>
    withStack(async ({ user, admin, rootDir }) => {
      const alice = await user();
      const wrong = await alice.client.storage.from("exports").upload(`${alice.id}/a.txt`, CSV, {
        contentType: "text/plain",
      });
      assert.deepEqual(wrong.error?.message, "mime type text/plain is not supported");
      assert.deepEqual((wrong.error as unknown as { statusCode: string }).statusCode, "415");
      assert.deepEqual(await rowCount(admin, "exports", `${alice.id}/a.txt`), 0);

      const small = await createTestBucket(admin, { fileSizeLimit: 16 });
      const bucket = alice.client.storage.from(small);
      const tooBig = await bucket.upload(`${alice.id}/big.bin`, new Uint8Array(17), {
        contentType: "application/octet-stream",
      });
      assert.deepEqual(tooBig.error?.message, "The object exceeded the maximum allowed size");
      assert.deepEqual((tooBig.error as unknown as { statusCode: string }).statusCode, "413");
      assert.deepEqual(await rowCount(admin, small, `${alice.id}/big.bin`), 0);
      assert.deepEqual(await exists(`${rootDir}/${small}/${alice.id}/big.bin`), false);

      const streamed = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(8));
          controller.close();
        },
      });
      const chunked = await bucket.upload(`${alice.id}/chunked.bin`, streamed, {
        contentType: "application/octet-stream",
      });
      assert.deepEqual((chunked.error as unknown as { statusCode: string }).statusCode, "413");
      assert.deepEqual(await rowCount(admin, small, `${alice.id}/chunked.bin`), 0);

      const tooBigBlob = await bucket.upload(
        `${alice.id}/big-blob.bin`,
        new Blob([new Uint8Array(17)]),
      );
      assert.deepEqual((tooBigBlob.error as unknown as { statusCode: string }).statusCode, "413");

      const fits = await bucket.upload(`${alice.id}/fits.bin`, new Uint8Array(16), {
        contentType: "application/octet-stream",
      });
      assert.deepEqual(fits.error, null);
      const leftovers = [...Deno.readDirSync(`${rootDir}/.tmp~`)];
      assert.deepEqual(leftovers, []);

      const missing = await alice.client.storage.from(`missing-${crypto.randomUUID()}`).upload(
        `${alice.id}/a.csv`,
        CSV,
      );
      assert.deepEqual(missing.error?.message, "Bucket not found");
      assert.deepEqual((missing.error as unknown as { statusCode: string }).statusCode, "404");
    }),
});

Deno.test({
  name: "storage: a duplicate upload is refused without upsert and replaces the object with upsert",
  ignore,
  fn: () =>
    withStack(async ({ user, admin }) => {
      const alice = await user();
      const id = await createTestBucket(admin, { update: true });
      const bucket = alice.client.storage.from(id);
      const path = `${alice.id}/a.csv`;
      const first = await bucket.upload(path, CSV, { contentType: "text/csv" });
      assert.deepEqual(first.error, null);

      const again = await bucket.upload(path, CSV, { contentType: "text/csv" });
      assert.deepEqual(again.error?.message, "The resource already exists");
      assert.deepEqual((again.error as unknown as { statusCode: string }).statusCode, "409");

      const replacement = new TextEncoder().encode("id,score\n3,1\n");
      const upserted = await bucket.upload(path, replacement, {
        contentType: "text/csv",
        upsert: true,
      });
      assert.deepEqual(upserted.error, null);
      assert.deepEqual(upserted.data?.id, first.data?.id);
      assert.deepEqual(await bytesOf((await bucket.download(path)).data), replacement);

      const updated = await bucket.update(path, CSV, { contentType: "text/csv" });
      assert.deepEqual(updated.error, null);
      assert.deepEqual(await bytesOf((await bucket.download(path)).data), CSV);
      assert.deepEqual(await rowCount(admin, id, path), 1);
    }),
});

Deno.test({
  name:
    "storage: without an update policy (the exports bucket) an upsert over an existing object is refused",
  ignore,
  fn: () =>
    withStack(async ({ user }) => {
      const alice = await user();
      const bucket = alice.client.storage.from("exports");
      const path = `${alice.id}/a.csv`;
      assert.deepEqual((await bucket.upload(path, CSV, { contentType: "text/csv" })).error, null);
      const upserted = await bucket.upload(path, new TextEncoder().encode("x\n"), {
        contentType: "text/csv",
        upsert: true,
      });
      assert.deepEqual((upserted.error as unknown as { statusCode: string }).statusCode, "403");
      assert.deepEqual(await bytesOf((await bucket.download(path)).data), CSV);
    }),
});

Deno.test({
  name: "storage: unsupported routes and unsafe keys get Storage's error bodies",
  ignore,
  fn: () =>
    withStack(async ({ user, url }) => {
      const alice = await user();
      const headers = { Authorization: `Bearer ${alice.token}` };
      const unknown = await fetch(`${url}/storage/v1/no/such/route`, { headers });
      assert.deepEqual(unknown.status, 404);
      assert.deepEqual(
        await unknown.text(),
        JSON.stringify({
          message: "Route GET:/no/such/route not found",
          error: "Not Found",
          statusCode: 404,
        }),
      );
      const escape = await fetch(`${url}/storage/v1/object/exports/${alice.id}/..%2F..%2Fx.csv`, {
        method: "POST",
        headers: { ...headers, "content-type": "text/csv" },
        body: "a\n",
      });
      assert.deepEqual(escape.status, 400);
      assert.deepEqual((await escape.json()).code, "InvalidKey");
    }),
});

Deno.test({
  name:
    "storage: an upload whose body stops arriving ends 408 and leaves nothing behind (issue 19)",
  ignore,
  fn: () =>
    withStack(async ({ user, url, rootDir }) => {
      const alice = await user();
      // A raw connection: fetch would not read the answer before its body ends.
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(url).port) });
      const head = `POST /storage/v1/object/exports/${alice.id}/stalled.csv HTTP/1.1\r\n` +
        `host: x\r\nauthorization: Bearer ${alice.token}\r\ncontent-type: text/csv\r\n` +
        `transfer-encoding: chunked\r\n\r\n4\r\na,b\n\r\n`;
      await conn.write(new TextEncoder().encode(head));
      const buffer = new Uint8Array(4096);
      const read = await conn.read(buffer);
      conn.close();
      const answer = new TextDecoder().decode(buffer.subarray(0, read ?? 0));
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.match(answer, /"message":"Request timeout"/);
      assert.deepEqual([...Deno.readDirSync(`${rootDir}/.tmp~`)], []);
      assert.equal(await exists(`${rootDir}/exports/${alice.id}/stalled.csv`), false);
    }, { bodyIdleTimeoutMs: 50 }),
});

/**
 * Conformance: unmodified supabase-js `storage` calls (and tus-js-client for
 * resumable uploads, as Supabase documents them) against the Storage
 * stand-in through the gateway, each answer as Storage gives it.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import * as tus from "tus-js-client";
import { mintAccessToken } from "../../lib/local_auth.ts";
import { resumableUploads } from "../../../supabase/functions/_shared/integrations/resumable_upload.ts";
import { ignore, withConformance } from "./stack.ts";

const CSV = new TextEncoder().encode("a,b\n1,2\n");

Deno.test({
  name:
    "storage-js: upload, list, info, exists, download with range, remove and listBuckets behave as on Supabase",
  ignore,
  fn: () =>
    withConformance(async ({ user, fixtures: f }) => {
      const alice = await user();
      const bucket = alice.client.storage.from(f.bucket);
      for (const name of ["b.csv", "a.csv", "folder/c.csv"]) {
        const { error } = await bucket.upload(`${alice.id}/${name}`, CSV, {
          contentType: "text/csv",
        });
        assert.equal(error, null, name);
      }
      const listed = await bucket.list(alice.id);
      assert.equal(listed.error, null);
      assert.deepEqual(listed.data?.map((e) => e.name), ["folder", "a.csv", "b.csv"]);
      const page = await bucket.list(alice.id, {
        limit: 1,
        offset: 1,
        sortBy: { column: "name", order: "desc" },
      });
      assert.deepEqual(page.data?.map((e) => e.name), ["b.csv"]);
      const searched = await bucket.list(alice.id, { search: "a" });
      assert.deepEqual(searched.data?.map((e) => e.name), ["a.csv"]);

      const info = await bucket.info(`${alice.id}/a.csv`);
      assert.equal(info.error, null);
      assert.equal(info.data?.size, CSV.byteLength);
      assert.equal(info.data?.contentType, "text/csv");
      assert.equal(info.data?.bucketId, f.bucket);

      assert.deepEqual(await bucket.exists(`${alice.id}/a.csv`), { data: true, error: null });
      const missing = await bucket.exists(`${alice.id}/missing.csv`);
      assert.equal(missing.data, false);

      const bob = await user();
      const stranger = await bob.client.storage.from(f.bucket).exists(`${alice.id}/a.csv`);
      assert.equal(stranger.data, false, "RLS hides another user's object");

      const removed = await bucket.remove([`${alice.id}/a.csv`, `${alice.id}/nothing.csv`]);
      assert.equal(removed.error, null);
      assert.deepEqual(removed.data?.map((o) => o.name), [`${alice.id}/a.csv`]);
      assert.equal((await bucket.exists(`${alice.id}/a.csv`)).data, false);
      const notTheirs = await bob.client.storage.from(f.bucket).remove([`${alice.id}/b.csv`]);
      assert.deepEqual(notTheirs.data, []);
      assert.equal((await bucket.exists(`${alice.id}/b.csv`)).data, true);

      const buckets = await alice.client.storage.listBuckets();
      assert.equal(buckets.error, null);
      assert.deepEqual(buckets.data, [], "no policy on storage.buckets: a user sees none (R03)");
    }),
});

Deno.test({
  name:
    "storage-js: createSignedUploadUrl checks RLS when signing; uploadToSignedUrl needs only the token and records the signer",
  ignore,
  fn: () =>
    withConformance(async ({ user, anon, admin, fixtures: f }) => {
      const alice = await user();
      const bucket = alice.client.storage.from(f.bucket);
      const path = `${alice.id}/signed.csv`;
      const signed = await bucket.createSignedUploadUrl(path);
      assert.equal(signed.error, null);
      const uploaded = await anon.storage.from(f.bucket).uploadToSignedUrl(
        path,
        signed.data!.token,
        CSV,
        { contentType: "text/csv" },
      );
      assert.equal(uploaded.error, null);
      assert.equal(uploaded.data?.path, path);
      const [row] = await admin<{ owner: string }[]>`
        select owner::text from storage.objects where bucket_id = ${f.bucket} and name = ${path}`;
      assert.equal(row.owner, alice.id);
      const download = await bucket.download(path);
      assert.deepEqual(new Uint8Array(await download.data!.arrayBuffer()), CSV);

      const again = await anon.storage.from(f.bucket).uploadToSignedUrl(
        path,
        signed.data!.token,
        CSV,
        { contentType: "text/csv" },
      );
      assert.equal((again.error as unknown as { statusCode: string })?.statusCode, "409");
      const elsewhere = await anon.storage.from(f.bucket).uploadToSignedUrl(
        `${alice.id}/other.csv`,
        signed.data!.token,
        CSV,
      );
      assert.equal(
        (elsewhere.error as unknown as { statusCode: string })?.statusCode,
        "400",
        "a token is for one path (InvalidSignature)",
      );

      const bob = await user();
      const refused = await bob.client.storage.from(f.bucket).createSignedUploadUrl(path);
      assert.equal((refused.error as unknown as { statusCode: string })?.statusCode, "403");
    }),
});

Deno.test({
  name:
    "storage: a 20 MB resumable upload through tus-js-client (tus 1.0.0, 6 MB chunks, x-upsert, Supabase's metadata) lands byte for byte",
  ignore,
  fn: () =>
    withConformance(async ({ url, user, fixtures: f }) => {
      const alice = await user();
      const size = 20 * 1024 * 1024;
      const bytes = Buffer.alloc(size);
      for (let i = 0; i < size; i += 4096) bytes[i] = (i / 4096) % 251;
      const objectName = `${alice.id}/big.csv`;
      const offsets: number[] = [];
      const upload = (upsert: boolean) =>
        new Promise<void>((resolve, reject) => {
          const task = new tus.Upload(bytes, {
            endpoint: `${url}/storage/v1/upload/resumable`,
            retryDelays: [],
            headers: { authorization: `Bearer ${alice.token}`, "x-upsert": String(upsert) },
            uploadDataDuringCreation: true,
            removeFingerprintOnSuccess: true,
            metadata: {
              bucketName: f.bucket,
              objectName,
              contentType: "text/csv",
              cacheControl: "3600",
            },
            chunkSize: 6 * 1024 * 1024,
            onProgress: (sent) => offsets.push(sent),
            onError: reject,
            onSuccess: () => resolve(),
          });
          task.start();
        });
      await upload(false);
      assert.ok(offsets.length >= 4, "sent in 6 MB chunks");
      const bucket = alice.client.storage.from(f.bucket);
      const info = await bucket.info(objectName);
      assert.equal(info.data?.size, size);
      assert.equal(info.data?.cacheControl, "max-age=3600");
      const downloaded = new Uint8Array(
        await (await bucket.download(objectName)).data!.arrayBuffer(),
      );
      assert.equal(
        createHash("md5").update(downloaded).digest("hex"),
        createHash("md5").update(bytes).digest("hex"),
      );

      // Without x-upsert the same name is taken (KeyAlreadyExists, 409); with it, replaced.
      await assert.rejects(upload(false), (error: tus.DetailedError) => {
        assert.equal(error.originalResponse?.getStatus(), 409);
        assert.equal(JSON.parse(error.originalResponse!.getBody()).code, "KeyAlreadyExists");
        return true;
      });
      bytes[0] = 42;
      await upload(true);
      const replaced = await bucket.download(objectName);
      assert.equal(
        new Uint8Array(await replaced.data!.arrayBuffer())[0],
        42,
        "x-upsert replaces it",
      );
      const bob = await user();
      const bobsTry = new Promise<void>((resolve, reject) =>
        new tus.Upload(Buffer.from("x"), {
          endpoint: `${url}/storage/v1/upload/resumable`,
          retryDelays: [],
          headers: { authorization: `Bearer ${bob.token}` },
          metadata: {
            bucketName: f.bucket,
            objectName: `${alice.id}/bob.csv`,
            contentType: "text/csv",
          },
          onError: reject,
          onSuccess: () => resolve(),
        }).start()
      );
      await assert.rejects(bobsTry, (error: tus.DetailedError) => {
        assert.equal(error.originalResponse?.getStatus(), 403, "RLS refuses at creation");
        return true;
      });
    }),
});

Deno.test({
  name:
    "storage: tus by hand — OPTIONS, creation, HEAD offset, resume after a partial PATCH, offset mismatch 409, termination",
  ignore,
  fn: () =>
    withConformance(async ({ url, user, fixtures: f }) => {
      const alice = await user();
      const endpoint = `${url}/storage/v1/upload/resumable`;
      const tusHeaders = { "tus-resumable": "1.0.0", authorization: `Bearer ${alice.token}` };
      const options = await fetch(endpoint, { method: "OPTIONS" });
      assert.equal(options.status, 204);
      assert.equal(options.headers.get("tus-version"), "1.0.0");
      assert.match(options.headers.get("tus-extension") ?? "", /creation/);
      const b64 = (s: string) => btoa(s);
      const created = await fetch(endpoint, {
        method: "POST",
        headers: {
          ...tusHeaders,
          "upload-length": "10",
          "upload-metadata": `bucketName ${b64(f.bucket)},objectName ${
            b64(`${alice.id}/hand.txt`)
          },contentType ${b64("text/plain")}`,
        },
      });
      assert.equal(created.status, 201);
      const location = created.headers.get("location")!;
      assert.ok(location.startsWith(`${endpoint}/`));
      const patch = (offset: number, body: string) =>
        fetch(location, {
          method: "PATCH",
          headers: {
            ...tusHeaders,
            "upload-offset": String(offset),
            "content-type": "application/offset+octet-stream",
          },
          body,
        });
      const first = await patch(0, "hello");
      assert.equal(first.status, 204);
      assert.equal(first.headers.get("upload-offset"), "5");
      const head = await fetch(location, { method: "HEAD", headers: tusHeaders });
      assert.equal(head.headers.get("upload-offset"), "5");
      assert.equal(head.headers.get("upload-length"), "10");
      assert.equal((await patch(2, "xx")).status, 409);
      assert.equal((await patch(5, "world")).status, 204);
      const done = await alice.client.storage.from(f.bucket).download(`${alice.id}/hand.txt`);
      assert.equal(await done.data?.text(), "helloworld");

      const noVersion = await fetch(endpoint, {
        method: "POST",
        headers: { authorization: tusHeaders.authorization },
      });
      assert.equal(noVersion.status, 412);
      await noVersion.body?.cancel();
      const other = await fetch(endpoint, {
        method: "POST",
        headers: {
          ...tusHeaders,
          "upload-length": "3",
          "upload-metadata": `bucketName ${b64(f.bucket)},objectName ${
            b64(`${alice.id}/gone.txt`)
          }`,
        },
      });
      const abandoned = other.headers.get("location")!;
      assert.equal((await fetch(abandoned, { method: "DELETE", headers: tusHeaders })).status, 204);
      const afterDelete = await fetch(abandoned, { method: "HEAD", headers: tusHeaders });
      assert.equal(afterDelete.status, 404);
      const bob = await mintAccessToken((await user()).id);
      const foreign = await fetch(location, {
        method: "HEAD",
        headers: { ...tusHeaders, authorization: `Bearer ${bob}` },
      });
      assert.equal(foreign.status, 404, "another caller cannot see an upload in progress");
    }),
});

Deno.test({
  name:
    "storage: issue 19 — x.csv/child.csv after x.csv, a sub that is no UUID and a huge JSON body are 4xx",
  ignore,
  fn: () =>
    withConformance(async ({ url, user, fixtures: f }) => {
      const alice = await user();
      const bucket = alice.client.storage.from(f.bucket);
      assert.equal(
        (await bucket.upload(`${alice.id}/x.csv`, CSV, { contentType: "text/csv" })).error,
        null,
      );
      const child = await bucket.upload(`${alice.id}/x.csv/child.csv`, CSV, {
        contentType: "text/csv",
      });
      assert.equal(child.error, null);
      assert.deepEqual(
        new Uint8Array(await (await bucket.download(`${alice.id}/x.csv`)).data!.arrayBuffer()),
        CSV,
      );

      const notUuid = await mintAccessToken("not-a-uuid");
      const odd = await fetch(`${url}/storage/v1/object/${f.bucket}/not-a-uuid/a.csv`, {
        method: "POST",
        headers: { authorization: `Bearer ${notUuid}`, "content-type": "text/csv" },
        body: CSV,
      });
      assert.equal(odd.status, 400);
      assert.equal((await odd.json()).code, "InvalidJWT");

      const huge = await fetch(`${url}/storage/v1/object/sign/${f.bucket}/${alice.id}/x.csv`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/json" },
        body: JSON.stringify({ expiresIn: 60, pad: "x".repeat(2 * 1024 * 1024) }),
      });
      assert.equal(huge.status, 413);
      assert.equal((await huge.json()).message, "Request body is too large");
    }),
});

Deno.test({
  name:
    "storage: tus creation-defer-length — Upload-Defer-Length: 1, HEAD says so, the last PATCH declares the length once, only then the object exists",
  ignore,
  fn: () =>
    withConformance(async ({ url, user, fixtures: f }) => {
      const alice = await user();
      const endpoint = `${url}/storage/v1/upload/resumable`;
      const tusHeaders = { "tus-resumable": "1.0.0", authorization: `Bearer ${alice.token}` };
      const options = await fetch(endpoint, { method: "OPTIONS" });
      assert.match(options.headers.get("tus-extension") ?? "", /creation-defer-length/);
      const uploads = resumableUploads({ supabaseUrl: url, bucket: f.bucket, key: alice.token });
      const name = `${alice.id}/deferred.txt`;
      const location = await uploads.start(name, "text/plain");
      const head = await fetch(location, { method: "HEAD", headers: tusHeaders });
      assert.equal(head.headers.get("upload-defer-length"), "1");
      assert.equal(head.headers.get("upload-length"), null);
      let offset = await uploads.append(location, 0, new TextEncoder().encode("hello "));
      assert.equal(await uploads.offset(location), 6);
      const bucket = alice.client.storage.from(f.bucket);
      assert.equal(
        (await bucket.exists(name)).data,
        false,
        "no object before the length is declared",
      );
      offset = await uploads.append(location, offset, new TextEncoder().encode("world"), {
        final: true,
      });
      assert.equal(offset, 11);
      assert.equal(await (await bucket.download(name)).data?.text(), "hello world");
      assert.equal(await uploads.offset(location), null, "a completed upload is gone");

      const again = await uploads.start(`${alice.id}/twice.txt`, "text/plain");
      const declare = (length: string, at: number, body: string) =>
        fetch(again, {
          method: "PATCH",
          headers: {
            ...tusHeaders,
            "upload-offset": String(at),
            "upload-length": length,
            "content-type": "application/offset+octet-stream",
          },
          body,
        });
      const declared = await declare("4", 0, "ab");
      assert.equal(declared.status, 204);
      const changed = await declare("5", 2, "c");
      assert.equal(changed.status, 400, "a declared length cannot change");
      await changed.body?.cancel();
      assert.equal(
        (await fetch(again, { method: "HEAD", headers: tusHeaders })).headers.get("upload-length"),
        "4",
      );
      const both = await fetch(endpoint, {
        method: "POST",
        headers: { ...tusHeaders, "upload-length": "3", "upload-defer-length": "1" },
      });
      assert.equal(both.status, 400, "Upload-Length and Upload-Defer-Length together are refused");
      await both.body?.cancel();
      await uploads.abandon(again);
      await uploads.abandon(again);
      assert.equal(await uploads.offset(again), null);
      assert.equal(
        (await bucket.exists(`${alice.id}/twice.txt`)).data,
        false,
        "an abandoned upload leaves no object",
      );
    }),
});

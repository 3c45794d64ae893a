import { deepEqual, equal, ok as assert, rejects } from "node:assert/strict";
import { HttpError } from "../errors.ts";
import { userStorageFactory } from "./storage.ts";

interface Seen {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

/** A fetch that records requests and answers with `reply`. */
function fakeFetch(reply: (request: Request) => Response) {
  const seen: Seen[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    seen.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: await request.clone().text(),
    });
    return reply(request);
  };
  return { fetch: fetch as typeof globalThis.fetch, seen };
}

const options = { supabaseUrl: "http://storage.test", anonKey: "anon-key", bucket: "exports" };

Deno.test("upload sends the bytes with the caller's JWT, the anon apikey and the content type, never upserting", async () => {
  const { fetch, seen } = fakeFetch(() => Response.json({ Id: "1", Key: "exports/u/e.csv" }));
  const storage = userStorageFactory({ ...options, fetch })("caller-jwt");
  const body = new Blob(["a,b\r\n"]).stream();
  await storage.upload("u/e.csv", body, "text/csv");
  equal(seen.length, 1);
  const [request] = seen;
  equal(request.method, "POST");
  equal(request.url, "http://storage.test/storage/v1/object/exports/u/e.csv");
  equal(request.headers.get("authorization"), "Bearer caller-jwt");
  equal(request.headers.get("apikey"), "anon-key");
  equal(request.headers.get("content-type"), "text/csv");
  equal(request.headers.get("x-upsert"), "false");
  equal(request.body, "a,b\r\n");
});

Deno.test("createSignedUrl asks for the TTL and returns an absolute URL with its expiry", async () => {
  const { fetch, seen } = fakeFetch(() =>
    Response.json({ signedURL: "/object/sign/exports/u/e.csv?token=abc" })
  );
  const storage = userStorageFactory({ ...options, fetch })("caller-jwt");
  const before = Date.now();
  const signed = await storage.createSignedUrl("u/e.csv", 600);
  equal(signed.url, "http://storage.test/storage/v1/object/sign/exports/u/e.csv?token=abc");
  deepEqual(JSON.parse(seen[0].body), { expiresIn: 600 });
  equal(seen[0].headers.get("authorization"), "Bearer caller-jwt");
  const ttl = signed.expiresAt.getTime() - before;
  assert(ttl >= 600_000 && ttl <= 600_000 + 60_000, `expiry ${ttl} ms ahead`);
});

Deno.test("a refused upload is a 502 storage_unavailable that keeps Storage's message out of the answer", async () => {
  const { fetch } = fakeFetch(() =>
    Response.json(
      {
        statusCode: "403",
        error: "Unauthorized",
        message: "new row violates row-level security policy",
      },
      { status: 400 },
    )
  );
  const storage = userStorageFactory({ ...options, fetch })("caller-jwt");
  await rejects(storage.upload("other/e.csv", new Uint8Array([1]), "text/csv"), (e: unknown) => {
    assert(e instanceof HttpError);
    equal(e.status, 502);
    equal(e.code, "storage_unavailable");
    assert(!e.message.includes("row-level"));
    return true;
  });
});

Deno.test("Storage whose database is away (503) is a 503 to try again, not a 502", async () => {
  const { fetch } = fakeFetch(() =>
    Response.json({
      statusCode: "503",
      code: "DatabaseConnectionLimit",
      error: "Service Unavailable",
      message: "The database is unavailable. Please try again later.",
    }, { status: 503 })
  );
  const storage = userStorageFactory({ ...options, fetch })("caller-jwt");
  await rejects(storage.upload("u/e.csv", new Uint8Array([1]), "text/csv"), (e: unknown) => {
    assert(e instanceof HttpError);
    equal(e.status, 503);
    equal(e.code, "service_unavailable");
    return true;
  });
});

Deno.test("an upload over the bucket's size limit is a 413 export_too_large", async () => {
  const { fetch } = fakeFetch(() =>
    Response.json({
      statusCode: "413",
      error: "Payload too large",
      message: "The object exceeded the maximum allowed size",
    }, {
      status: 413,
    })
  );
  const storage = userStorageFactory({ ...options, fetch })("caller-jwt");
  await rejects(storage.upload("u/e.zip", new Uint8Array([1]), "application/zip"), (e: unknown) => {
    assert(e instanceof HttpError);
    equal(e.status, 413);
    equal(e.code, "export_too_large");
    return true;
  });
});

Deno.test("an unreachable Storage is a 502 storage_unavailable for signing too", async () => {
  const fetch = (() =>
    Promise.reject(
      new TypeError("error sending request: connection refused"),
    )) as typeof globalThis.fetch;
  const storage = userStorageFactory({ ...options, fetch })("caller-jwt");
  await rejects(storage.createSignedUrl("u/e.csv", 60), (e: unknown) => {
    assert(e instanceof HttpError);
    equal(e.status, 502);
    equal(e.message, "Storage unavailable: cannot create a download link");
    return true;
  });
});

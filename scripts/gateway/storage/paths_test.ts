import assert from "node:assert/strict";
import { assertValidObject, matchStorageRoute } from "./paths.ts";

const none = new Headers();

Deno.test("matchStorageRoute: uploads are POST (x-upsert decides) or PUT (always upsert)", () => {
  assert.deepEqual(matchStorageRoute("POST", "/storage/v1/object/exports/u/a.csv", none), {
    kind: "upload",
    bucket: "exports",
    name: "u/a.csv",
    upsert: false,
  });
  const upsert = new Headers({ "x-upsert": "true" });
  assert.equal(
    matchStorageRoute("POST", "/storage/v1/object/exports/u/a.csv", upsert)?.kind,
    "upload",
  );
  assert.deepEqual(matchStorageRoute("POST", "/storage/v1/object/exports/u/a.csv", upsert), {
    kind: "upload",
    bucket: "exports",
    name: "u/a.csv",
    upsert: true,
  });
  assert.deepEqual(matchStorageRoute("PUT", "/storage/v1/object/exports/a.csv", none), {
    kind: "upload",
    bucket: "exports",
    name: "a.csv",
    upsert: true,
  });
});

Deno.test("matchStorageRoute: sign, signed download and downloads are told apart", () => {
  assert.deepEqual(matchStorageRoute("POST", "/storage/v1/object/sign/exports/u/a.csv", none), {
    kind: "sign",
    bucket: "exports",
    name: "u/a.csv",
  });
  assert.deepEqual(matchStorageRoute("POST", "/storage/v1/object/sign/exports", none), {
    kind: "signMany",
    bucket: "exports",
  });
  assert.equal(
    matchStorageRoute("GET", "/storage/v1/object/sign/exports/u/a.csv", none)?.kind,
    "signedDownload",
  );
  assert.equal(
    matchStorageRoute("GET", "/storage/v1/object/authenticated/exports/u/a.csv", none)?.kind,
    "authenticatedDownload",
  );
  assert.equal(
    matchStorageRoute("GET", "/storage/v1/object/exports/u/a.csv", none)?.kind,
    "authenticatedDownload",
  );
  assert.equal(
    matchStorageRoute("GET", "/storage/v1/object/public/avatars/a.png", none)?.kind,
    "publicDownload",
  );
});

Deno.test("matchStorageRoute: segments are URL-decoded, an encoded slash stays inside the name", () => {
  const route = matchStorageRoute(
    "GET",
    "/storage/v1/object/exports/u/run%201%20(final).csv",
    none,
  );
  assert.deepEqual(route, {
    kind: "authenticatedDownload",
    bucket: "exports",
    name: "u/run 1 (final).csv",
  });
  assert.equal(
    matchStorageRoute("GET", "/storage/v1/object/exports/u/..%2Fx", none)?.kind,
    "authenticatedDownload",
  );
  assert.equal(matchStorageRoute("GET", "/storage/v1/object/exports/%E0%A4%A", none), null);
});

Deno.test("matchStorageRoute: Storage's other routes and unknown paths are not served", () => {
  for (
    const [method, path] of [
      ["POST", "/storage/v1/object/move"],
      ["POST", "/storage/v1/bucket"],
      ["GET", "/storage/v1/object/exports"],
      ["PUT", "/storage/v1/object/sign/exports/a.csv"],
      ["OPTIONS", "/storage/v1/object/exports/a.csv"],
      ["GET", "/storage/v1/upload/resumable"],
    ]
  ) {
    assert.equal(matchStorageRoute(method, path, none), null, `${method} ${path}`);
  }
});

Deno.test("matchStorageRoute: the routes storage-js calls for list, info, exists, remove, signed and resumable uploads", () => {
  const cases: [string, string, unknown][] = [
    ["POST", "/storage/v1/object/list/exports", { kind: "list", bucket: "exports" }],
    ["GET", "/storage/v1/object/info/exports/u/a.csv", {
      kind: "info",
      bucket: "exports",
      name: "u/a.csv",
    }],
    ["GET", "/storage/v1/object/info/authenticated/exports/a.csv", {
      kind: "info",
      bucket: "exports",
      name: "a.csv",
    }],
    ["GET", "/storage/v1/object/info/public/pub/a.csv", {
      kind: "publicInfo",
      bucket: "pub",
      name: "a.csv",
    }],
    ["HEAD", "/storage/v1/object/exports/u/a.csv", {
      kind: "authenticatedDownload",
      bucket: "exports",
      name: "u/a.csv",
    }],
    ["HEAD", "/storage/v1/object/sign/exports/a.csv", {
      kind: "signedDownload",
      bucket: "exports",
      name: "a.csv",
    }],
    ["DELETE", "/storage/v1/object/exports", { kind: "removeMany", bucket: "exports" }],
    ["DELETE", "/storage/v1/object/exports/u/a.csv", {
      kind: "remove",
      bucket: "exports",
      name: "u/a.csv",
    }],
    ["POST", "/storage/v1/object/upload/sign/exports/a.csv", {
      kind: "signUpload",
      bucket: "exports",
      name: "a.csv",
      upsert: false,
    }],
    ["PUT", "/storage/v1/object/upload/sign/exports/a.csv", {
      kind: "signedUpload",
      bucket: "exports",
      name: "a.csv",
    }],
    ["GET", "/storage/v1/bucket", { kind: "listBuckets" }],
    ["POST", "/storage/v1/upload/resumable", { kind: "resumable", id: null }],
    ["PATCH", "/storage/v1/upload/resumable/abc", { kind: "resumable", id: "abc" }],
  ];
  for (const [method, path, route] of cases) {
    assert.deepEqual(matchStorageRoute(method, path, none), route, `${method} ${path}`);
  }
});

Deno.test("assertValidObject: accepts Storage's key characters and refuses traversal and odd characters", () => {
  assertValidObject("exports", "0b6c/run 1 (final)+v2.csv");
  assert.throws(() => assertValidObject("exports", "u/../x.csv"), {
    code: "InvalidKey",
    message: "Invalid key: u/../x.csv",
  });
  assert.throws(() => assertValidObject("exports", "u//x.csv"), { code: "InvalidKey" });
  assert.throws(() => assertValidObject("exports", "u/x\u0000.csv"), { code: "InvalidKey" });
  assert.throws(() => assertValidObject("exports", "u/résumé.csv"), { code: "InvalidKey" });
  assert.throws(() => assertValidObject("exports", ""), { code: "InvalidKey" });
  assert.throws(() => assertValidObject("..", "x.csv"), { code: "InvalidBucketName" });
  assert.throws(() => assertValidObject("a/b", "x.csv"), { code: "InvalidBucketName" });
});

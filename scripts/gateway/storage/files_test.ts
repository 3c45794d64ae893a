import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { objectFilePath, openObjectFile, publishStaged, stageUpload } from "./files.ts";

function streamOf(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "lab_storage_files_" });
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("stageUpload + publishStaged: bytes land at <root>/<bucket>/<name>/<version> with size and quoted md5 eTag", () =>
  withRoot(async (root) => {
    const bytes = new TextEncoder().encode("a,b\n1,2\n");
    const staged = await stageUpload(root, streamOf(bytes.slice(0, 3), bytes.slice(3)), 1024);
    assert.equal(staged.size, bytes.length);
    assert.equal(staged.eTag, `"${createHash("md5").update(bytes).digest("hex")}"`);
    const target = objectFilePath(root, "exports", "u/deep/a.csv", "v1");
    assert.equal(target, `${root}/exports/u/deep/a.csv/v1`);
    await publishStaged(staged, target);
    assert.deepEqual(await Deno.readFile(target), bytes);
    assert.deepEqual([...Deno.readDirSync(`${root}/.tmp~`)], []);

    const opened = await openObjectFile(target);
    assert.equal(opened.size, bytes.length);
    assert.deepEqual(new Uint8Array(await new Response(opened.stream()).arrayBuffer()), bytes);
    const part = await openObjectFile(target);
    const range = part.stream({ start: 2, end: 4 });
    assert.deepEqual(new Uint8Array(await new Response(range).arrayBuffer()), bytes.slice(2, 5));
  }));

Deno.test("objectFilePath: an object and a key below it both have a place (issue 19: x.csv then x.csv/child.csv)", () =>
  withRoot(async (root) => {
    for (const name of ["u/x.csv", "u/x.csv/child.csv"]) {
      const staged = await stageUpload(root, streamOf(new TextEncoder().encode(name)), 1024);
      await publishStaged(staged, objectFilePath(root, "exports", name, "v1"));
    }
    assert.equal(
      await Deno.readTextFile(objectFilePath(root, "exports", "u/x.csv", "v1")),
      "u/x.csv",
    );
    assert.equal(
      await Deno.readTextFile(objectFilePath(root, "exports", "u/x.csv/child.csv", "v1")),
      "u/x.csv/child.csv",
    );
  }));

Deno.test("stageUpload: more bytes than the limit fail with EntityTooLarge and leave no file", () =>
  withRoot(async (root) => {
    await assert.rejects(stageUpload(root, streamOf(new Uint8Array(8), new Uint8Array(8)), 15), {
      code: "EntityTooLarge",
      httpStatusCode: 413,
    });
    assert.deepEqual([...Deno.readDirSync(`${root}/.tmp~`)], []);
    const exact = await stageUpload(root, streamOf(new Uint8Array(15)), 15);
    assert.equal(exact.size, 15);
  }));

Deno.test("openObjectFile: a missing file is NoSuchKey", () =>
  withRoot(async (root) => {
    await assert.rejects(openObjectFile(`${root}/exports/nothing`), {
      code: "NoSuchKey",
      message: "Object not found",
    });
  }));

import { deepEqual, equal, rejects } from "node:assert/strict";
import { HttpError } from "../../_shared/errors.ts";
import { writeText } from "../../_shared/byte_writer.ts";
import { uploadWhileBuilding } from "./upload_while_building.ts";

/** A bucket that keeps an object only when its body ended normally, as Storage does. */
function bucket() {
  const objects: string[] = [];
  return {
    objects,
    async upload(body: ReadableStream<Uint8Array>) {
      objects.push(await new Response(body).text());
    },
  };
}

Deno.test("uploadWhileBuilding uploads what the build writes, once it has finished", async () => {
  const store = bucket();
  const result = await uploadWhileBuilding(async (body) => {
    await writeText(body, "a,b\r\n");
    await writeText(body, "1,2\r\n");
    equal(store.objects.length, 0, "nothing is stored before the build is done");
    return 42;
  }, (body) => store.upload(body));
  equal(result, 42);
  deepEqual(store.objects, ["a,b\r\n1,2\r\n"]);
});

Deno.test("a build that fails midway leaves no object, and its own error", async () => {
  const store = bucket();
  let settled = false;
  await rejects(
    uploadWhileBuilding(async (body) => {
      await writeText(body, "a,b\r\n");
      throw new Error("connection lost");
    }, (body) => store.upload(body).finally(() => (settled = true))),
    /connection lost/,
  );
  equal(settled, true, "the upload has settled before the failure is reported");
  deepEqual(store.objects, []);
});

Deno.test("an upload that fails first stops the build with the upload's error", async () => {
  const refused = new HttpError(413, "Export too large: the bucket refused the file", {
    code: "export_too_large",
  });
  let writes = 0;
  await rejects(
    uploadWhileBuilding(async (body) => {
      for (;;) {
        await writeText(body, "row\r\n");
        writes += 1;
      }
    }, () => Promise.reject(refused)),
    (error) => error === refused,
  );
  equal(writes, 0, "the build stops at its first write");
});

import { equal } from "node:assert/strict";
import { writeText } from "../../_shared/byte_writer.ts";
import { measuringSink } from "./measure.ts";
import { memorySink, sha256Hex } from "../testing/fixtures.ts";

Deno.test("measuringSink forwards every chunk and measures size and SHA-256 incrementally", async () => {
  const inner = memorySink();
  const sink = measuringSink(inner);
  await writeText(sink, "héllo, ");
  await sink.write(new Uint8Array(0));
  await writeText(sink, "world");
  const measure = sink.measure();
  equal(inner.text(), "héllo, world");
  equal(measure.bytes, inner.bytes().byteLength);
  equal(measure.sha256, await sha256Hex(inner.bytes()));
});

Deno.test("measuringSink of nothing is the SHA-256 of the empty string", () => {
  equal(
    measuringSink().measure().sha256,
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
});

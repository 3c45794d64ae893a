import { deepEqual, equal, rejects } from "node:assert/strict";
import { unzipSync } from "fflate";
import { type ExportSpec, streamExport } from "./build.ts";
import {
  experimentRecord,
  formatted,
  memorySource,
  parseCsv,
  sha256Hex,
} from "../testing/fixtures.ts";
import type { ByteSink } from "../../_shared/byte_writer.ts";
import type { PackageSource } from "../read/source.ts";

const experiments = Array.from({ length: 3 }, () => experimentRecord());

function spec(format: ExportSpec["format"]): ExportSpec {
  return {
    exportId: crypto.randomUUID(),
    userId: crypto.randomUUID(),
    format,
    createdAt: new Date(),
    request: {},
  };
}

/** A sink that keeps copies of what it is lent. */
function memorySink(): ByteSink & { bytes(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  return {
    write: (chunk) => Promise.resolve(void chunks.push(chunk.slice())),
    bytes: () => new Uint8Array(chunks.flatMap((chunk) => [...chunk])),
  };
}

async function readStreamed(format: ExportSpec["format"]) {
  const sink = memorySink();
  const streamed = await streamExport(memorySource(experiments), spec(format), sink);
  const bytes = sink.bytes();
  equal(streamed.measure.bytes, bytes.byteLength);
  equal(streamed.measure.sha256, await sha256Hex(bytes));
  equal(streamed.tally.experiments, 3);
  equal(streamed.tally.responses, 6);
  return bytes;
}

Deno.test("streamExport writes the response CSV, measured", async () => {
  const rows = parseCsv(new TextDecoder().decode(await readStreamed("csv")));
  equal(rows.length, 6);
});

Deno.test("streamExport writes the experiments JSON", async () => {
  const document = JSON.parse(new TextDecoder().decode(await readStreamed("json")));
  deepEqual(document.experiments.map((e: { id: string }) => e.id), experiments.map((e) => e.id));
});

Deno.test("streamExport writes the ZIP package", async () => {
  const entries = unzipSync(await readStreamed("zip"));
  equal(Object.keys(entries).at(-1), "manifest.json");
});

Deno.test("streamExport passes on a source's failure midway, for every format", async () => {
  const failing: PackageSource = {
    ...memorySource(experiments),
    async *experiments(file) {
      yield [formatted(experiments[0], file)];
      throw new Error("connection lost");
    },
    async *responseRecords() {
      yield new TextEncoder().encode("a\n");
      throw new Error("connection lost");
    },
  };
  for (const format of ["csv", "json", "zip"] as const) {
    await rejects(streamExport(failing, spec(format), memorySink()), /connection lost/);
  }
});

import { deepEqual, equal, rejects } from "node:assert/strict";
import { unzipSync } from "fflate";
import { buildExport, type ExportSpec } from "./build.ts";
import { experimentRecord, formatted, memorySource, parseCsv, sha256Hex } from "./test_fixtures.ts";
import type { PackageSource } from "./zip_package.ts";

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

async function readBuilt(format: ExportSpec["format"]) {
  const built = await buildExport(memorySource(experiments), spec(format));
  try {
    const bytes = await Deno.readFile(built.file.path);
    equal(built.measure.bytes, bytes.byteLength);
    equal(built.measure.sha256, await sha256Hex(bytes));
    equal(built.tally.experiments, 3);
    equal(built.tally.responses, 6);
    return bytes;
  } finally {
    await built.file.remove();
  }
}

Deno.test("buildExport writes the response CSV to a measured temp file", async () => {
  const rows = parseCsv(new TextDecoder().decode(await readBuilt("csv")));
  equal(rows.length, 6);
});

Deno.test("buildExport writes the experiments JSON", async () => {
  const document = JSON.parse(new TextDecoder().decode(await readBuilt("json")));
  deepEqual(document.experiments.map((e: { id: string }) => e.id), experiments.map((e) => e.id));
});

Deno.test("buildExport writes the ZIP package", async () => {
  const entries = unzipSync(await readBuilt("zip"));
  equal(Object.keys(entries).at(-1), "manifest.json");
});

Deno.test("buildExport leaves no file behind when the source fails midway", async () => {
  const tempDir = await Deno.makeTempDir();
  const failing: PackageSource = {
    ...memorySource(experiments),
    async *experiments(file) {
      yield [formatted(experiments[0], file)];
      throw new Error("connection lost");
    },
    async responsesCsv(sink) {
      await sink.write(new TextEncoder().encode("experiment_id\r\n"));
      throw new Error("connection lost");
    },
  };
  try {
    const built = await buildExport(memorySource(experiments), spec("csv"), { tempDir });
    equal((await Array.fromAsync(Deno.readDir(tempDir))).length, 1, "files are built in tempDir");
    await built.file.remove();
    await rejects(buildExport(failing, spec("csv"), { tempDir }), /connection lost/);
    deepEqual(await Array.fromAsync(Deno.readDir(tempDir)), []);
  } finally {
    await Deno.remove(tempDir, { recursive: true });
  }
});

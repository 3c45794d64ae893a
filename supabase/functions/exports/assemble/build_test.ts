import { deepEqual, equal, ok as assert, rejects } from "node:assert/strict";
import { unzipSync } from "fflate";
import {
  type BuildState,
  buildStep,
  builtExport,
  type ExportSpec,
  progressOf,
  type ReadPage,
  startBuild,
  streamExport,
} from "./build.ts";
import {
  experimentRecord,
  formatted,
  memorySource,
  pagedMemorySource,
  parseCsv,
  sha256Hex,
} from "../testing/fixtures.ts";
import type { ByteSink } from "../../_shared/byte_writer.ts";
import type { PackageSource, PagedSource } from "../read/source.ts";

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
  const streamed = await streamExport(pagedMemorySource(experiments), spec(format), sink, {
    pageSize: 2,
  });
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
  const paged: PagedSource = {
    pageEnd: () => Promise.resolve(null),
    page: () => failing,
  };
  for (const format of ["csv", "json", "zip"] as const) {
    await rejects(
      streamExport((read) => read(paged), spec(format), memorySink()),
      /connection lost/,
    );
  }
});

/** The export of `many` built one step per invocation, the state through JSON between steps. */
async function builtInSteps(format: ExportSpec["format"], exportSpec: ExportSpec, read: ReadPage) {
  const chunks: Uint8Array[] = [];
  let saved = JSON.stringify(startBuild(format, 3));
  let steps = 0;
  while (true) {
    const state: BuildState = JSON.parse(saved);
    if (state.done) break;
    const step = await buildStep(exportSpec, state, read, { pageSize: 3 });
    chunks.push(...step.bytes.map((bytes) => bytes.slice()));
    saved = JSON.stringify(step.state);
    steps += 1;
  }
  return {
    bytes: new Uint8Array(chunks.flatMap((chunk) => [...chunk])),
    steps,
    state: JSON.parse(saved),
  };
}

const many = Array.from(
  { length: 40 },
  (_, i) =>
    experimentRecord({
      prompt: `prompt ${i} ${"tides ".repeat(i)}`,
      model: i % 2 ? "gpt-4o" : "gpt-4o-mini",
    }),
);

Deno.test("an export built step by step, its state saved as JSON between steps, is the one-pass export byte for byte", async () => {
  for (const format of ["csv", "json", "zip"] as const) {
    const exportSpec = spec(format);
    const read = pagedMemorySource(many, {
      audit: many.map((e) => ({
        id: crypto.randomUUID(),
        eventType: "experiment_generated",
        eventData: { experimentId: e.id },
        source: "server",
        correlationId: e.correlationId,
        createdAt: new Date(Date.UTC(2026, 10, 22, 10)),
      })),
    });
    const sink = memorySink();
    const once = await streamExport(read, exportSpec, sink, { pageSize: 3 });
    const stepped = await builtInSteps(format, exportSpec, read);
    assert(stepped.steps >= 14, `${format}: ${stepped.steps} steps`);
    equal(await sha256Hex(stepped.bytes), await sha256Hex(sink.bytes()), format);
    deepEqual(builtExport(stepped.state), once);
    equal(once.tally.experiments, 40, format);
  }
});

Deno.test("the segmented ZIP passes unzip's own test and its entries inflate to the files", async () => {
  const read = pagedMemorySource(many);
  const sink = memorySink();
  await streamExport(read, spec("zip"), sink, { pageSize: 3 });
  const path = await Deno.makeTempFile({ suffix: ".zip" });
  try {
    await Deno.writeFile(path, sink.bytes());
    const { code, stdout } = await new Deno.Command("unzip", { args: ["-t", path] }).output();
    equal(code, 0, new TextDecoder().decode(stdout));
    const csv = memorySink();
    await streamExport(read, spec("csv"), csv, { pageSize: 7 });
    deepEqual(unzipSync(sink.bytes())["responses.csv"], csv.bytes());
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("progress counts the experiments written, or for a ZIP each file as one pass, and never goes back", async () => {
  for (const format of ["csv", "zip"] as const) {
    const read = pagedMemorySource(many);
    const exportSpec = spec(format);
    let state = startBuild(format);
    let last = progressOf(format, state, many.length);
    equal(last, 0);
    while (!state.done) {
      state = (await buildStep(exportSpec, state, read, { pageSize: 3 })).state;
      const done = progressOf(format, state, many.length);
      assert(done >= last && done <= many.length, `${format}: ${last} then ${done}`);
      last = done;
    }
    equal(last, many.length);
  }
});

Deno.test("a build keeps the page size it started with, whatever the worker that resumes it is told", async () => {
  for (const format of ["csv", "json", "zip"] as const) {
    const exportSpec = spec(format);
    const once = memorySink();
    await streamExport(pagedMemorySource(many), exportSpec, once, { pageSize: 3 });
    const chunks: Uint8Array[] = [];
    let saved = JSON.stringify(startBuild(format, 3));
    for (let worker = 0;; worker++) {
      const state: BuildState = JSON.parse(saved);
      if (state.done) break;
      // Every other invocation runs on a worker configured with another page size.
      const step = await buildStep(exportSpec, state, pagedMemorySource(many), {
        pageSize: worker % 2 ? 7 : 3,
      });
      chunks.push(...step.bytes.map((bytes) => bytes.slice()));
      saved = JSON.stringify(step.state);
    }
    deepEqual(new Uint8Array(chunks.flatMap((chunk) => [...chunk])), once.bytes(), format);
  }
});

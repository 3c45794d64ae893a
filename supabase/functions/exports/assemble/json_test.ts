import { deepEqual, equal } from "node:assert/strict";
import { emptyTally, tallied } from "./tally.ts";
import {
  experimentJson,
  writeExperimentsCsv,
  writeExperimentsJson,
  writeJsonDocument,
} from "./json.ts";
import {
  experimentRecord,
  formattedPages,
  memorySink,
  pagesOf,
  parseCsv,
} from "../testing/fixtures.ts";

const experiments = Array.from(
  { length: 5 },
  (_, i) => experimentRecord({ prompt: `Prompt ${i}` }),
);

Deno.test("writeExperimentsCsv writes one row per experiment", async () => {
  const sink = memorySink();
  await writeExperimentsCsv(formattedPages(experiments, "experiments.csv", 4), sink);
  deepEqual(parseCsv(sink.text()).map((r) => r.experiment_id), experiments.map((e) => e.id));
});

Deno.test("writeExperimentsJson writes { formatVersion, exportId, exportedAt, experiments } with nested responses", async () => {
  const sink = memorySink();
  const head = {
    formatVersion: 1,
    exportId: crypto.randomUUID(),
    exportedAt: "2026-11-22T10:00:00.000Z",
  };
  await writeExperimentsJson(formattedPages(experiments, "experiments.json", 2), sink, head);
  const document = JSON.parse(sink.text());
  deepEqual(Object.keys(document), ["formatVersion", "exportId", "exportedAt", "experiments"]);
  equal(document.exportId, head.exportId);
  equal(document.experiments.length, 5);
  deepEqual(document.experiments[3], JSON.parse(JSON.stringify(experimentJson(experiments[3]))));
  equal(document.experiments[0].responses[0].metrics.creativity, 0.5);
  equal(document.experiments[0].createdAt, experiments[0].createdAt.toISOString());
});

Deno.test("writeJsonDocument is valid JSON with no items, empty pages and an empty head", async () => {
  for (const [head, pages] of [[{}, pagesOf([], 3)], [{ a: 1 }, pagesOf([], 3)]] as const) {
    const sink = memorySink();
    await writeJsonDocument(sink, head, { key: "items", pages });
    deepEqual(JSON.parse(sink.text()), { ...head, items: [] });
  }
  const sink = memorySink();
  async function* withEmpty() {
    yield ["10"];
    yield [];
    yield ["20", "30"];
  }
  await writeJsonDocument(sink, {}, { key: "n", pages: withEmpty() });
  deepEqual(JSON.parse(sink.text()), { n: [10, 20, 30] });
});

Deno.test("tallied counts experiments, responses and distinct models, designs and calibrations", async () => {
  const tally = emptyTally();
  const mixed = [
    experimentRecord({ model: "a" }),
    experimentRecord({ model: "b", parameters: { design: "explicit" } }),
    experimentRecord({ model: "a", calibrationId: "22222222-2222-4222-8222-222222222222" }),
  ];
  for await (
    const _page of tallied(formattedPages(mixed, "experiments.csv", 2), tally)
  ) { /* pass through */ }
  equal(tally.experiments, 3);
  equal(tally.responses, 6);
  deepEqual([...tally.models].sort(), ["a", "b"]);
  deepEqual([...tally.designs].sort(), ["explicit", "latin-hypercube"]);
  equal(tally.calibrationIds.size, 2);
});

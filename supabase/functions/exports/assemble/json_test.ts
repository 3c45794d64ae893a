import { deepEqual, equal } from "node:assert/strict";
import { writeExperimentsJson, writeJsonDocument } from "./json.ts";
import { experimentRecord, formattedPages, memorySink, pagesOf } from "../testing/fixtures.ts";
import { experimentJson } from "../testing/reference.ts";

const experiments = Array.from(
  { length: 5 },
  (_, i) => experimentRecord({ prompt: `Prompt ${i}` }),
);

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

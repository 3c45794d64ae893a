import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { unzipSync } from "fflate";
import { streamExport } from "./build.ts";
import { writeResponsesCsv } from "./csv.ts";
import type { AuditRecord } from "../testing/reference.ts";
import {
  calibrationRecord,
  experimentRecord,
  memorySink,
  memorySource,
  pagedMemorySource,
  parseCsv,
  sha256Hex,
} from "../testing/fixtures.ts";

const FILES = [
  "experiments.csv",
  "responses.csv",
  "experiments.json",
  "calibrations.json",
  "analytics.json",
  "audit.json",
  "ratings.csv",
  "score_configs.json",
  "judge_versions.json",
  "judge_verdicts.json",
];

function auditRecord(experimentId: string): AuditRecord {
  return {
    id: crypto.randomUUID(),
    eventType: "experiment_generated",
    eventData: { experimentId },
    source: "server",
    correlationId: crypto.randomUUID(),
    createdAt: new Date(Date.UTC(2026, 10, 22, 10)),
  };
}

async function buildPackage() {
  const experiments = Array.from({ length: 5 }, () => experimentRecord());
  const calibration = calibrationRecord();
  const source = pagedMemorySource(experiments, {
    calibrations: [calibration],
    analytics: [{
      calibrationId: calibration.id,
      experimentCount: 5,
      responseCount: 5,
      metricsSummary: { count: 5, avgCreativity: 0.5 },
      updatedAt: new Date(Date.UTC(2026, 10, 22, 11)),
    }],
    audit: experiments.map((e) => auditRecord(e.id)),
    items: {
      "ratings.csv": experiments.map((e) => `${e.id},0,c1,realism,human,r1,,5,,,1,t,x\r\n`),
      "score_configs.json": [JSON.stringify({ id: "c1", name: "realism" })],
      "judge_versions.json": [JSON.stringify({ id: "v1" }), JSON.stringify({ id: "v2" })],
      "judge_verdicts.json": [JSON.stringify({ id: "d1", status: "unparsable", rawReply: "no" })],
    },
  });
  const sink = memorySink();
  const meta = {
    exportId: crypto.randomUUID(),
    userId: crypto.randomUUID(),
    createdAt: new Date(Date.UTC(2026, 10, 22, 12)),
    request: { filter: { saved: true } },
  };
  await streamExport(source, { ...meta, format: "zip" }, sink, { pageSize: 2 });
  const entries = unzipSync(sink.bytes());
  const summary = { manifest: JSON.parse(new TextDecoder().decode(entries["manifest.json"])) };
  return { experiments, calibration, sink, meta, summary, entries };
}

Deno.test("the ZIP package holds every file in order, the manifest last", async () => {
  const { entries } = await buildPackage();
  deepEqual(Object.keys(entries), [...FILES, "manifest.json"]);
});

Deno.test("the manifest's sizes and SHA-256s match the files in the archive", async () => {
  const { entries, summary } = await buildPackage();
  const manifest = JSON.parse(new TextDecoder().decode(entries["manifest.json"]));
  deepEqual(manifest, JSON.parse(JSON.stringify(summary.manifest)));
  deepEqual(manifest.files.map((f: { name: string }) => f.name), FILES);
  for (const file of manifest.files) {
    equal(file.bytes, entries[file.name].byteLength, file.name);
    equal(file.sha256, await sha256Hex(entries[file.name]), file.name);
  }
});

Deno.test("the manifest counts what the package holds and names models, designs and bounds", async () => {
  const { entries, experiments, meta, summary } = await buildPackage();
  const manifest = summary.manifest;
  deepEqual(manifest.counts, {
    experiments: 5,
    responses: 10,
    calibrations: 1,
    analyticsSummaries: 1,
    auditEvents: 5,
    ratings: 5,
    scoreConfigs: 1,
    judgeVersions: 2,
    judgeVerdicts: 1,
  });
  equal(manifest.exportId, meta.exportId);
  equal(manifest.userId, meta.userId);
  equal(manifest.createdAt, meta.createdAt.toISOString());
  deepEqual(manifest.request, meta.request);
  deepEqual(manifest.models, ["gpt-4o"]);
  deepEqual(manifest.parameterDesigns, ["latin-hypercube"]);
  equal(manifest.parameterBounds.temperature.max, 2);
  assert(manifest.reproduction.length > 0);
  equal(parseCsv(new TextDecoder().decode(entries["experiments.csv"])).length, 5);
  equal(parseCsv(new TextDecoder().decode(entries["responses.csv"])).length, 10);
  const ratings = parseCsv(new TextDecoder().decode(entries["ratings.csv"]));
  deepEqual(ratings.map((r) => r.experiment_id), experiments.map((e) => e.id));
  equal(ratings[0].source, "human", "ratings.csv starts with its header");
});

Deno.test("the package's evaluation files are JSON documents of the source's items", async () => {
  const { entries, meta } = await buildPackage();
  const read = (name: string) => JSON.parse(new TextDecoder().decode(entries[name]));
  deepEqual(read("score_configs.json"), {
    formatVersion: 1,
    exportId: meta.exportId,
    scoreConfigs: [{ id: "c1", name: "realism" }],
  });
  deepEqual(read("judge_versions.json").judgeVersions, [{ id: "v1" }, { id: "v2" }]);
  deepEqual(read("judge_verdicts.json").verdicts, [{
    id: "d1",
    status: "unparsable",
    rawReply: "no",
  }]);
});

Deno.test("the package's JSON files carry the experiments, calibrations, analytics and audit events", async () => {
  const { entries, experiments, calibration } = await buildPackage();
  const read = (name: string) => JSON.parse(new TextDecoder().decode(entries[name]));
  deepEqual(
    read("experiments.json").experiments.map((e: { id: string }) => e.id),
    experiments.map((e) => e.id),
  );
  const [storedCalibration] = read("calibrations.json").calibrations;
  equal(storedCalibration.id, calibration.id);
  deepEqual(storedCalibration.ranges, calibration.ranges);
  equal(read("analytics.json").analyticsSummaries[0].metricsSummary.avgCreativity, 0.5);
  deepEqual(
    read("audit.json").events.map((e: { eventData: { experimentId: string } }) =>
      e.eventData.experimentId
    ),
    experiments.map((e) => e.id),
  );
});

Deno.test("the ZIP package streams: no single write holds the whole archive", async () => {
  const { sink } = await buildPackage();
  assert(sink.writes.length > 7, `${sink.writes.length} writes`);
  assert(Math.max(...sink.writes) < sink.bytes().byteLength);
});

Deno.test("responses.csv is the source's response CSV, byte for byte (the CSV export's bytes)", async () => {
  const { entries, experiments } = await buildPackage();
  const csv = memorySink();
  await writeResponsesCsv(memorySource(experiments), csv);
  deepEqual(entries["responses.csv"], csv.bytes());
});

import assert from "node:assert/strict";
import {
  buildResults,
  describeBar,
  type Figure,
  formatNumber,
  formatTable,
  judge,
} from "./report.ts";

const environment = {
  date: "2026-11-22T00:00:00.000Z",
  cores: 2,
  memoryMb: 4096,
  deno: "2.9.6",
  postgres: "15.20",
  supabaseCli: "3.1.0",
  mode: "quick" as const,
};

function figure(value: number, floor: number, bar: Figure["bar"]): Figure {
  return { item: "1", name: "x", value, unit: "ms", floor: { name: "floor", value: floor }, bar };
}

Deno.test("judge computes the ratio to the floor and applies each kind of bar", () => {
  assert.equal(judge(figure(3, 2, { kind: "ratio_max", limit: 1.5 })).ratio, 1.5);
  assert.equal(judge(figure(3, 2, { kind: "ratio_max", limit: 1.5 })).pass, true);
  assert.equal(judge(figure(3.1, 2, { kind: "ratio_max", limit: 1.5 })).pass, false);
  assert.equal(judge(figure(1, 2, { kind: "ratio_min", limit: 0.5 })).pass, true);
  assert.equal(judge(figure(0.9, 2, { kind: "ratio_min", limit: 0.5 })).pass, false);
  assert.equal(judge(figure(225, 200, { kind: "delta_max", limit: 25 })).pass, true);
  assert.equal(judge(figure(226, 200, { kind: "delta_max", limit: 25 })).pass, false);
  assert.equal(
    judge({
      item: "4",
      name: "rss",
      value: 199,
      unit: "MB",
      bar: { kind: "value_max", limit: 200 },
    }).pass,
    true,
  );
  assert.equal(
    judge({
      item: "4",
      name: "rss",
      value: 200,
      unit: "MB",
      bar: { kind: "value_max", limit: 200 },
    }).pass,
    false,
  );
});

Deno.test("judge leaves figures without a bar unjudged", () => {
  const judged = judge({ item: "5", name: "pgTAP", value: 12, unit: "s" });
  assert.equal(judged.pass, null);
  assert.equal(judged.ratio, null);
});

Deno.test("describeBar says the bar in words", () => {
  assert.equal(describeBar({ kind: "ratio_max", limit: 1.5 }, "ms"), "≤ 1.5× floor");
  assert.equal(describeBar({ kind: "ratio_min", limit: 0.5 }, "rows/s"), "≥ 0.5× floor");
  assert.equal(describeBar({ kind: "delta_max", limit: 25 }, "ms"), "≤ floor + 25 ms");
  assert.equal(describeBar({ kind: "value_max", limit: 200 }, "MB"), "< 200 MB");
  assert.equal(describeBar(undefined, "ms"), "—");
});

Deno.test("formatNumber keeps three significant figures for small values", () => {
  assert.equal(formatNumber(1.234), "1.23");
  assert.equal(formatNumber(12.34), "12.3");
  assert.equal(formatNumber(123.4), "123");
  assert.equal(formatNumber(12345.6), "12,346");
});

Deno.test("formatTable prints one aligned row per figure with its verdict", () => {
  const table = formatTable([
    judge(figure(3, 2, { kind: "ratio_max", limit: 1.5 })),
    judge(figure(4, 2, { kind: "ratio_max", limit: 1.5 })),
    judge({ item: "5", name: "pgTAP", value: 12, unit: "s" }),
  ]);
  const lines = table.split("\n");
  assert.equal(lines.length, 5);
  assert.match(lines[2], /PASS$/);
  assert.match(lines[3], /MISS$/);
  assert.match(lines[4], /watch$/);
  assert.match(lines[2], /1\.50×/);
});

Deno.test("buildResults counts bars met and missed", () => {
  const results = buildResults(
    environment,
    [
      figure(3, 2, { kind: "ratio_max", limit: 1.5 }),
      figure(4, 2, { kind: "ratio_max", limit: 1.5 }),
      { item: "5", name: "pgTAP", value: 12, unit: "s" },
    ],
    {},
    61.4,
  );
  assert.deepEqual(results.summary, { bars: 2, passed: 1, failed: 1 });
  assert.equal(results.elapsedSeconds, 61);
  assert.equal(results.figures.length, 3);
});

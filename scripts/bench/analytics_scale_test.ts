import assert from "node:assert/strict";
import { scaleFigures, scansOf } from "./analytics_scale.ts";

Deno.test("scansOf finds sequential scans and indexes of one relation anywhere in a plan", () => {
  const plan = {
    "Node Type": "Limit",
    Plans: [{
      "Node Type": "Nested Loop",
      Plans: [
        {
          "Node Type": "Index Scan",
          "Relation Name": "experiments",
          "Index Name": "experiments_user_id_created_at_idx",
        },
        { "Node Type": "Seq Scan", "Relation Name": "calibrations" },
      ],
    }],
  };
  assert.deepEqual(scansOf(plan, "experiments"), {
    seqScans: 0,
    indexes: ["experiments_user_id_created_at_idx"],
  });
  assert.deepEqual(scansOf(plan, "calibrations"), { seqScans: 1, indexes: [] });
});

Deno.test("scansOf attributes a bitmap index scan to its heap scan's table", () => {
  const plan = {
    "Node Type": "Sort",
    Plans: [{
      "Node Type": "Bitmap Heap Scan",
      "Relation Name": "experiments",
      Plans: [{
        "Node Type": "Bitmap Index Scan",
        "Index Name": "experiments_user_id_created_at_idx",
      }],
    }],
  };
  assert.deepEqual(scansOf(plan, "experiments"), {
    seqScans: 0,
    indexes: ["experiments_user_id_created_at_idx"],
  });
});

Deno.test("scaleFigures compares every size with the floor database and bars sequential scans", () => {
  const point = (size: number, insertMs: number) => ({
    size,
    insertMs,
    readMs: 1,
    floorInsertMs: 1,
    floorReadMs: 1,
    seqScans: size > 1_000 ? 1 : 0,
    indexes: [],
    seedSeconds: 0,
  });
  const figures = scaleFigures([point(1_000, 1), point(1_000_000, 1.5)], 1_000);
  const insert = figures.find((f) => f.name === "insert + trigger, 1 M existing");
  assert.deepEqual(insert?.floor, { name: "1 k existing, same rounds", value: 1 });
  assert.deepEqual(insert?.bar, { kind: "ratio_max", limit: 1.2 });
  assert.equal(figures.filter((f) => f.name.startsWith("seq scans")).length, 2);
  const gauge = figures.find((f) => f.name === "insert + trigger, 1 k existing");
  assert.equal(gauge?.bar, undefined);
});

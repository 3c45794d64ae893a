import { deepEqual, equal } from "node:assert/strict";
import { emptyTally, tallied } from "./tally.ts";
import { experimentRecord, formattedPages } from "../testing/fixtures.ts";

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

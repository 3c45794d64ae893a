import { deepEqual, equal, rejects } from "node:assert/strict";
import { EXPERIMENTS_CSV } from "../files/experiments_csv.ts";
import { RESPONSES_CSV } from "../files/responses_csv.ts";
import type { PackageSource } from "../read/source.ts";
import { writeExperimentsCsv, writeResponsesCsv } from "./csv.ts";
import {
  experimentRecord,
  formattedPages,
  memorySink,
  memorySource,
  parseCsv,
} from "../testing/fixtures.ts";

/** A source of two experiments whose response records are `rows`, as COPY would send them. */
function recordsOf(rows: string[]): PackageSource {
  const encoder = new TextEncoder();
  return {
    ...memorySource([]),
    countExperiments: () => Promise.resolve(2),
    async *responseRecords() {
      for (const row of rows) yield encoder.encode(row);
    },
  };
}

Deno.test("writeExperimentsCsv writes the header, then one row per experiment", async () => {
  const experiments = Array.from({ length: 5 }, (_, i) => experimentRecord({ prompt: `P ${i}` }));
  const sink = memorySink();
  await writeExperimentsCsv(formattedPages(experiments, "experiments.csv", 4), sink);
  equal(sink.text().slice(0, EXPERIMENTS_CSV.header.length), EXPERIMENTS_CSV.header);
  deepEqual(parseCsv(sink.text()).map((r) => r.experiment_id), experiments.map((e) => e.id));
});

Deno.test("writeResponsesCsv ends each COPY record with CRLF and leaves line breaks inside quotes alone", async () => {
  const rows = ['a,"say ""hi""",c\n', '"two\nlines","cr\ronly",\n', ',"x\n\n"\n'];
  const sink = memorySink();
  const counts = await writeResponsesCsv(recordsOf(rows), sink);
  equal(
    sink.text(),
    `${RESPONSES_CSV.header}a,"say ""hi""",c\r\n"two\nlines","cr\ronly",\r\n,"x\n\n"\r\n`,
  );
  deepEqual(counts, { experiments: 2, responses: 3 });
});

Deno.test("writeResponsesCsv refuses a chunk that is not one whole row", async () => {
  await rejects(writeResponsesCsv(recordsOf(['a,"b']), memorySink()), /not one whole row/);
});

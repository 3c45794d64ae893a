/**
 * The specs against the reference formatters (testing/reference.ts): the
 * same experiments, read back under RLS, give byte-identical CSV lines and
 * equal JSON, tricky text included (formulas, quotes, commas, CR/LF, tabs,
 * non-ASCII, missing and mistyped fields).
 */
import { deepEqual, equal } from "node:assert/strict";
import { createDatabase } from "../../_shared/db/client.ts";
import { createTestUser, databaseUrl, dbTest, withAdmin } from "../../tests/harness.ts";
import type { ByteSink } from "../../_shared/byte_writer.ts";
import { writeResponsesCsv } from "../assemble/csv.ts";
import type { ExperimentFile, FormattedExperiment, JsonObject } from "../read/rows.ts";
import { prepareSnapshot, selectionSource } from "../read/source.ts";
import {
  csvText,
  type ExperimentRecord,
  RESPONSE_COLUMNS,
  responseRows,
} from "../testing/reference.ts";
import { failedResponse, formatted, succeededResponse, textOf } from "../testing/fixtures.ts";
import { seedExperiments } from "../testing/seed.ts";

const TRICKY_TEXT = [
  '=HYPERLINK("http://evil")',
  "+41, -2 and @SUM",
  "-starts with minus",
  "\tstarts with a tab",
  "\rstarts with CR",
  'say "hi", then\nnew line',
  "cr\ronly",
  "plain text, ünïcödé ✓ 日本",
  "",
];

function trickyResponses(i: number) {
  const text = TRICKY_TEXT[i % TRICKY_TEXT.length];
  const noIndex = succeededResponse(2, "no index", {
    usage: { prompt_tokens: 7, completion_tokens: 9 },
    metrics: { creativity: 0.125, coherence: 1, structure: 0, completeness: 0.3333333333333333 },
  });
  delete noIndex.index;
  const notAnObject = (i === 1 ? ["not an object"] : []) as unknown as JsonObject[];
  return [
    ...notAnObject,
    succeededResponse(0, text, { finishReason: "length" }),
    failedResponse(1),
    noIndex,
    succeededResponse(3, "mistyped", {
      latencyMs: "12",
      status: 5,
      parameters: { temperature: "hot", top_p: null, max_tokens: 256, frequency_penalty: -0.25 },
    }),
  ];
}

Deno.test(
  "Postgres formats every export file exactly as the JavaScript formatters",
  dbTest,
  async () => {
    const user = await createTestUser("sql-format");
    const db = createDatabase(databaseUrl, { max: 1 });
    try {
      await seedExperiments(db, user, {
        count: TRICKY_TEXT.length,
        prompt: (i) => TRICKY_TEXT[(i + 3) % TRICKY_TEXT.length] || "-",
        responses: trickyResponses,
      });
      // Numbers written in SQL keep their scale in jsonb (JavaScript's never have trailing zeros).
      await withAdmin((sql) =>
        sql`update public.experiments
               set responses = jsonb_set(responses, '{1,metrics,creativity}', '0.50'::jsonb)
             where user_id = ${user.id} and jsonb_typeof(responses #> '{1,metrics}') = 'object'`
      );
      const context = { claims: { sub: user.id, role: "authenticated" }, correlationId: "x" };
      const read = await db.withUser(
        { ...context, correlationId: crypto.randomUUID(), isolation: "repeatable read" },
        async (tx) => {
          await prepareSnapshot(tx);
          const source = selectionSource(tx, { includeDiscarded: true });
          const files: Partial<Record<ExperimentFile, FormattedExperiment[]>> = {};
          for (const file of ["experiments.csv", "experiments.json"] as const) {
            files[file] = (await Array.fromAsync(source.experiments(file))).flat();
          }
          const chunks: Uint8Array[] = [];
          const sink: ByteSink = {
            write: (chunk) => Promise.resolve(void chunks.push(chunk.slice())),
          };
          const counts = await writeResponsesCsv(source, sink);
          const csv = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
          const records = await tx<ExperimentRecord[]>`
          select e.id, e.created_at as "createdAt", e.calibration_id as "calibrationId", e.prompt,
                 e.model, e.parameters, e.responses, e.status, e.saved, e.discarded,
                 e.latency_ms as "latencyMs", e.correlation_id as "correlationId"
            from public.experiments e order by e.created_at, e.id`;
          return { files, records: [...records], csv, counts };
        },
      );
      equal(read.records.length, TRICKY_TEXT.length);
      deepEqual(
        read.files["experiments.csv"]!.map(textOf),
        read.records.map((record) => textOf(formatted(record, "experiments.csv"))),
        "experiments.csv lines",
      );
      const rows = responseRows(read.records);
      equal(
        read.csv,
        csvText(rows, RESPONSE_COLUMNS, { header: true }),
        "the response CSV from COPY",
      );
      deepEqual(read.counts, { experiments: read.records.length, responses: rows.length });
      deepEqual(
        read.files["experiments.json"]!.map((row) => JSON.parse(textOf(row))),
        read.records.map((record) => JSON.parse(textOf(formatted(record, "experiments.json")))),
      );
      deepEqual(
        read.files["experiments.csv"]!.map(({ text: _, ...tally }) => tally),
        read.records.map((record) => {
          const { text: _, ...tally } = formatted(record, "experiments.csv");
          return tally;
        }),
        "the tally columns",
      );
    } finally {
      await db.end();
    }
  },
);

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
  numberAt,
  RATING_COLUMNS,
  type RatingRecord,
  RESPONSE_COLUMNS,
  responseRows,
} from "../testing/reference.ts";
import { RATINGS_CSV } from "./ratings_csv.ts";
import { failedResponse, formatted, succeededResponse, textOf } from "../testing/fixtures.ts";
import { seedExperiments } from "../testing/seed.ts";

/** The built-in `realism` config. */
const REALISM = "00000000-0000-4000-8000-00000000c001";

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

/** Every score of `user`'s experiments as the reference reads them: the tables, and each response's metrics. */
async function referenceRatings(userId: string): Promise<RatingRecord[]> {
  const rated = await withAdmin((sql) =>
    sql<(RatingRecord & { createdAt: Date })[]>`
      select r.experiment_id as "experimentId", r.response_index as "responseIndex",
             r.config_id as "configId", c.name as "configName", r.source, r.rater_id as "raterId",
             r.judge_version_id as "judgeVersionId", r.value::float8 as value, r.label, r.comment,
             r.revision, r.updated_at as "ratedAt", r.correlation_id as "correlationId",
             e.created_at as "createdAt"
        from public.ratings r
        join public.score_configs c on c.id = r.config_id
        join public.experiments e on e.id = r.experiment_id
       where r.owner_id = ${userId}`
  );
  const experiments = await withAdmin((sql) =>
    sql<{ id: string; createdAt: Date; correlationId: string; responses: JsonObject[] }[]>`
      select id, created_at as "createdAt", correlation_id as "correlationId", responses
        from public.experiments where user_id = ${userId}`
  );
  const heuristic = [
    ["creativity", "00000000-0000-4000-8000-00000000c101"],
    ["coherence", "00000000-0000-4000-8000-00000000c102"],
    ["structure", "00000000-0000-4000-8000-00000000c103"],
    ["completeness", "00000000-0000-4000-8000-00000000c104"],
  ];
  const rows: (RatingRecord & { createdAt: Date; position: number })[] = [
    ...rated.map((r) => ({ ...r, position: 0 })),
  ];
  for (const e of experiments) {
    e.responses.forEach((response, position) => {
      for (const [name, configId] of heuristic) {
        const value = numberAt(response, "metrics", name);
        if (value === null) continue;
        rows.push({
          experimentId: e.id,
          responseIndex: numberAt(response, "index") ?? position,
          configId,
          configName: name,
          source: "heuristic",
          raterId: null,
          judgeVersionId: null,
          value,
          label: null,
          comment: null,
          revision: null,
          ratedAt: e.createdAt,
          correlationId: e.correlationId,
          createdAt: e.createdAt,
          position,
        });
      }
    });
  }
  const key = (r: (typeof rows)[number]) =>
    [
      r.createdAt.toISOString(),
      r.experimentId,
      String(r.responseIndex).padStart(4, "0"),
      r.source,
      r.configId,
      r.raterId ?? r.judgeVersionId ?? "",
      String(r.position).padStart(4, "0"),
    ].join(" ");
  return rows.sort((a, b) => key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

Deno.test(
  "Postgres writes ratings.csv exactly as the JavaScript formatter, every source in one file",
  dbTest,
  async () => {
    const user = await createTestUser("sql-ratings");
    const reviewer = await createTestUser("sql-ratings-reviewer");
    const db = createDatabase(databaseUrl, { max: 1 });
    try {
      const { ids } = await seedExperiments(db, user, {
        count: TRICKY_TEXT.length,
        responses: trickyResponses,
      });
      const context = {
        claims: { sub: user.id, role: "authenticated" },
        correlationId: crypto.randomUUID(),
      };
      await db.withUser(context, async (tx) => {
        const [tone] = await tx<{ id: string }[]>`
          insert into public.score_configs (name, data_type, categories)
          values ('tone', 'categorical', array['=flat', 'warm, "bright"']) returning id`;
        for (const [i, id] of ids.entries()) {
          await tx`
            insert into public.ratings (experiment_id, response_index, config_id, source, value, comment)
            values (${id}, 0, ${REALISM}, 'human', 3, ${TRICKY_TEXT[i]})`;
          await tx`
            insert into public.ratings (experiment_id, response_index, config_id, source, value, label)
            values (${id}, 0, ${tone.id}, 'human', null, ${i % 2 ? "=flat" : 'warm, "bright"'})`;
        }
        // A revision: the file holds the latest value and comment, with the revision count.
        await tx`update public.ratings set value = 6, comment = ${'say "hi",\nthen'}
                  where experiment_id = ${ids[0]} and config_id = ${REALISM}`;
        const [judge] = await tx<{ id: string }[]>`
          insert into public.judges (name) values ('Strict') returning id`;
        const [version] = await tx<{ id: string }[]>`
          insert into public.judge_versions (judge_id, version, rubric, config_id, model, parameters)
          values (${judge.id}, 1, 'Rate realism.', ${REALISM}, 'gpt-4o', '{"seed": 7}') returning id`;
        await tx`
          insert into public.ratings (experiment_id, response_index, config_id, source, rater_id,
                                      judge_version_id, value, comment)
          values (${
          ids[2]
        }, 0, ${REALISM}, 'judge', null, ${version.id}, 4, '-reasoned, "quoted"')`;
      });
      await withAdmin((sql) =>
        sql`insert into public.ratings (experiment_id, owner_id, response_index, config_id, source, rater_id, value)
            values (${ids[0]}, ${user.id}, 0, ${REALISM}, 'human', ${reviewer.id}, 2)`
      );

      const csv = await db.withUser(
        { ...context, isolation: "repeatable read" },
        async (tx) => {
          await prepareSnapshot(tx);
          const source = selectionSource(tx, { includeDiscarded: true });
          const lines = (await Array.fromAsync(source.items(RATINGS_CSV))).flat();
          return RATINGS_CSV.header + lines.map((line) => textOf({ text: line })).join("");
        },
      );
      const expected = await referenceRatings(user.id);
      equal(csv, csvText(expected, RATING_COLUMNS, { header: true }));
      const sources = new Set(expected.map((r) => r.source));
      deepEqual([...sources].sort(), ["heuristic", "human", "judge"]);
      equal(expected.find((r) => r.revision === 2)?.value, 6, "the latest revision counts");
    } finally {
      await db.end();
    }
  },
);

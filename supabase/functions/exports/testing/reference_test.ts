import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { csvText, EXPERIMENT_COLUMNS, neutralizeFormula, RESPONSE_COLUMNS } from "./reference.ts";
import { responseRows } from "./reference.ts";
import { experimentRecord, failedResponse, parseCsv, succeededResponse } from "./fixtures.ts";

Deno.test("neutralizeFormula prefixes ' to text starting with = + - @ tab or CR, and nothing else", () => {
  for (const text of ["=1+1", "+41", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://evil")']) {
    equal(neutralizeFormula(text), `'${text}`, JSON.stringify(text));
  }
  for (const text of ["plain", "", " =1", "1=1", "'quoted", "a-b", "\nline"]) {
    equal(neutralizeFormula(text), text, JSON.stringify(text));
  }
});

Deno.test("csvText quotes per RFC 4180: commas, quotes, CR and LF, with CRLF record ends", () => {
  const rows = [{ v: "a,b" }, { v: 'say "hi"' }, { v: "two\nlines" }, { v: "cr\ronly" }, {
    v: "plain",
  }];
  const text = csvText(rows, [{ header: "v", value: (r) => r.v }], { header: true });
  equal(text, 'v\r\n"a,b"\r\n"say ""hi"""\r\n"two\nlines"\r\n"cr\ronly"\r\nplain\r\n');
  deepEqual(parseCsv(text).map((r) => r.v), rows.map((r) => r.v));
});

Deno.test("csvText neutralizes formulas in text cells but writes numbers and booleans as they are", () => {
  const text = csvText(
    [{ t: "=cmd|' /C calc'!A0", n: -0.5, b: true, z: null }],
    [
      { header: "t", value: (r) => r.t },
      { header: "n", value: (r) => r.n },
      { header: "b", value: (r) => r.b },
      { header: "z", value: (r) => r.z },
    ],
    { header: false },
  );
  const [record] = parseCsv(`t,n,b,z\r\n${text}`);
  deepEqual(record, { t: "'=cmd|' /C calc'!A0", n: "-0.5", b: "true", z: "" });
});

Deno.test("csvText of no rows and no header is empty", () => {
  equal(csvText([], RESPONSE_COLUMNS, { header: false }), "");
});

Deno.test("RESPONSE_COLUMNS give one row per response with its experiment's columns", () => {
  const experiment = experimentRecord({
    prompt: "=2+2 and a, comma",
    saved: true,
    responses: [succeededResponse(0, "-starts with minus"), failedResponse(1)],
  });
  const text = csvText(responseRows([experiment]), RESPONSE_COLUMNS, { header: true });
  const [first, second] = parseCsv(text);
  equal(first.experiment_id, experiment.id);
  equal(first.created_at, experiment.createdAt.toISOString());
  equal(first.prompt, "'=2+2 and a, comma");
  equal(first.saved, "true");
  equal(first.seed, "42");
  equal(first.design, "latin-hypercube");
  equal(first.response_index, "0");
  equal(first.response_status, "succeeded");
  equal(first.temperature, "0.5");
  equal(first.frequency_penalty, "-0.25", "negative numbers are numbers, not formulas");
  equal(first.prompt_tokens, "12");
  equal(first.completion_tokens, "30");
  equal(first.creativity, "0.5");
  equal(first.text, "'-starts with minus");
  equal(first.error_code, "");
  equal(second.response_status, "failed");
  equal(second.error_code, "upstream_error");
  equal(second.creativity, "");
  equal(second.text, "");
});

Deno.test("RESPONSE_COLUMNS read provider-style snake_case usage and fall back to the position", () => {
  const response = succeededResponse(0, "x", { usage: { prompt_tokens: 7, completion_tokens: 9 } });
  delete response.index;
  const [row] = parseCsv(
    csvText(responseRows([experimentRecord({ responses: [response] })]), RESPONSE_COLUMNS, {
      header: true,
    }),
  );
  deepEqual([row.prompt_tokens, row.completion_tokens, row.response_index], ["7", "9", "0"]);
});

Deno.test("EXPERIMENT_COLUMNS give one row per experiment with response counts", () => {
  const experiment = experimentRecord();
  const [row] = parseCsv(csvText([experiment], EXPERIMENT_COLUMNS, { header: true }));
  equal(row.experiment_id, experiment.id);
  equal(row.response_count, "2");
  equal(row.succeeded_count, "1");
  equal(row.latency_ms, "1234");
  equal(row.correlation_id, experiment.correlationId);
  assert(!("text" in row));
});

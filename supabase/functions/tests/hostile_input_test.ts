/**
 * Hostile input over every route of the lab's functions, table-driven:
 * malformed and truncated JSON, wrong content types, bodies around the size
 * cap, deep nesting, NUL, lone surrogates, right-to-left overrides, numbers
 * out of range, prototype-pollution keys, bad UUIDs and dates, path tricks,
 * unusual methods and headers. Each function runs in-process against the
 * real test database (exports with an in-memory bucket, generate with the
 * offline model server); not one answer may be a 5xx.
 */
import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { flushBackground } from "../_shared/background.ts";
import { readEnv } from "../_shared/env.ts";
import { createRuntime, startFunction } from "../_shared/runtime.ts";
import { startModelServer } from "../../../scripts/model_server/main.ts";
import { calibration } from "../calibration/app.ts";
import { createExportsApp, exportsEnvSchema } from "../exports/app.ts";
import { memoryBucket } from "../exports/job/testing.ts";
import { mintApiKey } from "../../../scripts/lib/local_auth.ts";
import { generate } from "../generate/app.ts";
import { createTestCalibration } from "../generate/test_fixtures.ts";
import { createTestUser, dbTest, testEnv, withAdmin } from "./harness.ts";

/** The body cap the functions run with here, so bodies around it stay small. */
const MAX_BODY = 4096;

/** One hostile request: method, path (under /<function>), headers and body. */
interface Case {
  name: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
const pad = (bytes: number) => `{"x":"${"a".repeat(Math.max(0, bytes - 8))}"}`;

/** Bodies sent to every POST route, each also with the route's valid body spliced in. */
function bodyCases(valid: Record<string, unknown>): Case[] {
  const json = JSON.stringify(valid);
  const withField = (key: string, raw: string) => `{${json.slice(1, -1)},"${key}":${raw}}`;
  const replace = (key: string, raw: string) =>
    JSON.stringify({ ...valid, [key]: "__RAW__" }).replace('"__RAW__"', raw);
  const first = Object.keys(valid)[0];
  return [
    { name: "malformed JSON", body: "{" },
    { name: "truncated JSON", body: json.slice(0, Math.floor(json.length / 2)) },
    { name: "empty body", body: "" },
    { name: "null", body: "null" },
    { name: "an array", body: "[]" },
    { name: "a string", body: '"hello"' },
    { name: "a number", body: "1e309" },
    { name: "invalid UTF-8", body: new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]) },
    { name: "a UTF-8 BOM", body: `\ufeff${json}` },
    { name: "text/plain", body: json, headers: { "content-type": "text/plain" } },
    { name: "form", body: "a=1", headers: { "content-type": "application/x-www-form-urlencoded" } },
    { name: "no content type", body: json, headers: { "content-type": "" } },
    {
      name: "json with latin1 charset",
      body: json,
      headers: { "content-type": "application/json; charset=latin1" },
    },
    { name: "just under the size cap", body: pad(MAX_BODY - 1) },
    { name: "at the size cap", body: pad(MAX_BODY) },
    { name: "just over the size cap", body: pad(MAX_BODY + 1) },
    {
      name: "a lying Content-Length",
      body: pad(MAX_BODY * 2),
      headers: { "content-length": "10" },
    },
    { name: "deep nesting", body: deep(MAX_BODY / 2 - 1) },
    { name: "deep nesting in a field", body: withField("extra", deep(200)) },
    { name: "NUL in a value", body: replace(first, '"a\\u0000b"') },
    { name: "a lone high surrogate", body: replace(first, '"\\ud800"') },
    { name: "a lone low surrogate", body: replace(first, '"x\\udfff"') },
    { name: "a right-to-left override", body: replace(first, '"\\u202eevil\\u202c"') },
    { name: "a huge number", body: replace(first, "1e309") },
    { name: "a negative zero", body: replace(first, "-0") },
    { name: "2^64", body: replace(first, "18446744073709551616") },
    { name: "a fraction", body: replace(first, "1.5") },
    { name: "__proto__ key", body: withField("__proto__", '{"polluted":true}') },
    { name: "constructor key", body: withField("constructor", '{"prototype":{"polluted":true}}') },
    { name: "duplicate keys", body: `${json.slice(0, -1)},${json.slice(1)}` },
    { name: "a very long string", body: replace(first, `"${"é".repeat(1500)}"`) },
  ];
}

/** Cases for routes with a path parameter or a query. */
const PATH_CASES: Case[] = [
  { name: "NUL in the path", path: "/%00" },
  { name: "an encoded slash", path: "/..%2F..%2Fetc%2Fpasswd" },
  { name: "dot segments", path: "/%2e%2e/%2e%2e/" },
  { name: "a bad percent escape", path: "/%ZZ" },
  { name: "a lone surrogate escape", path: "/%ED%A0%80" },
  { name: "an upper-case UUID", path: "/0A1B2C3D-4E5F-4A6B-8C7D-8E9F0A1B2C3D" },
  { name: "the nil UUID", path: "/00000000-0000-0000-0000-000000000000" },
  { name: "a UUID with a suffix", path: "/0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d.json" },
  { name: "a long path", path: `/${"a".repeat(8000)}` },
  { name: "a doubled slash", path: "//" },
  { name: "a query mode array", path: "?mode[]=quick" },
  { name: "a repeated query", path: "?mode=quick&mode=deep" },
  { name: "NUL in the query", path: "?mode=%00" },
];

/** Methods and headers sent to every route. */
const METHOD_CASES: Case[] = [
  "PUT",
  "DELETE",
  "PATCH",
  "OPTIONS",
  "HEAD",
  "PROPFIND",
  "M-SEARCH",
  "get",
]
  .map((method) => ({ name: `method ${method}`, method }));
const HEADER_CASES: Case[] = [
  { name: "no token", headers: { authorization: "" } },
  { name: "a garbage token", headers: { authorization: "Bearer not.a.jwt" } },
  {
    name: "an alg none token",
    headers: { authorization: "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." },
  },
  { name: "a bad correlation id", headers: { "x-correlation-id": "../../etc" } },
  { name: "a long correlation id", headers: { "x-correlation-id": "a".repeat(4000) } },
  { name: "a unicode Idempotency-Key", headers: { "idempotency-key": "kéy" } },
  { name: "a long Idempotency-Key", headers: { "idempotency-key": "k".repeat(300) } },
];

Deno.test("no hostile request to any route of any function answers 5xx", dbTest, async () => {
  const since = new Date();
  const user = await createTestUser("hostile");
  const calibrationId = await createTestCalibration(user);
  const model = await startModelServer({ port: 0 });
  const env = testEnv({
    OPENAI_API_KEY: "sk-test",
    OPENAI_BASE_URL: model.url,
    LAB_MAX_BODY_BYTES: String(MAX_BODY),
    LAB_GENERATE_RATE_LIMIT_PER_MINUTE: "100000",
  });
  const calibrationFn = startFunction(calibration, env);
  const generateFn = startFunction(generate, env);
  const exportsRuntime = createRuntime(
    readEnv(exportsEnvSchema, {
      ...env,
      SUPABASE_SERVICE_ROLE_KEY: await mintApiKey("service_role"),
    }),
  );
  const bucket = memoryBucket();
  const exportsApp = createExportsApp(exportsRuntime, {
    storageFor: () => bucket.storage,
    jobBucket: bucket,
  });
  const quick = (await (await calibrationFn.app.request("/calibration?mode=quick", {
    headers: user.headers,
  })).json()).data;
  const answers = Object.fromEntries(
    quick.questions.map((q: { id: string; options: { id: string }[] }) => [q.id, q.options[0].id]),
  );

  const routes: {
    app: { request(path: string, init: RequestInit): Response | Promise<Response> };
    method: string;
    path: string;
    valid?: Record<string, unknown>;
    params?: boolean;
  }[] = [
    { app: calibrationFn.app, method: "GET", path: "/calibration", params: true },
    {
      app: calibrationFn.app,
      method: "POST",
      path: "/calibration",
      valid: { mode: "quick", answers },
    },
    {
      app: generateFn.app,
      method: "POST",
      path: "/generate",
      valid: { prompt: "Name a river.", calibration_id: calibrationId, numResponses: 1 },
    },
    {
      app: exportsApp,
      method: "POST",
      path: "/exports",
      valid: { format: "csv", filter: { from: "2026-01-01T00:00:00Z" } },
    },
    { app: exportsApp, method: "GET", path: "/exports", params: true },
    { app: exportsApp, method: "POST", path: "/exports/arenas", params: true },
  ];
  const extraBodies: Record<string, Case[]> = {
    "/calibration": [
      {
        name: "__proto__ as a question id",
        body: JSON.stringify({ mode: "quick", answers }).replace(
          '"answers":{',
          '"answers":{"__proto__":"x",',
        ),
      },
      { name: "a deep mode with quick answers", body: JSON.stringify({ mode: "deep", answers }) },
    ],
    "/generate": [
      {
        name: "a bad calibration id",
        body: JSON.stringify({ prompt: "x", calibration_id: "zzz" }),
      },
      {
        name: "someone else's calibration",
        body: JSON.stringify({ prompt: "x", calibration_id: crypto.randomUUID() }),
      },
      {
        name: "parameters out of range",
        body: JSON.stringify({
          prompt: "x",
          calibration_id: calibrationId,
          parameters: {
            temperature: 1e308,
            top_p: -1,
            max_tokens: 2 ** 53,
            frequency_penalty: "0",
          },
        }),
      },
      {
        name: "a seed past 2^53",
        body: `{"prompt":"x","calibration_id":"${calibrationId}","seed":9007199254740993}`,
      },
    ],
    "/exports": [
      { name: "year 0000", body: '{"format":"json","filter":{"from":"0000-01-01T00:00:00Z"}}' },
      {
        name: "year 10000 once in UTC",
        body: '{"format":"json","filter":{"to":"9999-12-31T23:59:59-14:00"}}',
      },
      {
        name: "an extended year",
        body: '{"format":"json","filter":{"from":"+275760-09-13T00:00:00Z"}}',
      },
      { name: "month 13", body: '{"format":"json","filter":{"from":"2026-13-01T00:00:00Z"}}' },
      { name: "bad selected ids", body: '{"format":"csv","selectedIds":["x","../etc"]}' },
      {
        name: "someone else's ids",
        body: JSON.stringify({ format: "zip", selectedIds: [crypto.randomUUID()] }),
      },
      {
        name: "too many ids",
        body: JSON.stringify({
          format: "csv",
          selectedIds: Array(10_001).fill(crypto.randomUUID()),
        }),
      },
      { name: "an unknown format", body: '{"format":"../../zip"}' },
    ],
  };

  const fivexx: string[] = [];
  let sent = 0;
  try {
    for (const route of routes) {
      const cases: Case[] = [
        ...METHOD_CASES,
        ...HEADER_CASES,
        ...(route.valid ? [...bodyCases(route.valid), ...(extraBodies[route.path] ?? [])] : []),
        ...(route.params ? PATH_CASES : []),
      ];
      for (const hostile of cases) {
        const method = hostile.method ?? route.method;
        const body = ["GET", "HEAD"].includes(method.toUpperCase()) ? undefined : hostile.body ??
          (route.valid ? JSON.stringify(route.valid) : undefined);
        const headers: Record<string, string> = {
          ...user.headers,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...hostile.headers,
        };
        for (const [name, value] of Object.entries(headers)) if (value === "") delete headers[name];
        const response = await route.app.request(`${route.path}${hostile.path ?? ""}`, {
          method,
          headers,
          body,
        });
        await response.body?.cancel();
        sent++;
        if (response.status >= 500) {
          fivexx.push(`${method} ${route.path} ${hostile.name}: ${response.status}`);
        }
      }
    }
    deepEqual(fivexx, [], `${fivexx.length} of ${sent} hostile requests answered 5xx`);
    // Every refusal was audited and counted, whatever its path held: NUL included.
    await flushBackground();
    const [written] = await withAdmin((sql) =>
      sql<{ audited: number; counted: number; nulPath: number }[]>`
        select (select count(*)::int from public.audit_logs
                 where user_id = ${user.id} and event_type = 'request_failed') as audited,
               (select count(*)::int from public.system_metrics
                 where user_id = ${user.id} and status_code >= 400) as counted,
               (select count(*)::int from public.audit_logs
                 where event_type = 'request_failed' and created_at >= ${since}
                   and event_data ->> 'route' = '/calibration/') as "nulPath"`
    );
    equal(written.audited, written.counted);
    assert(written.audited > 100, `${written.audited} refusals audited`);
    assert(written.nulPath >= 1, "the request for /calibration/%00 was audited");
  } finally {
    await flushBackground();
    await calibrationFn.close();
    await generateFn.close();
    await exportsRuntime.db.end();
    await model.shutdown();
  }
});

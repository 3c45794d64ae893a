/**
 * Lab SQL errors become HttpErrors: unit cases here, and the real
 * private.raise_http_error through Postgres.
 */
import { deepEqual, equal, ok as assert } from "node:assert/strict";
import postgres from "postgres";
import { HttpError } from "../errors.ts";
import { httpErrorFromSql, rethrowSqlError } from "./sql_errors.ts";
import { databaseUrl, dbTest } from "../../tests/harness.ts";

function sqlError(fields: Record<string, string>): Error {
  return Object.assign(new Error(fields.message ?? "boom"), fields);
}

Deno.test("an LB<status> error becomes that status with the hint as code and the detail as headers", () => {
  const error = httpErrorFromSql(sqlError({
    code: "LB429",
    message: "Too many requests: try again in 3 seconds",
    hint: "rate_limited",
    detail: '{"retry-after":"3","ignored":4}',
  }));
  assert(error instanceof HttpError);
  equal(error.status, 429);
  equal(error.code, "rate_limited");
  equal(error.message, "Too many requests: try again in 3 seconds");
  deepEqual(error.headers, { "retry-after": "3" });
});

Deno.test("a missing hint falls back to the status's code and a bad detail to no headers", () => {
  const error = httpErrorFromSql(sqlError({ code: "LB404", detail: "not json" }));
  assert(error instanceof HttpError);
  equal(error.code, "not_found");
  deepEqual(error.headers, {});
});

Deno.test("other errors are not lab errors", () => {
  equal(httpErrorFromSql(sqlError({ code: "23505" })), undefined);
  equal(httpErrorFromSql(sqlError({ code: "LB200" })), undefined);
  equal(httpErrorFromSql("LB404"), undefined);
  const plain = new Error("plain");
  try {
    rethrowSqlError(plain);
  } catch (error) {
    equal(error, plain);
  }
});

Deno.test("private.raise_http_error reaches the client as its HttpError", dbTest, async () => {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const error = await sql`select private.raise_http_error(409, 'idempotency_in_progress',
                              'Still running: retry shortly', '{"retry-after":"2"}')`
      .then(() => undefined, (e: unknown) => httpErrorFromSql(e));
    assert(error instanceof HttpError);
    equal(error.status, 409);
    equal(error.code, "idempotency_in_progress");
    equal(error.message, "Still running: retry shortly");
    deepEqual(error.headers, { "retry-after": "2" });
  } finally {
    await sql.end();
  }
});

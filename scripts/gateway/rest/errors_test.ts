import assert from "node:assert/strict";
import postgres from "postgres";
import { REST_ERRORS, restErrorResponse, statusForSqlState, toRestError } from "./errors.ts";

Deno.test("statusForSqlState follows PostgREST's table, 42501 by caller", () => {
  assert.equal(statusForSqlState("42501", true), 401);
  assert.equal(statusForSqlState("42501", false), 403);
  assert.equal(statusForSqlState("23505", false), 409);
  assert.equal(statusForSqlState("23503", false), 409);
  assert.equal(statusForSqlState("22P02", false), 400);
  assert.equal(statusForSqlState("23514", false), 400);
  assert.equal(statusForSqlState("42P01", false), 404);
  assert.equal(statusForSqlState("08006", false), 503);
  assert.equal(statusForSqlState("XX000", false), 500);
});

Deno.test("restErrorResponse renders PostgREST's four-field body", async () => {
  const response = restErrorResponse(REST_ERRORS.singular(0));
  assert.equal(response.status, 406);
  assert.deepEqual(await response.json(), {
    code: "PGRST116",
    details: "The result contains 0 rows",
    hint: null,
    message: "Cannot coerce the result to a single JSON object",
  });
});

Deno.test("toRestError hides non-database errors behind a 500", () => {
  const error = toRestError(new Error("secret connection string"), false);
  assert.equal(error.status, 500);
  assert.doesNotMatch(error.message, /secret/);
  assert.ok(postgres.PostgresError, "postgres.js exposes PostgresError for mapping");
});

Deno.test("toRestError answers a lost database connection with 503 PGRST001, as PostgREST does", () => {
  for (const code of ["57P01", "CONNECTION_CLOSED", "ECONNRESET", "EPIPE"]) {
    const lost = Object.assign(new Error("terminating connection due to administrator command"), {
      code,
    });
    const error = toRestError(lost, false);
    assert.equal(error.status, 503, code);
    assert.equal(error.code, "PGRST001", code);
  }
});

/** How the Storage stand-in answers database failures. */
import { equal } from "node:assert/strict";
import postgres from "postgres";
import { fromDatabaseError } from "./errors.ts";

/** A server-side error as postgres.js raises it. */
function serverError(code: string, message: string): postgres.PostgresError {
  const error = new postgres.PostgresError(message) as postgres.PostgresError & { code: string };
  Object.assign(error, { code });
  return error;
}

Deno.test("a backend the server terminated is 'database unavailable' (503), not a 500", () => {
  for (const code of ["57P01", "57P02", "57P03", "08006"]) {
    const failure = fromDatabaseError(
      serverError(code, "terminating connection due to administrator command"),
    );
    equal(failure.status, 503, code);
    equal(failure.toJSON().code, "DatabaseConnectionLimit", code);
  }
});

Deno.test("a write to a socket the server already closed (EPIPE) is 'database unavailable' (503)", () => {
  // What postgres.js raises when its next write reaches a terminated backend's closed socket.
  const epipe = Object.assign(new Error("This socket has been ended by the other party"), {
    code: "EPIPE",
  });
  const failure = fromDatabaseError(epipe);
  equal(failure.status, 503);
  equal(failure.toJSON().code, "DatabaseConnectionLimit");
});

Deno.test("other database errors keep Storage's mapping", () => {
  equal(fromDatabaseError(serverError("23505", "duplicate key")).toJSON().code, "KeyAlreadyExists");
  equal(fromDatabaseError(serverError("XX000", "internal")).status, 500);
});

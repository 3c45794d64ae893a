/**
 * The fast part of the fault suite: a few seconds of terminated backends
 * (every 150 ms) under concurrent generate, exports, Data API and
 * calibration traffic, then every consistency check at zero, no undefined
 * answer, and the lab still answering. `npm run soak` runs the long version.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { adminDatabaseUrl, databaseUrl, dbTest } from "../../supabase/functions/tests/harness.ts";
import { isDefinedAnswer, runFaultRound } from "./round.ts";

Deno.test(
  "terminating the lab's backends under load leaves every answer defined and nothing inconsistent",
  dbTest,
  async () => {
    const report = await runFaultRound({
      databaseUrl,
      adminUrl: adminDatabaseUrl,
      seconds: 4,
      maxRequests: 4000,
    });
    const undefinedAnswers = Object.fromEntries(
      Object.entries(report.answers).filter(([label]) => !isDefinedAnswer(label)),
    );
    deepEqual(undefinedAnswers, {}, JSON.stringify(report.answers));
    deepEqual(
      report.checks.filter((check) => check.violations > 0),
      [],
      JSON.stringify(report.checks),
    );
    ok(report.terminations.terminated > 0, "backends were terminated");
    ok(report.requests > 0);
    equal(report.labAnswers, true, "the lab answers after the terminations");
  },
);

Deno.test("isDefinedAnswer accepts 4xx and 503, refuses other 5xx and missing answers", () => {
  deepEqual(
    ["generate 200", "exports 409", "rest 503", "generate 500", "rest 502", "exports network-error"]
      .map(isDefinedAnswer),
    [true, true, true, false, false, false],
  );
});

/**
 * A valid token whose user is not in `auth.users` (a deleted user whose token
 * has not expired yet): every write answers 401 `user_not_found`, never the
 * foreign-key violation's 500, and nothing is written for that user.
 */
import { deepEqual, equal } from "node:assert/strict";
import { flushBackground } from "../_shared/background.ts";
import { startFunction } from "../_shared/runtime.ts";
import { mintAccessToken } from "../../../scripts/lib/local_auth.ts";
import { calibration } from "../calibration/app.ts";
import { questionDefinitions } from "../calibration/questionnaire.ts";
import { exports } from "../exports/app.ts";
import { generate } from "../generate/app.ts";
import { dbTest, jsonRequest, testEnv, type TestUser, withAdmin } from "./harness.ts";

/** A signed token for a user id that no `auth.users` row has. */
async function ghost(): Promise<TestUser> {
  const id = crypto.randomUUID();
  const email = `ghost-${id.slice(0, 8)}@test.local`;
  const token = await mintAccessToken(id, { email });
  return { id, email, token, headers: { authorization: `Bearer ${token}` } };
}

const CASES = [
  {
    module: calibration,
    path: "/calibration",
    body: {
      mode: "quick",
      answers: Object.fromEntries(questionDefinitions("quick").map((q) => [q.id, q.options[0].id])),
    },
  },
  { module: exports, path: "/exports", body: { format: "csv" } },
  {
    module: generate,
    path: "/generate",
    body: { prompt: "Hello", calibration_id: crypto.randomUUID() },
    headers: { "idempotency-key": "ghost-key" },
  },
] as const;

for (const { module, path, body, ...rest } of CASES) {
  Deno.test(
    `POST ${path} with a deleted user's valid token answers 401 user_not_found`,
    dbTest,
    async () => {
      const user = await ghost();
      // The model is never reached: the write that fails comes first.
      const env = testEnv({ OPENAI_API_KEY: "sk-unused", OPENAI_BASE_URL: "http://127.0.0.1:9" });
      const started = startFunction(module as typeof calibration, env);
      try {
        const headers = "headers" in rest ? rest.headers : {};
        const response = await started.app.request(path, jsonRequest(user, body, { headers }));
        const answer = await response.json();
        equal(response.status, 401, JSON.stringify(answer));
        equal(answer.error.code, "user_not_found");
        equal(answer.error.message, "Invalid token: its user does not exist");
        await flushBackground();
        const [rows] = await withAdmin((sql) =>
          sql<{ n: number }[]>`
          select (select count(*) from public.calibrations where user_id = ${user.id})
               + (select count(*) from public.experiment_exports where user_id = ${user.id})
               + (select count(*) from public.idempotency_keys where user_id = ${user.id})::int as n`
        );
        deepEqual({ ...rows }, { n: 0 });
      } finally {
        await flushBackground();
        await started.close();
      }
    },
  );
}

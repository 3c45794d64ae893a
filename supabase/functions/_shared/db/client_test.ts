/**
 * `withUser` against the real test database: the caller's role and claims,
 * and the optional isolation level and read-only mode.
 */
import { deepEqual, equal, ok as assert, rejects } from "node:assert/strict";
import { createDatabase, retryWhileUnavailable } from "./client.ts";
import { HttpError } from "../errors.ts";
import { createTestUser, databaseUrl, dbTest } from "../../tests/harness.ts";

Deno.test(
  "withUser runs as authenticated with the caller's claims and correlation id",
  dbTest,
  async () => {
    const db = createDatabase(databaseUrl, { max: 1 });
    const user = await createTestUser("db");
    const correlationId = crypto.randomUUID();
    try {
      const [row] = await db.withUser(
        { claims: { sub: user.id, role: "authenticated" }, correlationId },
        (tx) =>
          tx`select current_user as role, auth.uid()::text as uid,
                  current_setting('app.correlation_id') as correlation_id,
                  current_setting('transaction_isolation') as isolation,
                  current_setting('transaction_read_only') as read_only`,
      );
      deepEqual({ ...row }, {
        role: "authenticated",
        uid: user.id,
        correlation_id: correlationId,
        isolation: "read committed",
        read_only: "off",
      });
    } finally {
      await db.end();
    }
  },
);

Deno.test("withUser can run one repeatable-read snapshot, read only", dbTest, async () => {
  const db = createDatabase(databaseUrl, { max: 2 });
  const user = await createTestUser("snapshot");
  const context = {
    claims: { sub: user.id, role: "authenticated" },
    correlationId: crypto.randomUUID(),
  };
  try {
    const seen = await db.withUser(
      { ...context, isolation: "repeatable read", readOnly: true },
      async (tx) => {
        const [settings] = await tx`select current_setting('transaction_isolation') as isolation,
                                           current_setting('transaction_read_only') as read_only`;
        const before = await tx`select count(*)::int as n from public.calibrations`;
        // Another transaction commits a calibration while the snapshot is open.
        await db.withUser(context, (other) =>
          other`insert into public.calibrations (
                  mode, questionnaire_version, answers, temperature_min, temperature_max,
                  top_p_min, top_p_max, max_tokens_min, max_tokens_max,
                  frequency_penalty_min, frequency_penalty_max)
                values ('quick', 'v1', '{}'::jsonb, 0.2, 1, 0.5, 1, 100, 500, 0, 0.5)`);
        const after = await tx`select count(*)::int as n from public.calibrations`;
        return { ...settings, before: before[0].n, after: after[0].n };
      },
    );
    deepEqual(seen, { isolation: "repeatable read", read_only: "on", before: 0, after: 0 });
    const [{ n }] = await db.withUser(
      context,
      (tx) => tx`select count(*)::int as n from public.calibrations`,
    );
    equal(n, 1, "the other transaction did commit");

    await rejects(
      db.withUser(
        { ...context, readOnly: true },
        (tx) => tx`insert into public.audit_logs (event_type) values ('client_note')`,
      ),
      /read-only transaction/,
    );
  } finally {
    await db.end();
  }
});

Deno.test(
  "asService commits telemetry without waiting for the WAL flush only when asked",
  dbTest,
  async () => {
    const db = createDatabase(databaseUrl, { max: 1 });
    const setting = (tx: Parameters<Parameters<typeof db.asService>[1]>[0]) =>
      tx`select current_user as role, current_setting('synchronous_commit') as sync`;
    try {
      const [[lazy], [durable]] = [
        await db.asService({ durable: false }, setting),
        await db.asService({}, setting),
      ];
      deepEqual({ ...lazy }, { role: "service_role", sync: "off" });
      deepEqual({ ...durable }, { role: "service_role", sync: "on" }, "the server's own setting");
    } finally {
      await db.end();
    }
  },
);

Deno.test(
  "callAsUser calls a private step as the caller, sends objects as JSON and omits undefined arguments",
  dbTest,
  async () => {
    const db = createDatabase(databaseUrl, { max: 1 });
    const user = await createTestUser("caller");
    const caller = {
      claims: { sub: user.id, role: "authenticated" },
      correlationId: crypto.randomUUID(),
    };
    try {
      // Only step functions take the caller's claims: anything else does not resolve.
      await rejects(
        db.callAsUser(caller, "raise_http_error", { status: 418 }),
        /function private\.raise_http_error\(p_claims => jsonb/,
      );
      await rejects(
        db.callAsUser(caller, "start_generation; drop table x", {}),
        /Cannot call private\.start_generation; drop table x: invalid name/,
      );
      await rejects(
        db.callAsUser(caller, "start_generation", { "rate_limit) --": 1 }),
        /invalid name "rate_limit\) --"/,
      );
      const error = await db.callAsUser(caller, "start_generation", {
        calibration_id: crypto.randomUUID(),
        rate_limit: 30,
        audit_data: { nested: { ok: true } },
        idempotency_key: undefined,
        request_hash: undefined,
      }).catch((e: unknown) => e);
      assert(error instanceof HttpError, "a lab SQL error arrives as an HttpError");
      equal(error.status, 404);
      equal(error.code, "calibration_not_found");
    } finally {
      await db.end();
    }
  },
);

Deno.test("retryWhileUnavailable repeats only 503 database_unavailable, and only delaysMs times", async () => {
  const unavailable = new HttpError(503, "Database unavailable: try again shortly", {
    code: "database_unavailable",
  });
  let calls = 0;
  const flaky = () => ++calls < 3 ? Promise.reject(unavailable) : Promise.resolve("done");
  equal(await retryWhileUnavailable(flaky, { delaysMs: [0, 0, 0] }), "done");
  equal(calls, 3);

  calls = 0;
  await rejects(retryWhileUnavailable(flaky, { delaysMs: [0] }), unavailable);
  equal(calls, 2, "one try and one retry");

  calls = 0;
  const conflict = new HttpError(409, "Conflict");
  await rejects(retryWhileUnavailable(() => (calls++, Promise.reject(conflict))), conflict);
  equal(calls, 1, "any other failure is final at once");
});

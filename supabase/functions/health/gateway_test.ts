/**
 * The health function as clients reach it: through the local gateway at
 * `/functions/v1/health`, where verify_jwt is off, against the real stack
 * (database, Storage stand-in, offline model server).
 */
import { deepEqual, equal } from "node:assert/strict";
import { createTestUser, dbTest, withTestStack } from "../tests/harness.ts";

Deno.test(
  "through the gateway, liveness needs no token and readiness needs an admin",
  dbTest,
  () =>
    withTestStack(async (stack) => {
      const live = await fetch(`${stack.url}/functions/v1/health`);
      equal(live.status, 200);
      deepEqual((await live.json()).data, { status: "ok" });

      const anonymous = await fetch(`${stack.url}/functions/v1/health/ready`);
      equal(anonymous.status, 401, "the function itself refuses readiness without a token");
      await anonymous.body?.cancel();

      const user = await createTestUser("gw-user");
      const forbidden = await fetch(`${stack.url}/functions/v1/health/ready`, {
        headers: user.headers,
      });
      equal(forbidden.status, 403);
      await forbidden.body?.cancel();

      const admin = await createTestUser("gw-admin", { admin: true });
      const ready = await fetch(`${stack.url}/functions/v1/health/ready`, {
        headers: admin.headers,
      });
      equal(ready.status, 200);
      const { data } = await ready.json();
      equal(data.status, "ready");
      deepEqual(data.checks.database, { status: "ok", migrated: true });
      equal(data.checks.model.status, "ok", "the offline model server lists its models");
      equal(data.checks.storage.status, "ok", "the Storage stand-in answers");
    }),
);

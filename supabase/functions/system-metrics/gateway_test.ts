/**
 * The system-metrics function through the local gateway at
 * `/functions/v1/system-metrics`, with verify_jwt on, as an admin's
 * supabase-js client calls it.
 */
import { equal, ok as assert } from "node:assert/strict";
import { FunctionsHttpError } from "@supabase/supabase-js";
import type { SystemMetrics } from "../_shared/contracts/operations.ts";
import { clientFor, createTestUser, dbTest, withTestStack } from "../tests/harness.ts";

Deno.test(
  "supabase-js functions.invoke('system-metrics') answers an admin and refuses a user",
  dbTest,
  () =>
    withTestStack(async (stack) => {
      const missing = await fetch(`${stack.url}/functions/v1/system-metrics`);
      equal(missing.status, 401);
      equal((await missing.json()).msg, "Error: Missing authorization header");

      const admin = await createTestUser("gw-metrics-admin", { admin: true });
      await fetch(`${stack.url}/functions/v1/health`).then((r) => r.body?.cancel());
      await stack.flush();
      const figures = await clientFor(stack, admin).functions.invoke<{ data: SystemMetrics }>(
        "system-metrics?window=hour",
        { method: "GET" },
      );
      equal(figures.error, null);
      const hour = figures.data!.data.windows[0];
      equal(hour.window, "hour");
      assert(
        hour.routes.some((r) => r.route === "/health"),
        "the health request just made is counted",
      );

      const user = await createTestUser("gw-metrics-user");
      const refused = await clientFor(stack, user).functions.invoke("system-metrics", {
        method: "GET",
      });
      assert(refused.error instanceof FunctionsHttpError);
      equal(refused.error.context.status, 403);
    }),
);

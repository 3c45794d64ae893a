/**
 * The generate function as a real client calls it: through the local gateway
 * at `/functions/v1/generate` with `@supabase/supabase-js`, with no API key
 * configured (the stack starts the offline model server).
 */
import { equal, ok as assert } from "node:assert/strict";
import { FunctionsHttpError } from "@supabase/supabase-js";
import type { GenerateResult } from "../_shared/contracts/generate.ts";
import { clientFor, createTestUser, dbTest, withAdmin, withTestStack } from "../tests/harness.ts";
import { createTestCalibration } from "./test_fixtures.ts";

Deno.test(
  "supabase-js functions.invoke('generate') returns four scored responses over the gateway",
  dbTest,
  () =>
    withTestStack(async (stack) => {
      const user = await createTestUser("client");
      const calibrationId = await createTestCalibration(user);
      const supabase = clientFor(stack, user);

      const { data, error } = await supabase.functions.invoke<
        { success: true; data: GenerateResult }
      >("generate", {
        body: { prompt: "Write a short note about autumn leaves.", calibration_id: calibrationId },
      });
      equal(error, null);
      const result = data!.data;
      equal(result.responses.length, 4, "four responses by default");
      equal(result.status, "completed");
      for (const response of result.responses) {
        equal(response.status, "succeeded");
        if (response.status === "succeeded") {
          for (const value of Object.values(response.metrics)) assert(value >= 0 && value <= 1);
        }
      }
      equal(result.analytics?.count, 1);

      const { data: rows } = await supabase.from("experiments").select("id").eq(
        "id",
        result.experimentId,
      );
      equal(rows?.length, 1, "the owner reads the experiment through the Data API");

      const anonymous = clientFor(stack, null);
      const refused = await anonymous.functions.invoke("generate", {
        body: { prompt: "Hi", calibration_id: calibrationId },
      });
      assert(refused.error instanceof FunctionsHttpError, "the anon key alone is refused");
      await refused.error.context.body?.cancel();

      await stack.flush();
      await withAdmin(async (sql) => {
        const metrics = await sql`select status_code from public.system_metrics
                                   where user_id = ${user.id} and route = '/generate'`;
        equal(metrics.length, 1, "the request left one telemetry row");
        equal(metrics[0].status_code, 200);
      });
    }),
);

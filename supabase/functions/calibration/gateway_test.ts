/**
 * The calibration function as a real client calls it: through the local
 * gateway at `/functions/v1/calibration` with `@supabase/supabase-js`, and
 * the gateway's verify_jwt check in front of it.
 */
import { equal, ok as assert } from "node:assert/strict";
import { FunctionsHttpError } from "@supabase/supabase-js";
import type { CalibrationResult, QuestionnaireResponse } from "../_shared/contracts/calibration.ts";
import { clientFor, createTestUser, dbTest, withTestStack } from "../tests/harness.ts";

type Envelope<T> = { success: true; data: T; correlationId: string };

Deno.test(
  "supabase-js functions.invoke('calibration') reads the quiz and stores a calibration",
  dbTest,
  () =>
    withTestStack(async (stack) => {
      const user = await createTestUser("invoker");
      const supabase = clientFor(stack, user);

      const quiz = await supabase.functions.invoke<Envelope<QuestionnaireResponse>>(
        "calibration?mode=deep",
        {
          method: "GET",
        },
      );
      equal(quiz.error, null);
      const questions = quiz.data!.data.questions;
      equal(questions.length, 12);

      const answers = Object.fromEntries(questions.map((q) => [q.id, q.options[0].id]));
      const submitted = await supabase.functions.invoke<Envelope<CalibrationResult>>(
        "calibration",
        {
          body: { mode: "deep", answers },
        },
      );
      equal(submitted.error, null);
      const result = submitted.data!.data;
      equal(result.mode, "deep");
      assert(result.ranges.temperature.min <= result.ranges.temperature.max);

      const { data: rows } = await supabase.from("calibrations").select("id, mode").eq(
        "id",
        result.id,
      );
      equal(rows?.length, 1, "the owner reads the calibration through the Data API");
    }),
);

Deno.test(
  "the gateway's verify_jwt refuses missing and forged tokens before the function runs",
  dbTest,
  () =>
    withTestStack(async (stack) => {
      const missing = await fetch(`${stack.url}/functions/v1/calibration?mode=quick`);
      equal(missing.status, 401);
      equal((await missing.json()).msg, "Error: Missing authorization header");

      const user = await createTestUser("forger");
      const [header, payload] = user.token.split(".");
      const forged = await fetch(`${stack.url}/functions/v1/calibration?mode=quick`, {
        headers: { authorization: `Bearer ${header}.${payload}.c2lnbmF0dXJl` },
      });
      equal(forged.status, 401);
      equal((await forged.json()).msg, "Invalid JWT");

      const anonymous = await clientFor(stack, null).functions.invoke("calibration?mode=quick", {
        method: "GET",
      });
      assert(
        anonymous.error instanceof FunctionsHttpError,
        "the anon key passes the gateway but is no user",
      );
      equal(anonymous.error.context.status, 403);
      await anonymous.error.context.body?.cancel();
    }),
);

import { deepEqual, equal, ok as assert } from "node:assert/strict";
import type { GeneratedResponse } from "../_shared/contracts/generate.ts";
import { MAX_SEED } from "../_shared/contracts/generate.ts";
import type { CompletionRequest, LlmClient, LlmResult } from "../_shared/integrations/llm.ts";
import { scoreResponse } from "../_shared/lab/scoring.ts";
import type { ParameterRanges } from "../_shared/lab/parameters.ts";
import {
  callModel,
  experimentParameters,
  experimentSeed,
  experimentStatus,
  planParameters,
  toResponses,
} from "./experiment.ts";
import { designParameterSets } from "../_shared/lab/parameter_design.ts";

const ranges: ParameterRanges = {
  temperature: { min: 0.2, max: 1.2 },
  top_p: { min: 0.5, max: 0.95 },
  max_tokens: { min: 32, max: 160 },
  frequency_penalty: { min: 0, max: 0.5 },
};
const set = { temperature: 0.7, top_p: 0.9, max_tokens: 64, frequency_penalty: 0 };

function success(text: string): LlmResult {
  return {
    status: "succeeded",
    text,
    finishReason: "stop",
    usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 },
    latencyMs: 20,
    systemFingerprint: "fp_x",
  };
}

Deno.test("experimentSeed keeps a requested seed and draws a random one within 0..2^31-1", () => {
  equal(experimentSeed(0), 0);
  equal(experimentSeed(MAX_SEED), MAX_SEED);
  for (let i = 0; i < 200; i++) {
    const seed = experimentSeed();
    assert(Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED, String(seed));
  }
});

Deno.test("planParameters designs over the ranges, or repeats an explicit set", () => {
  deepEqual(planParameters(ranges, { count: 5, seed: 3 }), {
    design: "latin-hypercube",
    sets: designParameterSets(ranges, { count: 5, seed: 3 }),
  });
  const explicit = planParameters(ranges, { count: 3, seed: 3, explicit: set });
  equal(explicit.design, "explicit");
  deepEqual(explicit.sets, [set, set, set]);
  explicit.sets[0].temperature = 2;
  equal(explicit.sets[1].temperature, 0.7, "each response has its own copy");
});

Deno.test("callModel runs every call concurrently with the shared model, prompt and seed", async () => {
  const seen: CompletionRequest[] = [];
  let inFlight = 0;
  let peak = 0;
  const llm: LlmClient = {
    async complete(request) {
      seen.push(request);
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return success(`t=${request.parameters.temperature}`);
    },
  };
  const sets = designParameterSets(ranges, { count: 4, seed: 1 });
  const outcome = await callModel(llm, { model: "m", prompt: "p", seed: 9 }, sets);
  equal(peak, 4, "all four calls were in flight at once");
  deepEqual(seen.map((r) => r.parameters), sets);
  for (const request of seen) {
    deepEqual([request.model, request.prompt, request.seed], ["m", "p", 9]);
  }
  deepEqual(outcome.results.map((r) => r.status), [
    "fulfilled",
    "fulfilled",
    "fulfilled",
    "fulfilled",
  ]);
  assert(Number.isInteger(outcome.latencyMs) && outcome.latencyMs >= 0);
});

Deno.test("toResponses scores successes, keeps failures and turns a rejection into internal_error", () => {
  const prompt = "Describe the moon.";
  const text = "The moon is bright tonight. It lights the quiet sea.";
  const responses = toResponses(prompt, [set, set, set], [
    { status: "fulfilled", value: success(text) },
    {
      status: "fulfilled",
      value: {
        status: "failed",
        error: { code: "timeout", message: "Request timed out.", httpStatus: 408 },
        latencyMs: 50,
      },
    },
    { status: "rejected", reason: new Error("bug") },
  ]);
  deepEqual(responses[0], {
    index: 0,
    status: "succeeded",
    text,
    parameters: set,
    finishReason: "stop",
    usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 },
    latencyMs: 20,
    systemFingerprint: "fp_x",
    metrics: scoreResponse({ prompt, text, finishReason: "stop" }),
  });
  deepEqual(responses[1], {
    index: 1,
    status: "failed",
    parameters: set,
    latencyMs: 50,
    error: { code: "timeout", message: "Request timed out." },
  }, "the stored error has a code and a message only");
  equal(responses[2].status, "failed");
  if (responses[2].status === "failed") equal(responses[2].error.code, "internal_error");
});

Deno.test("experimentStatus is completed, partial or failed", () => {
  const ok = { status: "succeeded" } as GeneratedResponse;
  const failed = { status: "failed" } as GeneratedResponse;
  equal(experimentStatus([ok, ok]), "completed");
  equal(experimentStatus([ok, failed]), "partial");
  equal(experimentStatus([failed, failed]), "failed");
});

Deno.test("experimentParameters records the model, seed, design, count and sets", () => {
  const plan = planParameters(ranges, { count: 2, seed: 4 });
  deepEqual(experimentParameters({ model: "gpt-4o", seed: 4 }, plan), {
    model: "gpt-4o",
    seed: 4,
    design: "latin-hypercube",
    numResponses: 2,
    sets: plan.sets,
  });
});

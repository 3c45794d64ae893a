import { deepEqual, equal } from "node:assert/strict";
import {
  generatedResponseSchema,
  generateRequestSchema,
  generateResultSchema,
  MAX_PROMPT_CHARS,
  MAX_SEED,
} from "./generate.ts";

const calibrationId = "0b9d7d3e-5f1a-4c2b-9a7e-1d2c3b4a5f60";
const parameters = { temperature: 0.7, top_p: 0.9, max_tokens: 256, frequency_penalty: 0 };

Deno.test("generateRequestSchema trims the prompt and defaults numResponses to 4", () => {
  deepEqual(generateRequestSchema.parse({ prompt: "  Hello  ", calibration_id: calibrationId }), {
    prompt: "Hello",
    calibration_id: calibrationId,
    numResponses: 4,
  });
});

Deno.test("generateRequestSchema accepts explicit parameters and a seed", () => {
  const body = {
    prompt: "Hi",
    calibration_id: calibrationId,
    numResponses: 10,
    parameters,
    seed: MAX_SEED,
  };
  deepEqual(generateRequestSchema.parse(body), body);
});

Deno.test("generateRequestSchema rejects out-of-bounds requests", () => {
  const valid = { prompt: "Hi", calibration_id: calibrationId };
  const bad: [string, unknown][] = [
    ["blank prompt", { ...valid, prompt: " \n " }],
    ["long prompt", { ...valid, prompt: "a".repeat(MAX_PROMPT_CHARS + 1) }],
    ["no calibration", { prompt: "Hi" }],
    ["non-uuid calibration", { ...valid, calibration_id: "42" }],
    ["0 responses", { ...valid, numResponses: 0 }],
    ["11 responses", { ...valid, numResponses: 11 }],
    ["fractional responses", { ...valid, numResponses: 2.5 }],
    ["temperature 3", { ...valid, parameters: { ...parameters, temperature: 3 } }],
    ["fractional max_tokens", { ...valid, parameters: { ...parameters, max_tokens: 10.5 } }],
    ["incomplete parameters", { ...valid, parameters: { temperature: 1 } }],
    ["negative seed", { ...valid, seed: -1 }],
    ["seed above 2^31-1", { ...valid, seed: MAX_SEED + 1 }],
  ];
  for (const [label, body] of bad) {
    equal(generateRequestSchema.safeParse(body).success, false, label);
  }
  equal(
    generateRequestSchema.safeParse({ ...valid, prompt: "a".repeat(MAX_PROMPT_CHARS) }).success,
    true,
    "a prompt of exactly the limit",
  );
});

Deno.test("generateRequestSchema takes a template and variables instead of a prompt", () => {
  const body = {
    template: { name: "letters", label: "production" },
    variables: { topic: "tides", count: 3, formal: true },
    calibration_id: calibrationId,
  };
  deepEqual(generateRequestSchema.parse(body), { ...body, numResponses: 4 });
  const bad: [string, unknown][] = [
    ["neither prompt nor template", { calibration_id: calibrationId }],
    ["both prompt and template", { ...body, prompt: "Hi" }],
    ["variables without a template", {
      prompt: "Hi",
      variables: {},
      calibration_id: calibrationId,
    }],
    ["id and name", { ...body, template: { id: calibrationId, name: "letters" } }],
    ["no id nor name", { ...body, template: { version: 1 } }],
    ["version and label", { ...body, template: { name: "letters", version: 1, label: "staging" } }],
    ["version 0", { ...body, template: { name: "letters", version: 0 } }],
    ["uppercase label", { ...body, template: { name: "letters", label: "Prod" } }],
    ["unknown key", { ...body, template: { name: "letters", branch: "main" } }],
    ["nested variable", { ...body, variables: { topic: { deep: 1 } } }],
    ["non-identifier variable", { ...body, variables: { "two words": "x" } }],
  ];
  for (const [label, request] of bad) {
    equal(generateRequestSchema.safeParse(request).success, false, label);
  }
});

Deno.test("generatedResponseSchema tells succeeded and failed responses apart", () => {
  const succeeded = {
    index: 0,
    status: "succeeded",
    text: "Hi.",
    parameters,
    finishReason: "stop",
    usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
    latencyMs: 12,
    systemFingerprint: null,
    metrics: { creativity: 0.1, coherence: 1, structure: 0.5, completeness: 0 },
  };
  const failed = {
    index: 1,
    status: "failed",
    parameters,
    latencyMs: 5,
    error: { code: "timeout", message: "Request timed out." },
  };
  deepEqual(generatedResponseSchema.parse(succeeded), succeeded);
  deepEqual(generatedResponseSchema.parse(failed), failed);
  equal(
    generatedResponseSchema.safeParse({
      ...succeeded,
      metrics: { ...succeeded.metrics, coherence: 1.2 },
    }).success,
    false,
  );
  equal(generatedResponseSchema.safeParse({ ...failed, status: "succeeded" }).success, false);
});

Deno.test("generateResultSchema accepts a result with null analytics", () => {
  const result = {
    experimentId: calibrationId,
    status: "failed",
    model: "gpt-4o",
    seed: 1,
    design: "explicit",
    template: null,
    responses: [],
    latencyMs: 0,
    costUsd: null,
    unpricedResponses: 0,
    analytics: null,
  };
  deepEqual(generateResultSchema.parse(result), result);
  equal(generateResultSchema.safeParse({ ...result, design: "random" }).success, false);
});

import assert from "node:assert/strict";
import { mulberry32 } from "./prng.ts";
import {
  type Candidate,
  distribution,
  penalizedLogits,
  sampleToken,
  type SamplingOptions,
} from "./sampler.ts";

const candidates: Candidate[] = [
  { token: "fox", weight: 6 },
  { token: "crow", weight: 3 },
  { token: "hare", weight: 1 },
];

function options(overrides: Partial<SamplingOptions> = {}): SamplingOptions {
  return {
    temperature: 1,
    topP: 1,
    frequencyPenalty: 0,
    presencePenalty: 0,
    generated: new Map(),
    random: mulberry32(7),
    ...overrides,
  };
}

function probabilityOf(token: string, settings: SamplingOptions): number {
  return distribution(candidates, settings).find((entry) => entry.token === token)?.probability ??
    0;
}

Deno.test("temperature 1 samples in proportion to the weights", () => {
  assert.ok(Math.abs(probabilityOf("fox", options()) - 0.6) < 1e-9);
  assert.ok(Math.abs(probabilityOf("hare", options()) - 0.1) < 1e-9);
});

Deno.test("temperature 0 is greedy and higher temperature flattens the distribution", () => {
  assert.deepEqual(distribution(candidates, options({ temperature: 0 })), [{
    token: "fox",
    probability: 1,
  }]);
  assert.ok(
    probabilityOf("hare", options({ temperature: 2 })) >
      probabilityOf("hare", options({ temperature: 0.5 })),
  );
});

Deno.test("top_p keeps only the nucleus of likely tokens", () => {
  const nucleus = distribution(candidates, options({ topP: 0.5 }));
  assert.deepEqual(nucleus, [{ token: "fox", probability: 1 }]);
  assert.deepEqual(distribution(candidates, options({ topP: 0.8 })).map((entry) => entry.token), [
    "fox",
    "crow",
  ]);
});

Deno.test("frequency and presence penalties lower the logits of generated tokens", () => {
  const generated = new Map([["fox", 2]]);
  assert.deepEqual(
    penalizedLogits(candidates, { frequencyPenalty: 0.5, presencePenalty: 0.25, generated }),
    [Math.log(6) - 1.25, Math.log(3), 0],
  );
  assert.equal(
    distribution(candidates, options({ temperature: 0, frequencyPenalty: 1, generated }))[0].token,
    "crow",
  );
  assert.ok(probabilityOf("fox", options({ frequencyPenalty: -1, generated })) > 0.6);
});

Deno.test("sampleToken follows the distribution and is reproducible for a seed", () => {
  const draws = (seed: number) => {
    const random = mulberry32(seed);
    return Array.from({ length: 3000 }, () => sampleToken(candidates, options({ random })));
  };
  assert.deepEqual(draws(3), draws(3));
  const share = draws(3).filter((token) => token === "fox").length / 3000;
  assert.ok(Math.abs(share - 0.6) < 0.05, `fox share ${share}`);
});

Deno.test("distribution refuses an empty candidate list", () => {
  assert.throws(() => distribution([], options()), /no candidates/);
});

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  clampParameter,
  PARAMETER_BOUNDS,
  PARAMETER_NAMES,
  parameterRangesSchema,
  parameterSetSchema,
  rangesFromColumns,
  roundParameter,
} from "./parameters.ts";

const validRanges = {
  temperature: { min: 0.4, max: 0.9 },
  top_p: { min: 0.8, max: 1 },
  max_tokens: { min: 256, max: 1024 },
  frequency_penalty: { min: 0, max: 0.5 },
};

Deno.test("PARAMETER_NAMES lists every bounded parameter once", () => {
  assert.deepEqual(
    [...PARAMETER_NAMES].sort(),
    Object.keys(PARAMETER_BOUNDS).sort(),
  );
});

Deno.test("roundParameter rounds to two decimals and max_tokens to an integer", () => {
  assert.equal(roundParameter("temperature", 0.7349), 0.73);
  assert.equal(roundParameter("top_p", 0.955), 0.96);
  assert.equal(roundParameter("frequency_penalty", -0.126), -0.13);
  assert.equal(roundParameter("max_tokens", 511.5), 512);
  assert.equal(
    roundParameter("temperature", 0.2 + 0.375),
    0.58,
    "binary noise is ignored",
  );
  assert.equal(roundParameter("temperature", 1.005), 1.01);
  assert.equal(
    roundParameter("frequency_penalty", -0.125),
    -0.13,
    "halves round away from zero",
  );
  assert.equal(roundParameter("max_tokens", -0.5 + 2), 2);
  assert.ok(
    Object.is(roundParameter("frequency_penalty", -0.001), 0),
    "no negative zero",
  );
});

Deno.test("clampParameter keeps values inside the provider bounds", () => {
  assert.equal(clampParameter("top_p", 1.2), 1);
  assert.equal(clampParameter("temperature", -1), 0);
  assert.equal(clampParameter("max_tokens", 10_000), 4096);
  assert.equal(clampParameter("frequency_penalty", 0.3), 0.3);
});

Deno.test("parameterSetSchema accepts values at the bounds", () => {
  const low = {
    temperature: 0,
    top_p: 0,
    max_tokens: 1,
    frequency_penalty: -2,
  };
  const high = {
    temperature: 2,
    top_p: 1,
    max_tokens: 4096,
    frequency_penalty: 2,
  };
  assert.deepEqual(parameterSetSchema.parse(low), low);
  assert.deepEqual(parameterSetSchema.parse(high), high);
});

Deno.test("parameterSetSchema rejects out-of-bounds and fractional max_tokens", () => {
  const ok = {
    temperature: 1,
    top_p: 0.9,
    max_tokens: 512,
    frequency_penalty: 0,
  };
  const bad = [
    { ...ok, temperature: 2.01 },
    { ...ok, top_p: -0.1 },
    { ...ok, max_tokens: 0 },
    { ...ok, max_tokens: 4097 },
    { ...ok, max_tokens: 12.5 },
    { ...ok, frequency_penalty: -2.5 },
    { ...ok, temperature: Number.NaN },
  ];
  for (const value of bad) {
    assert.equal(
      parameterSetSchema.safeParse(value).success,
      false,
      JSON.stringify(value),
    );
  }
});

Deno.test("parameterRangesSchema accepts valid ranges, including zero-width ones", () => {
  assert.deepEqual(parameterRangesSchema.parse(validRanges), validRanges);
  const zeroWidth = { ...validRanges, temperature: { min: 0.7, max: 0.7 } };
  assert.equal(parameterRangesSchema.safeParse(zeroWidth).success, true);
});

Deno.test("parameterRangesSchema rejects min above max with a readable message", () => {
  const result = parameterRangesSchema.safeParse({
    ...validRanges,
    top_p: { min: 0.95, max: 0.9 },
  });
  assert.equal(result.success, false);
  const issue = result.error?.issues[0];
  assert.equal(
    issue?.message,
    "Range minimum must not exceed its maximum: top_p",
  );
  assert.deepEqual(issue?.path, ["top_p", "min"]);
});

Deno.test("parameterRangesSchema rejects a missing parameter and out-of-bounds ends", () => {
  const { frequency_penalty: _omitted, ...missing } = validRanges;
  assert.equal(parameterRangesSchema.safeParse(missing).success, false);
  const outside = { ...validRanges, max_tokens: { min: 256, max: 8192 } };
  assert.equal(parameterRangesSchema.safeParse(outside).success, false);
});

Deno.test("roundParameter of a clamped value always satisfies parameterSetSchema", () => {
  fc.assert(
    fc.property(
      fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
      fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
      fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
      fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
      (temperature, top_p, max_tokens, frequency_penalty) => {
        const raw = { temperature, top_p, max_tokens, frequency_penalty };
        const set = Object.fromEntries(
          PARAMETER_NAMES.map((
            name,
          ) => [name, roundParameter(name, clampParameter(name, raw[name]))]),
        );
        assert.equal(
          parameterSetSchema.safeParse(set).success,
          true,
          JSON.stringify(set),
        );
      },
    ),
  );
});

Deno.test("roundParameter is monotonic and idempotent (property)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...PARAMETER_NAMES),
      fc.double({ noNaN: true, min: -5000, max: 5000 }),
      fc.double({ noNaN: true, min: -5000, max: 5000 }),
      (name, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        assert.ok(
          roundParameter(name, low) <= roundParameter(name, high),
          `${name} ${low} ${high}`,
        );
        const once = roundParameter(name, a);
        assert.equal(roundParameter(name, once), once);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("rangesFromColumns reads every parameter's min and max column", () => {
  const ranges = rangesFromColumns({
    temperature_min: 0.2,
    temperature_max: 0.9,
    top_p_min: 0.8,
    top_p_max: 1,
    max_tokens_min: 128,
    max_tokens_max: 512,
    frequency_penalty_min: 0,
    frequency_penalty_max: 0.5,
  });
  assert.deepEqual(ranges, {
    temperature: { min: 0.2, max: 0.9 },
    top_p: { min: 0.8, max: 1 },
    max_tokens: { min: 128, max: 512 },
    frequency_penalty: { min: 0, max: 0.5 },
  });
});

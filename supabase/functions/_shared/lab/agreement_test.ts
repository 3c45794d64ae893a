import assert from "node:assert/strict";
import { agreementWithin, krippendorffAlpha, spearman, weightedKappa } from "./agreement.ts";

const close = (actual: number | null, expected: number, digits = 3) => {
  if (actual === null) throw new Error("expected a value, got null");
  assert.equal(Number(actual.toFixed(digits)), Number(expected.toFixed(digits)));
};

// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the
// worked example: four observers, twelve units, missing values. Published:
// nominal .743, ordinal .815, interval .849.
const KRIPPENDORFF_2011: (number | null)[][] = (() => {
  const observers = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
    [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
  ];
  return observers[0].map((_, unit) => observers.map((o) => o[unit]));
})();

Deno.test("krippendorffAlpha reproduces Krippendorff's published worked example", () => {
  close(krippendorffAlpha(KRIPPENDORFF_2011, "nominal").value, 0.743);
  close(krippendorffAlpha(KRIPPENDORFF_2011, "ordinal").value, 0.815);
  close(krippendorffAlpha(KRIPPENDORFF_2011, "interval").value, 0.849);
  assert.equal(krippendorffAlpha(KRIPPENDORFF_2011).n, 11, "the unit rated once is not pairable");
});

Deno.test("krippendorffAlpha is 1 for perfect agreement and null without variation", () => {
  assert.equal(krippendorffAlpha([[1, 1], [3, 3, 3], [2, 2]]).value, 1);
  assert.deepEqual(krippendorffAlpha([[4, 4], [4, 4]]), { value: null, n: 2 });
  assert.deepEqual(krippendorffAlpha([[4, null], [5]]), { value: null, n: 0 });
});

// Wikipedia, "Spearman's rank correlation coefficient": IQ against hours of
// TV a week, rho = -29/165.
Deno.test("spearman reproduces the published IQ and television example", () => {
  const iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110];
  const tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17];
  const rho = spearman(iq.map((v, i) => [v, tv[i]] as const));
  close(rho.value, -29 / 165, 6);
  assert.equal(rho.n, 10);
});

Deno.test("spearman averages tied ranks and is null for fewer than three pairs or no variation", () => {
  close(spearman([[1, 1], [2, 2], [2, 2], [3, 3]]).value, 1);
  assert.equal(spearman([[1, 2], [2, 1]]).value, null);
  assert.equal(spearman([[1, 2], [1, 3], [1, 4]]).value, null);
});

// Wikipedia, "Cohen's kappa": 50 proposals, 20 both yes, 15 both no, 5 and
// 10 split; kappa = 0.4. With two levels every weighting gives Cohen's kappa.
Deno.test("weightedKappa with two levels reproduces the published Cohen's kappa example", () => {
  const pairs: [number, number][] = [
    ...Array(20).fill([1, 1]),
    ...Array(5).fill([1, 0]),
    ...Array(10).fill([0, 1]),
    ...Array(15).fill([0, 0]),
  ];
  close(weightedKappa(pairs, [0, 1], "linear").value, 0.4);
  close(weightedKappa(pairs, [0, 1], "quadratic").value, 0.4);
  assert.equal(weightedKappa(pairs, [0, 1]).n, 50);
});

Deno.test("weightedKappa matches a hand-computed three-level example", () => {
  // Observed weighted disagreement 2/6 (linear) and 1.5/6 (quadratic) against
  // expected 4/9 and 1/3 from uniform marginals: kappa 0.25 either way.
  const pairs: [number, number][] = [[1, 1], [2, 2], [3, 3], [1, 2], [2, 3], [3, 1]];
  close(weightedKappa(pairs, [1, 2, 3], "linear").value, 0.25);
  close(weightedKappa(pairs, [1, 2, 3], "quadratic").value, 0.25);
});

Deno.test("weightedKappa ignores values off the scale and is null when chance explains everything", () => {
  assert.equal(weightedKappa([[1, 9]], [1, 2, 3]).n, 0);
  assert.deepEqual(weightedKappa([[2, 2], [2, 2]], [1, 2, 3]), { value: null, n: 2 });
});

Deno.test("agreementWithin counts exact and within-one agreement", () => {
  const pairs: [number, number][] = [[1, 1], [2, 3], [5, 7], [4, 4]];
  assert.deepEqual(agreementWithin(pairs, 0), { value: 0.5, n: 4 });
  assert.deepEqual(agreementWithin(pairs, 1), { value: 0.75, n: 4 });
  assert.deepEqual(agreementWithin([], 1), { value: null, n: 0 });
});

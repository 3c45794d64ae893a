import assert from "node:assert/strict";
import { type Battle, ELO_PER_LOG, fitBradleyTerry, rankArms } from "./bradley_terry.ts";

const battles = (a: string, b: string, outcome: Battle["outcome"], times: number): Battle[] =>
  Array.from({ length: times }, () => ({ a, b, outcome }));

/**
 * An independent fit to check the MM algorithm against: gradient ascent on
 * the Bradley–Terry log-likelihood, a tie counting half a win each way.
 */
function oracleFit(arms: string[], votes: Battle[]): Map<string, number> {
  const beta = new Map(arms.map((arm) => [arm, 0]));
  for (let step = 0; step < 20_000; step++) {
    const gradient = new Map(arms.map((arm) => [arm, 0]));
    for (const v of votes) {
      const p = 1 / (1 + Math.exp(beta.get(v.b)! - beta.get(v.a)!));
      const y = v.outcome === "a" ? 1 : v.outcome === "b" ? 0 : 0.5;
      gradient.set(v.a, gradient.get(v.a)! + (y - p));
      gradient.set(v.b, gradient.get(v.b)! - (y - p));
    }
    for (const arm of arms) beta.set(arm, beta.get(arm)! + 0.05 * gradient.get(arm)!);
  }
  const mean = arms.reduce((s, arm) => s + beta.get(arm)!, 0) / arms.length;
  return new Map(arms.map((arm) => [arm, beta.get(arm)! - mean]));
}

Deno.test("two arms: the strength ratio is the ratio of wins, ties counted half each way", () => {
  const fit = fitBradleyTerry(["x", "y"], [
    ...battles("x", "y", "a", 5),
    ...battles("y", "x", "a", 1),
    ...battles("x", "y", "tie", 2),
  ], { prior: 0 });
  // x: 5 + 1 = 6 wins, y: 1 + 1 = 2 wins, so p_x / p_y = 3.
  assert.ok(Math.abs(fit.get("x")! - fit.get("y")! - Math.log(3)) < 1e-9);
  assert.ok(Math.abs(fit.get("x")! + fit.get("y")!) < 1e-9, "log-strengths are centred on 0");
});

Deno.test("four arms: the MM fit equals an independent gradient-ascent fit of the same votes", () => {
  const arms = ["a", "b", "c", "d"];
  const votes = [
    ...battles("a", "b", "a", 7),
    ...battles("a", "b", "b", 3),
    ...battles("a", "b", "tie", 2),
    ...battles("a", "c", "a", 6),
    ...battles("c", "a", "a", 4),
    ...battles("b", "c", "a", 5),
    ...battles("b", "c", "b", 5),
    ...battles("b", "c", "tie", 4),
    ...battles("d", "a", "b", 8),
    ...battles("d", "a", "a", 2),
    ...battles("c", "d", "a", 6),
    ...battles("c", "d", "b", 3),
    ...battles("b", "d", "tie", 3),
    ...battles("b", "d", "a", 4),
    ...battles("d", "b", "a", 1),
  ];
  const mm = fitBradleyTerry(arms, votes, { prior: 0 });
  const oracle = oracleFit(arms, votes);
  for (const arm of arms) {
    assert.ok(
      Math.abs(mm.get(arm)! - oracle.get(arm)!) < 1e-6,
      `${arm}: ${mm.get(arm)} vs ${oracle.get(arm)}`,
    );
  }
});

Deno.test("the prior keeps an arm that never won finite", () => {
  const fit = fitBradleyTerry(["x", "y"], battles("x", "y", "a", 10));
  assert.ok(Number.isFinite(fit.get("y")!));
  assert.ok(fit.get("x")! > fit.get("y")!);
});

Deno.test("rankArms reports Elo ratings, seeded intervals and which differences are resolved", () => {
  const votes = [
    ...battles("strong", "weak", "a", 60),
    ...battles("strong", "weak", "b", 5),
    ...battles("strong", "mid", "a", 30),
    ...battles("strong", "mid", "b", 28),
    ...battles("mid", "weak", "a", 50),
    ...battles("mid", "weak", "b", 8),
  ];
  const ranking = rankArms(["weak", "mid", "strong"], votes, { resamples: 500, seed: 11 });
  assert.deepEqual(ranking.arms.map((a) => a.arm), ["strong", "mid", "weak"]);
  for (const arm of ranking.arms) {
    assert.ok(
      arm.low <= arm.rating && arm.rating <= arm.high,
      `${arm.arm} interval holds its rating`,
    );
  }
  const weak = ranking.arms.find((a) => a.arm === "weak")!;
  assert.equal(weak.rank, 3, "two arms lie wholly above the weak one");
  assert.equal(weak.votes, 123);
  const strongMid = ranking.pairs.find((p) => p.a === "mid" && p.b === "strong")!;
  assert.equal(strongMid.resolved, false, "30 to 28 does not separate strong from mid");
  assert.ok(
    ranking.statements.includes("mid and strong: not resolved (their 95% intervals overlap)."),
  );
  assert.ok(
    ranking.statements.includes(
      "strong ranks above weak: resolved (their 95% intervals do not overlap).",
    ),
  );
  const again = rankArms(["weak", "mid", "strong"], votes, { resamples: 500, seed: 11 });
  assert.deepEqual(again, ranking, "the same votes and seed give the same ranking");
  const elo = ranking.arms[0].rating - ranking.arms[2].rating;
  assert.ok(elo > 0 && elo < 20 * ELO_PER_LOG);
});

Deno.test("pair records count wins in either order and ties", () => {
  const ranking = rankArms(["x", "y"], [
    { a: "x", b: "y", outcome: "a" },
    { a: "y", b: "x", outcome: "a" },
    { a: "y", b: "x", outcome: "b" },
    { a: "x", b: "y", outcome: "tie" },
  ], { resamples: 50 });
  assert.deepEqual(
    { winsA: ranking.pairs[0].winsA, winsB: ranking.pairs[0].winsB, ties: ranking.pairs[0].ties },
    { winsA: 2, winsB: 1, ties: 1 },
  );
  assert.equal(ranking.pairs[0].winRateA, 2.5 / 4);
});

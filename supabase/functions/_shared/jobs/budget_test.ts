/** A slice's budget runs out on wall time or on CPU time, whichever comes first. */
import { equal } from "node:assert/strict";
import { startBudget } from "./budget.ts";

function fakeClock() {
  const clock = { wall: 1_000, cpu: 50, wallMs: () => clock.wall, cpuMs: () => clock.cpu };
  return clock;
}

Deno.test("the wall budget runs out, and remainingMs counts down to zero", () => {
  const clock = fakeClock();
  const budget = startBudget({ wallMs: 100, cpuMs: 1_000 }, clock);
  equal(budget.exhausted(), false);
  clock.wall += 60;
  equal(budget.remainingMs(), 40);
  clock.wall += 40;
  equal(budget.exhausted(), true);
  clock.wall += 500;
  equal(budget.remainingMs(), 0);
});

Deno.test("the CPU budget runs out however much wall time is left", () => {
  const clock = fakeClock();
  const budget = startBudget({ wallMs: 60_000, cpuMs: 200 }, clock);
  clock.cpu += 199;
  equal(budget.exhausted(), false);
  clock.cpu += 1;
  equal(budget.exhausted(), true);
});

Deno.test("the process clock measures CPU here, so the default budget is bounded by it", () => {
  const budget = startBudget({ wallMs: 60_000, cpuMs: 1 });
  const until = performance.now() + 2_000;
  let spins = 0;
  while (!budget.exhausted() && performance.now() < until) spins++;
  equal(budget.exhausted(), true, `${spins} spins`);
});

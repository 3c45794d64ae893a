/**
 * Arenas against the real local gateway and the offline model: an owner
 * builds an arena of three arms, two testers vote blind through the SDK, the
 * judge votes in both orders, the rankings come back with intervals, and the
 * arena's export holds the same rankings.
 */
import { strFromU8, unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { LabAuthError, LabConflictError, LabNotFoundError } from "../src/index.ts";
import { createUser, labFor, noStack } from "./stack.ts";

const base = { top_p: 0.9, max_tokens: 60, frequency_penalty: 0 };

describe.skipIf(noStack)("arenas over HTTP", () => {
  it("testers vote blind, the judge votes both orders, and both rankings come back", async () => {
    const ownerUser = await createUser("arena-owner");
    const testers = [await createUser("arena-t1"), await createUser("arena-t2")];
    const owner = labFor(ownerUser);
    const created = await owner.arenas.create({
      name: "How warm?",
      visibility: "invited",
      invited: testers.map((t) => t.email),
      arms: [
        { label: "cold", parameters: { ...base, temperature: 0.1 } },
        { label: "mild", parameters: { ...base, temperature: 0.7 } },
        { label: "hot", parameters: { ...base, temperature: 1.4 } },
      ],
      prompts: ["Describe the sea.", "Describe a forest."],
      questions: [{ id: "tone", type: "select", prompt: "Tone?", options: ["dry", "warm"] }],
    });
    expect(created.error).toBeNull();
    const arenaId = created.data!.id;
    const generated = await owner.arenas.generate(arenaId);
    expect(generated.data).toMatchObject({ done: 6, remaining: 0 });

    const ownerVote = await owner.arenas.next(arenaId);
    expect(ownerVote.error).toBeInstanceOf(LabAuthError);

    let votes = 0;
    for (const tester of testers) {
      const lab = labFor(tester);
      for (;;) {
        const pair = await lab.arenas.next(arenaId);
        expect(pair.error).toBeNull();
        if (pair.data === null) break;
        expect(Object.keys(pair.data).sort()).toEqual(["left", "pairId", "prompt", "questions", "right"]);
        const verdict = pair.data.left.length >= pair.data.right.length ? "left" : "right";
        const voted = await lab.arenas.vote(pair.data.pairId, {
          verdict,
          answers: { left: { tone: "dry" }, right: { tone: "warm" } },
        });
        expect(voted.error).toBeNull();
        const again = await lab.arenas.vote(pair.data.pairId, { verdict: "tie" });
        expect(again.error).toBeInstanceOf(LabConflictError);
        votes++;
      }
      const arms = await lab.supabase.from("arena_arms").select("label");
      expect(arms.data).toEqual([]);
    }
    expect(votes).toBe(12);

    const judged = await owner.arenas.judge(arenaId);
    expect(judged.data).toMatchObject({ done: 6, remaining: 0 });

    const ranking = await owner.arenas.ranking(arenaId);
    expect(ranking.error).toBeNull();
    const { testers: fromTesters, judge } = ranking.data!;
    expect(fromTesters.votes).toBe(12);
    expect(fromTesters.resamples).toBe(500);
    expect(fromTesters.arms.map((a) => a.arm).sort()).toEqual(["cold", "hot", "mild"]);
    for (const arm of fromTesters.arms) expect(arm.low).toBeLessThanOrEqual(arm.high);
    expect(fromTesters.statements).toHaveLength(3);
    expect(judge.judged).toBe(6);
    expect(judge.flippedShare).toBeGreaterThanOrEqual(0);
    expect(judge.votes).toBe(Math.round(6 * (1 - judge.flippedShare!)));
    const again = await owner.arenas.ranking(arenaId);
    expect(again.data).toEqual(ranking.data);

    const exported = await owner.arenas.export(arenaId);
    expect(exported.error).toBeNull();
    expect(exported.data).toMatchObject({ arenaId, votes: 12, judgeVerdicts: 6 });
    const zip = new Uint8Array(await (await fetch(exported.data!.url)).arrayBuffer());
    const entries = unzipSync(zip);
    const packaged = JSON.parse(strFromU8(entries["ranking.json"]));
    expect(packaged.method).toMatchObject({ resamples: 500, arms: ["cold", "hot", "mild"] });
    expect({ testers: packaged.testers, judge: packaged.judge }).toEqual(ranking.data);
    expect(JSON.parse(strFromU8(entries["manifest.json"])).counts).toEqual({
      arms: 3,
      prompts: 2,
      responses: 6,
      votes: 12,
      judgeVerdicts: 6,
    });

    const outsider = labFor(await createUser("arena-outsider"));
    expect((await outsider.arenas.export(arenaId)).error).toBeInstanceOf(LabNotFoundError);
    expect((await outsider.arenas.next(arenaId)).error).toBeInstanceOf(LabNotFoundError);
    expect((await outsider.arenas.ranking(arenaId)).error).toBeInstanceOf(LabNotFoundError);
    expect((await owner.arenas.close(arenaId)).error).toBeNull();
    const closed = await labFor(testers[0]).arenas.next(arenaId);
    expect(closed.error).toBeInstanceOf(LabConflictError);
  });
});

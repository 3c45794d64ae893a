/**
 * BENCH item 11: arenas. (a) Handing out the next pair under 50 concurrent
 * testers: `public.next_arena_pair` as each tester, through the functions'
 * own path (`db.withUser`: one transaction, RLS on, the tester's claims),
 * every tester voting on each pair before asking again (the vote is written
 * by the bench's admin connection, untimed, so the per-tester vote rate
 * limit does not pace the load). Floor: a bare `update … returning` of two
 * arms' counters (their rows locked in id order, or concurrent updates
 * deadlock), what any hand-out must do, in a transaction of its own on the
 * same arms with the same concurrency, timed in alternating rounds. Bar:
 * p99 ≤ 2× floor. (b) The Bradley–Terry fit with its 500-resample bootstrap
 * for 10 arms and 20 k votes, as the ranking endpoint and the arena export
 * run it: its CPU time must stay under the hosted 2 s per request.
 *
 * @module
 */
import { cpuUsage } from "node:process";
import postgres from "postgres";
import { createDatabase } from "../../supabase/functions/_shared/db/client.ts";
import { rankArena } from "../../supabase/functions/_shared/lab/arena_ranking.ts";
import { mulberry32 } from "../../supabase/functions/_shared/random.ts";
import type { DatabaseTarget } from "../lib/database.ts";
import { ensureLocalUser } from "../lib/local_auth.ts";
import { runLoad } from "./load.ts";
import type { BenchPlan } from "./options.ts";
import type { Figure } from "./report.ts";
import { medianOf, quantile } from "./stats.ts";

const ITEM = "11 arenas";
/** Arms of the measured arena and of the fit. */
const ARMS = 10;

interface Tester {
  id: string;
  claims: Record<string, unknown>;
}

/** An open arena of `ARMS` arms, `prompts` prompts and every answer, owned by a bench user. */
async function seedArena(
  sql: postgres.Sql,
  ownerId: string,
  prompts: number,
): Promise<{ arenaId: string; armIds: string[] }> {
  const [arena] = await sql<{ id: string }[]>`
    insert into public.arenas (user_id, name, max_votes_per_arm, seed)
    values (${ownerId}, 'bench', 1000000, 7) returning id`;
  const arms = await sql<{ id: string }[]>`
    insert into public.arena_arms (arena_id, user_id, label, model, parameters)
    select ${arena.id}, ${ownerId}, 'arm ' || i, 'gpt-4o',
           jsonb_build_object('temperature', i / 10.0, 'top_p', 0.9, 'max_tokens', 64, 'frequency_penalty', 0)
      from generate_series(1, ${ARMS}) i
    returning id`;
  await sql`
    insert into public.arena_prompts (arena_id, user_id, prompt, position)
    select ${arena.id}, ${ownerId}, 'Prompt ' || i, i from generate_series(1, ${prompts}) i`;
  await sql`
    insert into public.arena_responses (arena_id, user_id, prompt_id, arm_id, text, seed)
    select ${arena.id}, ${ownerId}, p.id, a.id, 'Answer of ' || a.label || ' to ' || p.prompt, 7
      from public.arena_prompts p cross join public.arena_arms a
     where p.arena_id = ${arena.id} and a.arena_id = ${arena.id}`;
  return { arenaId: arena.id, armIds: arms.map((a) => a.id).sort() };
}

/**
 * Runs item 9 in `target` (a throwaway database).
 *
 * @example
 * const { figures } = await benchArenas(target, plan.arenas, console.log);
 */
export async function benchArenas(
  target: DatabaseTarget,
  options: BenchPlan["arenas"],
  log: (line: string) => void,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  // Each phase opens its own pools and closes them after, so the two phases' 50 connections
  // each never add up past a server's default of 100.
  const admin = postgres(target.adminUrl, { max: 2, onnotice: () => {} });
  try {
    const ownerId = await ensureLocalUser(target.appUrl, "bench-arena-owner@bench.local");
    const testers: Tester[] = [];
    for (let i = 0; i < options.testers; i++) {
      const email = `bench-arena-tester-${i}@bench.local`;
      const id = await ensureLocalUser(target.appUrl, email);
      testers.push({ id, claims: { sub: id, role: "authenticated", aud: "authenticated", email } });
    }
    const { arenaId, armIds } = await seedArena(admin, ownerId, options.prompts);
    log(`arena of ${ARMS} arms and ${options.prompts} prompts, ${options.testers} testers`);

    // One request per tester at a time (as at a screen): a tester asking again before voting
    // would be handed the same pair.
    const idle = [...testers];
    /** A phase of hand-outs: each request an idle tester taking a pair (timed), then voting (untimed). */
    const handOuts = async (requests: number) => {
      const db = createDatabase(target.appUrl, { max: options.testers });
      const latencies: number[] = [];
      const takeAndVote = async (tester: Tester) => {
        const started = performance.now();
        const caller = { claims: tester.claims, correlationId: crypto.randomUUID() };
        const [pair] = await db.withUser(
          caller,
          (tx) => tx<{ pair_id: string }[]>`select pair_id from public.next_arena_pair(${arenaId})`,
        );
        latencies.push(performance.now() - started);
        if (!pair) throw new Error("Cannot bench hand-outs: no pair left for a tester");
        await admin`insert into public.arena_votes (pair_id, arena_id, tester_id, verdict)
                    values (${pair.pair_id}, ${arenaId}, ${tester.id}, 'left')`;
      };
      try {
        const send = async () => {
          const tester = idle.pop()!;
          try {
            await takeAndVote(tester);
          } finally {
            idle.push(tester);
          }
        };
        // Warm the pool's connections and plans first, untimed.
        await runLoad({ concurrency: options.testers, requests: options.testers, send });
        latencies.length = 0;
        const result = await runLoad({ concurrency: options.testers, requests, send });
        if (result.errors > 0) throw new Error(`Cannot bench hand-outs: ${result.firstError}`);
        return summary(latencies, result.elapsedMs);
      } finally {
        await db.end();
      }
    };
    const random = mulberry32(7);
    /** A phase of the floor: bare updates of two random arms' counters, each its own transaction. */
    const bumps = async (requests: number) => {
      const sql = postgres(target.adminUrl, { max: options.testers, onnotice: () => {} });
      const send = async () => {
        const i = Math.floor(random() * ARMS);
        const j = (i + 1 + Math.floor(random() * (ARMS - 1))) % ARMS;
        const pair = [armIds[i], armIds[j]].sort();
        // Locked in id order, as any hand-out must: two updates locking in scan order deadlock.
        await sql.begin((tx) =>
          tx`update public.arena_arms a set votes = a.votes + 1
               from (select id from public.arena_arms where id = any(${pair}::uuid[]) order by id for update) l
              where a.id = l.id
             returning a.id`
        );
      };
      try {
        await runLoad({ concurrency: options.testers, requests: options.testers, send });
        const result = await runLoad({ concurrency: options.testers, requests, send });
        if (result.errors > 0) throw new Error(`Cannot bench the floor: ${result.firstError}`);
        return summary(result.latencies, result.elapsedMs);
      } finally {
        await sql.end();
      }
    };

    const rounds: { handOut: ReturnType<typeof summary>; floor: ReturnType<typeof summary> }[] = [];
    for (let round = 0; round < options.rounds; round++) {
      // Alternate which goes first so a noisy moment hits both alike.
      const floorFirst = round % 2 === 1;
      const early = floorFirst ? await bumps(options.requestsPerRound) : undefined;
      const handed = await handOuts(options.requestsPerRound);
      const measured = { handOut: handed, floor: early ?? await bumps(options.requestsPerRound) };
      rounds.push(measured);
      log(
        `round ${round + 1}: hand-out p50 ${handed.p50.toFixed(2)} ms, p99 ${
          handed.p99.toFixed(2)
        } ms; ` +
          `floor p50 ${measured.floor.p50.toFixed(2)} ms, p99 ${measured.floor.p99.toFixed(2)} ms`,
      );
    }
    const handed = medianOf(rounds.map((r) => r.handOut));
    const floor = medianOf(rounds.map((r) => r.floor));
    const [{ pairs }] = await admin<{ pairs: number }[]>`
      select count(*)::int as pairs from public.arena_pairs where arena_id = ${arenaId}`;

    const fit = benchFit(options.fitVotes, options.fitRepetitions);
    log(
      `Bradley–Terry, ${ARMS} arms, ${options.fitVotes} votes, 500 resamples: CPU ${
        fit.cpuMs.toFixed(0)
      } ms, wall ${fit.wallMs.toFixed(0)} ms (median of ${options.fitRepetitions})`,
    );

    const c = `c=${options.testers}`;
    const floorName = `bare update … returning of two arms' counters, ${c}`;
    const votes = `${(options.fitVotes / 1000).toFixed(0)} k votes`;
    const figures: Figure[] = [
      {
        item: ITEM,
        name: `next pair p50, ${c}`,
        value: handed.p50,
        unit: "ms",
        floor: { name: floorName, value: floor.p50 },
      },
      {
        item: ITEM,
        name: `next pair p99, ${c}`,
        value: handed.p99,
        unit: "ms",
        floor: { name: floorName, value: floor.p99 },
        bar: { kind: "ratio_max", limit: 2 },
      },
      {
        item: ITEM,
        name: `next pair throughput, ${c}`,
        value: handed.rps,
        unit: "req/s",
        floor: { name: floorName, value: floor.rps },
      },
      {
        item: ITEM,
        name: `ranking fit CPU, ${ARMS} arms, ${votes}, 500 resamples`,
        value: fit.cpuMs,
        unit: "ms",
        bar: { kind: "value_max", limit: 2000 },
        note: "the hosted edge functions' CPU limit per request is 2 s",
      },
      {
        item: ITEM,
        name: `ranking fit wall time, ${ARMS} arms, ${votes}, 500 resamples`,
        value: fit.wallMs,
        unit: "ms",
      },
    ];
    return { figures, details: { rounds, handOut: handed, floor, pairs, fit } };
  } finally {
    await admin.end();
  }
}

function summary(latencies: number[], elapsedMs: number) {
  return {
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    rps: latencies.length / (elapsedMs / 1000),
  };
}

/**
 * The CPU and wall time of ranking `votes` tester votes and 900 judge
 * verdicts over 10 arms, as `rankArena` does for a request (median of
 * `repetitions`, after one warm-up).
 */
function benchFit(votes: number, repetitions: number) {
  const arms = Array.from({ length: ARMS }, (_, i) => `arm ${i}`);
  const random = mulberry32(11);
  const pick = () => {
    const i = Math.floor(random() * ARMS);
    const j = (i + 1 + Math.floor(random() * (ARMS - 1))) % ARMS;
    return [arms[i], arms[j]];
  };
  const tester = Array.from({ length: votes }, () => {
    const [left, right] = pick();
    const u = random();
    return {
      left,
      right,
      verdict: u < 0.45 ? "left" : u < 0.85 ? "right" : u < 0.95 ? "tie" : "both_bad",
    };
  });
  const judge = Array.from({ length: 900 }, () => {
    const [low, high] = pick();
    const first = random() < 0.5 ? "low" : "high";
    return { low, high, lowFirst: first, highFirst: random() < 0.8 ? first : "tie" };
  });
  rankArena(arms, tester, judge, 7);
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const before = cpuUsage();
    const started = performance.now();
    rankArena(arms, tester, judge, 7);
    wall.push(performance.now() - started);
    const used = cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  }
  return { cpuMs: quantile(cpu, 0.5), wallMs: quantile(wall, 0.5), judgeVerdicts: judge.length };
}

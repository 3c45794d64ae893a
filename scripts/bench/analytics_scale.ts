/**
 * BENCH item 3: the analytics trigger's cost stays flat as the table grows.
 * With 1 k, 100 k and 1 M existing experiments (spread over 1 000 users and
 * their calibrations), one user inserts experiments through the functions'
 * path (`db.withUser`: RLS on, analytics trigger on) and reads their newest
 * page under RLS. Floor: the same figures in a sibling database kept at the
 * smallest size, measured in alternating rounds with the large one so both
 * see the same noise. The read's plan must use an index, never a
 * sequential scan of experiments.
 *
 * @module
 */
import postgres from "postgres";
import { createDatabase, type Database } from "../../supabase/functions/_shared/db/client.ts";
import { uuidV7 } from "../../supabase/functions/_shared/uuid_v7.ts";
import type { DatabaseTarget } from "../lib/database.ts";
import { withThrowawayDatabase } from "../lib/throwaway.ts";
import { ensureLocalUser } from "../lib/local_auth.ts";
import type { BenchPlan } from "./options.ts";
import type { Figure } from "./report.ts";
import { sampleResponses, seedExperiments } from "./seed.ts";
import { median, medianOf } from "./stats.ts";

/** Experiments the measuring user owns before the first size (a full page to read). */
const OWN_EXPERIMENTS = 100;
/** The page a dashboard reads. */
const PAGE = 50;

/** What one size measured. */
export interface ScalePoint {
  size: number;
  insertMs: number;
  readMs: number;
  /** The same figures in the floor database (smallest size), same rounds. */
  floorInsertMs: number;
  floorReadMs: number;
  seqScans: number;
  indexes: string[];
  seedSeconds: number;
}

interface Caller {
  claims: Record<string, unknown>;
  correlationId: string;
}

/** A plan node of EXPLAIN (FORMAT JSON). */
interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

/**
 * Sequential scans of `relation` and the indexes used, anywhere in a plan.
 *
 * @example
 * scansOf(plan, "experiments"); // { seqScans: 0, indexes: ["experiments_user_id_created_at_idx"] }
 */
export function scansOf(plan: PlanNode, relation: string): { seqScans: number; indexes: string[] } {
  let seqScans = 0;
  const indexes = new Set<string>();
  // A Bitmap Index Scan names only its index; its Bitmap Heap Scan parent names the table.
  const visit = (node: PlanNode, parentRelation: string | undefined) => {
    const nodeRelation = node["Relation Name"] ??
      (node["Node Type"] === "Bitmap Index Scan" ? parentRelation : undefined);
    if (nodeRelation === relation && node["Node Type"] === "Seq Scan") seqScans++;
    if (nodeRelation === relation && node["Index Name"]) indexes.add(node["Index Name"]);
    node.Plans?.forEach((child) => visit(child, node["Relation Name"]));
  };
  visit(plan, undefined);
  return { seqScans, indexes: [...indexes] };
}

async function insertOne(
  db: Database,
  caller: Caller,
  calibrationId: string,
  i: number,
): Promise<number> {
  return await db.withUser({ ...caller, correlationId: uuidV7() }, async (tx) => {
    const started = performance.now();
    await tx`
      insert into public.experiments (calibration_id, prompt, model, parameters, responses, status, latency_ms)
      values (${calibrationId}, ${`Bench prompt ${i}`}, 'gpt-4o',
              ${tx.json({ model: "gpt-4o", seed: i, design: "latin-hypercube", numResponses: 4 })},
              ${tx.json(sampleResponses(i) as postgres.JSONValue)}, 'completed', ${500 + (i % 100)})
      returning id`;
    return performance.now() - started;
  });
}

const READ_PAGE =
  `select id, calibration_id, prompt, status, saved, discarded, latency_ms, created_at
  from public.experiments order by created_at desc limit ${PAGE}`;

async function readPage(db: Database, caller: Caller): Promise<number> {
  return await db.withUser(caller, async (tx) => {
    const started = performance.now();
    const rows = await tx.unsafe(READ_PAGE);
    if (rows.length !== PAGE) {
      throw new Error(`Cannot read the page: expected ${PAGE} rows, got ${rows.length}`);
    }
    return performance.now() - started;
  });
}

async function explainPage(db: Database, caller: Caller) {
  return await db.withUser(caller, async (tx) => {
    const [row] = await tx.unsafe<{ "QUERY PLAN": { Plan: PlanNode }[] }[]>(
      `explain (format json) ${READ_PAGE}`,
    );
    return scansOf(row["QUERY PLAN"][0].Plan, "experiments");
  });
}

/** One database measured: its admin connection, the functions' pool, the measuring user. */
interface Subject {
  admin: postgres.Sql;
  db: Database;
  caller: Caller;
  calibrationId: string;
  /** Experiments the user inserted so far (numbers their prompts). */
  inserted: number;
}

/** Opens a database, creates the measuring user with a calibration and a page of own experiments. */
async function openSubject(target: DatabaseTarget): Promise<Subject> {
  const admin = postgres(target.adminUrl, { max: 1, onnotice: () => {} });
  const db = createDatabase(target.appUrl, { max: 1 });
  const email = "bench-scale@bench.local";
  const userId = await ensureLocalUser(target.appUrl, email);
  const caller: Caller = {
    claims: { sub: userId, role: "authenticated", aud: "authenticated", email },
    correlationId: uuidV7(),
  };
  const calibrationId = await db.withUser(caller, async (tx) => {
    const [row] = await tx<{ id: string }[]>`
      insert into public.calibrations (mode, questionnaire_version, answers, temperature_min, temperature_max,
        top_p_min, top_p_max, max_tokens_min, max_tokens_max, frequency_penalty_min, frequency_penalty_max)
      values ('quick', 'v1', '{"adventurousness":"bold"}'::jsonb, 0.2, 1.2, 0.5, 0.95, 128, 1024, -0.5, 0.5)
      returning id`;
    return row.id;
  });
  const subject = { admin, db, caller, calibrationId, inserted: 0 };
  for (let i = 0; i < OWN_EXPERIMENTS; i++) {
    await insertOne(db, caller, calibrationId, subject.inserted++);
  }
  return subject;
}

async function closeSubject(subject: Subject): Promise<void> {
  await subject.db.end();
  await subject.admin.end();
}

/** One round on one database: the median insert and the median read of `samples` of each. */
async function round(
  subject: Subject,
  samples: number,
): Promise<{ insertMs: number; readMs: number }> {
  const inserts: number[] = [];
  const reads: number[] = [];
  for (let i = 0; i < samples; i++) {
    inserts.push(
      await insertOne(subject.db, subject.caller, subject.calibrationId, subject.inserted++),
    );
    reads.push(await readPage(subject.db, subject.caller));
  }
  return { insertMs: median(inserts), readMs: median(reads) };
}

/**
 * Rounds alternate between the small database (the floor) and the large
 * one, so both see the same moments of a noisy machine; each figure is the
 * median of its rounds.
 */
async function measurePair(small: Subject, large: Subject, plan: BenchPlan["scale"]) {
  const floor: { insertMs: number; readMs: number }[] = [];
  const value: { insertMs: number; readMs: number }[] = [];
  for (let r = 0; r < plan.rounds; r++) {
    if (r % 2 === 1) value.push(await round(large, plan.samples));
    floor.push(await round(small, plan.samples));
    if (r % 2 === 0) value.push(await round(large, plan.samples));
  }
  return { floor: medianOf(floor), value: medianOf(value) };
}

/** Takes the small database back to its size: the measuring user's newer inserts are deleted. */
async function trimSmall(small: Subject): Promise<void> {
  const userId = small.caller.claims.sub as string;
  await small.admin`
    delete from public.experiments
     where user_id = ${userId}
       and id not in (select id from public.experiments where user_id = ${userId} order by created_at limit ${OWN_EXPERIMENTS})`;
  await small.admin`vacuum (analyze) public.experiments`;
}

/**
 * Runs item 3 in two throwaway databases of its own: the large one grows
 * through `plan.sizes`; a sibling kept at the smallest size is the floor,
 * measured in the same minutes.
 *
 * @example
 * const { figures } = await benchAnalyticsScale(plan.scale, console.log);
 */
export async function benchAnalyticsScale(
  plan: BenchPlan["scale"],
  log: (line: string) => void,
): Promise<{ figures: Figure[]; points: ScalePoint[] }> {
  // Two databases of their own: what the other items wrote must not count as "existing".
  return await withThrowawayDatabase(
    "bench_floor",
    (floorTarget) =>
      withThrowawayDatabase(
        "bench_scale",
        (target) => measureScale(floorTarget, target, plan, log),
      ),
  );
}

async function measureScale(
  floorTarget: DatabaseTarget,
  target: DatabaseTarget,
  plan: BenchPlan["scale"],
  log: (line: string) => void,
): Promise<{ figures: Figure[]; points: ScalePoint[] }> {
  {
    const small = await openSubject(floorTarget);
    const large = await openSubject(target);
    try {
      const seedOptions = { users: plan.users, calibrationsPerUser: plan.calibrationsPerUser };
      await seedExperiments(small.admin, { total: plan.sizes[0], ...seedOptions });
      const points: ScalePoint[] = [];
      for (const size of plan.sizes) {
        const seeded = performance.now();
        await seedExperiments(large.admin, {
          total: size,
          ...seedOptions,
          progress: (done) => log(`  seeded ${done.toLocaleString("en-US")} experiments`),
        });
        const seedSeconds = (performance.now() - seeded) / 1000;
        await trimSmall(small);
        for (const subject of [small, large]) {
          for (let i = 0; i < 20; i++) await readPage(subject.db, subject.caller); // warm connection and plan cache
        }
        const { floor, value } = await measurePair(small, large, plan);
        const scans = await explainPage(large.db, large.caller);
        points.push({
          size,
          insertMs: value.insertMs,
          readMs: value.readMs,
          floorInsertMs: floor.insertMs,
          floorReadMs: floor.readMs,
          seedSeconds,
          ...scans,
        });
        log(
          `  ${size.toLocaleString("en-US")} existing: insert ${value.insertMs.toFixed(3)} ms ` +
            `(floor ${floor.insertMs.toFixed(3)}), read ${value.readMs.toFixed(3)} ms (floor ${
              floor.readMs.toFixed(3)
            }), ` +
            `seq scans ${scans.seqScans}, indexes ${
              scans.indexes.join(", ") || "none"
            } (seeded in ${seedSeconds.toFixed(0)} s)`,
        );
      }
      return { figures: scaleFigures(points, plan.sizes[0]), points };
    } finally {
      await closeSubject(large);
      await closeSubject(small);
    }
  }
}

/** The figures of item 3: each size against the floor database measured in the same rounds. */
export function scaleFigures(points: readonly ScalePoint[], floorSize: number): Figure[] {
  const item = "3 analytics scale";
  const label = (size: number) => size >= 1_000_000 ? `${size / 1_000_000} M` : `${size / 1_000} k`;
  const floorName = `${label(floorSize)} existing, same rounds`;
  const figures: Figure[] = [];
  // At the floor's own size the two databases are alike: that row shows the noise, it is not a bar.
  const bar = (point: ScalePoint) =>
    point.size === floorSize
      ? { note: "same size as the floor: the noise between two equal databases" }
      : {
        bar: { kind: "ratio_max" as const, limit: 1.2 },
      };
  for (const point of points) {
    figures.push({
      item,
      name: `insert + trigger, ${label(point.size)} existing`,
      value: point.insertMs,
      unit: "ms",
      floor: { name: floorName, value: point.floorInsertMs },
      ...bar(point),
    });
  }
  for (const point of points) {
    figures.push({
      item,
      name: `RLS read of newest ${PAGE}, ${label(point.size)} existing`,
      value: point.readMs,
      unit: "ms",
      floor: { name: floorName, value: point.floorReadMs },
      ...bar(point),
    });
  }
  for (const point of points) {
    figures.push({
      item,
      name: `seq scans of experiments in the read plan, ${label(point.size)}`,
      value: point.seqScans,
      unit: "scans",
      bar: { kind: "value_max", limit: 1 },
      note: `indexes: ${point.indexes.join(", ") || "none"}`,
    });
  }
  return figures;
}

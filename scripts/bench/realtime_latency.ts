/**
 * BENCH item 6: commit-to-client latency of the live feeds through the
 * Realtime stand-in, with 1 and with 100 subscribed users. Each change is
 * one user's new experiment, delivered to that user's private
 * `experiments:<id>` channel (Broadcast from Database) by the real
 * supabase-js client; the clock starts when the INSERT's commit returns and
 * stops when the client callback runs. Floor, in the same run and on the
 * same changes: a bare loop reading the change back from its own logical
 * decoding slot with the same poll cadence. Bar: p99 ≤ floor p99 + 100 ms
 * at 100 subscribers, and the per-change cost must not grow with
 * subscribers who are not sent the change.
 *
 * @module
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { createGateway } from "../gateway/gateway.ts";
import type { DatabaseTarget } from "../lib/database.ts";
import {
  ensureLocalUser,
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
  mintAccessToken,
} from "../lib/local_auth.ts";
import { insertCalibration, insertExperiment } from "../realtime/fixtures.ts";
import { decodePgOutput, type Relation } from "../realtime/pgoutput.ts";
import { createRealtime } from "../realtime/server.ts";
import type { Figure } from "./report.ts";
import { summarize } from "./stats.ts";

/** Sizes of item 6. */
export interface RealtimePlan {
  changes: number;
  subscribers: number[];
}

const POLL_IDLE_MS = 10;

/** The floor: a bare loop on its own slot, noting when each experiment id is read back. */
async function startFloor(databaseUrl: string, seen: Map<string, number>) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const slot = `lab_bench_floor_${crypto.randomUUID().slice(0, 8)}`;
  await sql`select pg_create_logical_replication_slot(${slot}, 'pgoutput', true)`;
  const relations = new Map<number, Relation>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await sql`
        select data from pg_logical_slot_get_binary_changes(${slot}, null, null,
          'proto_version', '1', 'publication_names', 'supabase_realtime')`;
      for (const row of rows) {
        const message = decodePgOutput(row.data as Uint8Array, relations);
        if (message.tag === "relation") relations.set(message.relation.id, message.relation);
        if (message.tag === "insert" && message.record.id) {
          seen.set(message.record.id, performance.now());
        }
      }
      if (rows.length === 0) await new Promise((resolve) => setTimeout(resolve, POLL_IDLE_MS));
    }
  })();
  return async () => {
    running = false;
    await loop;
    await sql.end();
  };
}

async function measure(target: DatabaseTarget, subscribers: number, changes: number) {
  const realtime = createRealtime({
    databaseUrl: target.appUrl,
    jwtSecret: LOCAL_JWT_SECRET,
    pollIdleMs: POLL_IDLE_MS,
  });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    createGateway({ functions: {}, jwtSecret: LOCAL_JWT_SECRET, realtime: realtime.handler }),
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  const sql = postgres(target.appUrl, { max: 1, onnotice: () => {} });
  const delivered = new Map<string, number>();
  const floorSeen = new Map<string, number>();
  const clients: SupabaseClient[] = [];
  const users: { id: string; calibrationId: string }[] = [];
  let joined = 0;
  for (let i = 0; i < subscribers; i++) {
    const id = await ensureLocalUser(
      target.appUrl,
      `rt-bench-${i}-${crypto.randomUUID().slice(0, 6)}@bench.local`,
    );
    const token = await mintAccessToken(id);
    const client = createClient(url, LOCAL_ANON_KEY, { accessToken: () => Promise.resolve(token) });
    await client.realtime.setAuth();
    client.channel(`experiments:${id}`, { config: { private: true } })
      .on("broadcast", { event: "INSERT" }, (message) => {
        delivered.set((message.payload as { record: { id: string } }).record.id, performance.now());
      })
      .subscribe((status) => status === "SUBSCRIBED" && joined++);
    clients.push(client);
    users.push({ id, calibrationId: await insertCalibration(sql, { id }) });
  }
  while (joined < subscribers) await new Promise((resolve) => setTimeout(resolve, 20));
  // The floor reads the experiment row, the stand-in the broadcast row of the same commit.
  const stopFloor = await startFloor(target.appUrl, floorSeen);
  const latency: number[] = [];
  const floor: number[] = [];
  try {
    for (let i = 0; i < changes; i++) {
      const user = users[i % users.length];
      const id = await insertExperiment(sql, user, user.calibrationId, `bench ${i}`);
      const committed = performance.now();
      const deadline = committed + 10_000;
      while ((!delivered.has(id) || !floorSeen.has(id)) && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      if (!delivered.has(id) || !floorSeen.has(id)) {
        throw new Error(`Change ${i} was not delivered in 10 s`);
      }
      latency.push(delivered.get(id)! - committed);
      floor.push(floorSeen.get(id)! - committed);
    }
  } finally {
    await stopFloor();
    await Promise.all(clients.map((client) => client.removeAllChannels()));
    await realtime.close();
    await server.shutdown();
    await sql.end();
  }
  return { latency: summarize(latency), floor: summarize(floor) };
}

/**
 * Runs item 6.
 *
 * @example
 * const { figures } = await benchRealtimeLatency(target, { changes: 1000, subscribers: [1, 100] }, console.log);
 */
export async function benchRealtimeLatency(
  target: DatabaseTarget,
  plan: RealtimePlan,
  log: (line: string) => void,
): Promise<{ figures: Figure[]; details: unknown }> {
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  for (const subscribers of plan.subscribers) {
    const { latency, floor } = await measure(target, subscribers, plan.changes);
    log(
      `  ${subscribers} subscribers, ${plan.changes} changes: p50 ${latency.p50.toFixed(1)} ms, ` +
        `p99 ${latency.p99.toFixed(1)} ms; floor p50 ${floor.p50.toFixed(1)} ms, p99 ${
          floor.p99.toFixed(1)
        } ms`,
    );
    details[`subscribers_${subscribers}`] = { latency, floor };
    const item = "6 realtime latency";
    const floorP50 = { name: "bare logical decoding loop p50", value: floor.p50 };
    const floorP99 = { name: "bare logical decoding loop p99", value: floor.p99 };
    figures.push({
      item,
      name: `commit to client p50, ${subscribers} subscribers`,
      value: latency.p50,
      unit: "ms",
      floor: floorP50,
    });
    figures.push({
      item,
      name: `commit to client p99, ${subscribers} subscribers`,
      value: latency.p99,
      unit: "ms",
      floor: floorP99,
      ...(subscribers >= 100 ? { bar: { kind: "delta_max" as const, limit: 100 } } : {}),
      note: "each change goes to one user's private channel; the others are not sent it",
    });
  }
  const [fewest, most] = [plan.subscribers[0], plan.subscribers.at(-1)!];
  const p50 = (n: number) =>
    (details[`subscribers_${n}`] as { latency: { p50: number } }).latency.p50;
  if (most > fewest) {
    figures.push({
      item: "6 realtime latency",
      name: `commit to client p50, ${most} subscribers over ${fewest}`,
      value: p50(most),
      unit: "ms",
      floor: { name: `the same with ${fewest} subscriber(s)`, value: p50(fewest) },
      bar: { kind: "ratio_max", limit: 2 },
      note: "cost per change follows the subscribers it is sent to, not all subscribers",
    });
  }
  return { figures, details };
}

/**
 * LOCAL STACK: reading committed changes from the write-ahead log as hosted
 * Realtime does, through logical decoding: a temporary slot with the
 * built-in `pgoutput` plugin (in every PostgreSQL build, unlike wal2json),
 * polled over SQL like Realtime's Postgres Changes poller, for the tables of
 * the given publications. Needs `wal_level = logical` and a role with
 * REPLICATION.
 */
import postgres from "postgres";
import { decodePgOutput, type Relation, type TupleValues } from "./pgoutput.ts";

/** One row change of a committed transaction. */
export interface WalChange {
  relation: Relation;
  type: "INSERT" | "UPDATE" | "DELETE";
  record: TupleValues | null;
  old: TupleValues | null;
  commitTime: Date;
  /** Size of the change's values in bytes, for the 1 MiB limit. */
  bytes: number;
}

/** Options of {@link startWalReader}. */
export interface WalReaderOptions {
  databaseUrl: string;
  publications: string[];
  /** Called with each committed transaction's changes, in commit order. */
  onChanges: (changes: WalChange[]) => Promise<void> | void;
  /** Pause between polls that found nothing, in ms. */
  idleMs?: number;
}

/** A running reader. */
export interface WalReader {
  stop(): Promise<void>;
}

/**
 * Creates the slot and starts polling. Rejects when logical decoding is not
 * available (wal_level is not logical).
 *
 * @example
 * const reader = await startWalReader({ databaseUrl, publications: ["supabase_realtime"], onChanges });
 */
export async function startWalReader(options: WalReaderOptions): Promise<WalReader> {
  // One connection: a temporary slot lives as long as the session that made it.
  const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => {}, idle_timeout: 0 });
  const slot = `lab_realtime_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  try {
    await sql`select pg_create_logical_replication_slot(${slot}, 'pgoutput', true)`;
  } catch (error) {
    await sql.end();
    throw error;
  }
  const relations = new Map<number, Relation>();
  const publications = options.publications.join(",");
  const idleMs = options.idleMs ?? 10;
  let running = true;
  let pending: WalChange[] = [];

  async function poll(): Promise<number> {
    const rows = await sql`
      select data from pg_logical_slot_get_binary_changes(
        ${slot}, null, null, 'proto_version', '1', 'publication_names', ${publications})`;
    for (const row of rows) {
      const message = decodePgOutput(row.data as Uint8Array, relations);
      if (message.tag === "relation") relations.set(message.relation.id, message.relation);
      else if (message.tag === "insert" || message.tag === "update" || message.tag === "delete") {
        const record = message.tag === "delete" ? null : message.record;
        const old = message.tag === "insert" ? null : message.old;
        pending.push({
          relation: relations.get(message.relationId)!,
          type: message.tag === "insert"
            ? "INSERT"
            : message.tag === "update"
            ? "UPDATE"
            : "DELETE",
          record,
          old,
          commitTime: new Date(0),
          bytes: (row.data as Uint8Array).byteLength,
        });
      } else if (message.tag === "commit") {
        const changes = pending;
        pending = [];
        for (const change of changes) change.commitTime = message.commitTime;
        if (changes.length > 0) await options.onChanges(changes);
      }
    }
    return rows.length;
  }

  const loop = (async () => {
    while (running) {
      let found = 0;
      let pause = idleMs;
      try {
        found = await poll();
      } catch (error) {
        if (!running) break;
        console.error(`Realtime stand-in: reading the WAL failed: ${(error as Error).message}`);
        pause = 1_000;
      }
      if (found === 0 && running) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
      await sql.end({ timeout: 1 });
    },
  };
}

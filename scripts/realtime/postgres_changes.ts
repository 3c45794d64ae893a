/**
 * LOCAL STACK: Postgres Changes as hosted Realtime delivers them
 * (supabase/realtime postgres_cdc_rls, functions/apply_rls.sql): for each
 * change of a published table, the bindings on that table whose event and
 * filter match; then, per distinct role and claims among them, column
 * privileges, the primary-key checks (400/401), and with RLS on an
 * `exists` on the row by its primary key as that user. DELETE skips RLS and
 * then sends only the primary key. A change over 1 MiB carries
 * `Error 413: Payload Too Large` and only values up to 64 bytes. Work per
 * change grows with the bindings on its table that match, not with all.
 */
import type postgres from "postgres";
import { type Filter, passesFilter } from "./filters.ts";
import type { Claims } from "./tokens.ts";
import { toJsonValue } from "./values.ts";
import type { WalChange } from "./wal.ts";

/** One `postgres_changes` binding of a joined channel. */
export interface PgSubscription {
  /** The id sent in the join reply and in `ids`. */
  id: number;
  event: "*" | "INSERT" | "UPDATE" | "DELETE";
  schema: string;
  /** "*" for every table of the schema. */
  table: string;
  filter: Filter | null;
  /** The channel it belongs to: the current claims and where to send. */
  channel: { claims: Claims; sendChange(ids: number[], data: unknown): void };
}

interface TableInfo {
  rls: boolean;
  columns: Map<string, { typeName: string; sqlType: string; pkey: boolean; attnum: number }>;
}

/** The 1 MiB record limit of hosted Realtime (db_settings.ex max_record_bytes). */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** The registry of bindings and the delivery of changes to them. */
export class PostgresChanges {
  #byTable = new Map<string, Set<PgSubscription>>();
  #tables = new Map<number, Promise<TableInfo>>();
  #privileges = new Map<string, Promise<Set<string>>>();

  constructor(private readonly sql: postgres.Sql) {}

  /** Starts delivering changes to `subscription`. */
  add(subscription: PgSubscription): void {
    const key = `${subscription.schema}.${subscription.table}`;
    let set = this.#byTable.get(key);
    if (!set) this.#byTable.set(key, set = new Set());
    set.add(subscription);
  }

  /** Stops delivering to `subscription`. */
  remove(subscription: PgSubscription): void {
    const key = `${subscription.schema}.${subscription.table}`;
    this.#byTable.get(key)?.delete(subscription);
    if (this.#byTable.get(key)?.size === 0) this.#byTable.delete(key);
  }

  /** True when the table is in the `supabase_realtime` publication. */
  async isPublished(schema: string, table: string): Promise<boolean> {
    const rows = await this.sql`
      select 1 from pg_publication_tables
       where pubname = 'supabase_realtime' and schemaname = ${schema}
         and (tablename = ${table} or ${table} = '*')
       limit 1`;
    return rows.length > 0;
  }

  /** Delivers one committed change. */
  async deliver(change: WalChange): Promise<void> {
    const { schema, table } = change.relation;
    const candidates = [
      ...this.#byTable.get(`${schema}.${table}`) ?? [],
      ...this.#byTable.get(`${schema}.*`) ?? [],
    ].filter((s) => s.event === "*" || s.event === change.type);
    if (candidates.length === 0) return;
    const info = await this.#tableInfo(change.relation.id);
    const values = change.type === "DELETE" ? change.old ?? {} : change.record ?? {};
    const matching = candidates.filter((s) =>
      !s.filter ||
      passesFilter(
        s.filter,
        values[s.filter.column],
        info.columns.get(s.filter.column)?.typeName ?? "",
      )
    );
    const groups = new Map<string, PgSubscription[]>();
    for (const s of matching) {
      const key = JSON.stringify(s.channel.claims);
      groups.set(key, [...groups.get(key) ?? [], s]);
    }
    for (const [claimsJson, subscriptions] of groups) {
      const claims = subscriptions[0].channel.claims;
      const data = await this.#payloadFor(change, info, claims, claimsJson);
      if (!data) continue;
      const byChannel = new Map<PgSubscription["channel"], number[]>();
      for (const s of subscriptions) {
        byChannel.set(s.channel, [...byChannel.get(s.channel) ?? [], s.id]);
      }
      for (const [channel, ids] of byChannel) channel.sendChange(ids, data);
    }
  }

  async #payloadFor(change: WalChange, info: TableInfo, claims: Claims, claimsJson: string) {
    const { schema, table } = change.relation;
    const base = {
      schema,
      table,
      commit_timestamp: commitTimestamp(change.commitTime),
      type: change.type,
    };
    const selectable = await this.#selectable(change.relation.id, claims.role);
    const pkeys = [...info.columns].filter(([, c]) => c.pkey).map(([name]) => name);
    if (change.type !== "DELETE") {
      if (pkeys.length === 0) {
        return { ...base, errors: ["Error 400: Bad Request, no primary key"] };
      }
      if (pkeys.some((name) => !selectable.has(name))) {
        return { ...base, errors: ["Error 401: Unauthorized"] };
      }
      if (info.rls && !await this.#visible(change, info, pkeys, claims, claimsJson)) return null;
    }
    const tooBig = change.bytes > MAX_RECORD_BYTES;
    const columns = [...info.columns]
      .filter(([name]) => selectable.has(name))
      .sort(([, a], [, b]) => a.attnum - b.attnum)
      .map(([name, c]) => ({ name, type: c.typeName }));
    const pick = (tuple: Record<string, string | null | undefined>, onlyKeys: boolean) => {
      const out: Record<string, unknown> = {};
      for (const { name, type } of columns) {
        const value = tuple[name];
        if (value === undefined || (onlyKeys && !info.columns.get(name)!.pkey)) continue;
        const json = toJsonValue(value, type);
        if (tooBig && new TextEncoder().encode(JSON.stringify(json)).length > 64) continue;
        out[name] = json;
      }
      return out;
    };
    const record = change.record
      ? pick({ ...(change.old ?? {}), ...withoutUnchanged(change.record) }, false)
      : undefined;
    // Without a logged old tuple (key unchanged), wal2json's identity is the new row's key.
    const oldTuple = change.old ?? (change.type === "UPDATE" ? change.record : null);
    const old = oldTuple
      ? pick(oldTuple, (change.type === "DELETE" && info.rls) || !change.old)
      : undefined;
    return {
      ...base,
      columns,
      ...(record ? { record } : {}),
      ...(change.type !== "INSERT" ? { old_record: old ?? {} } : {}),
      errors: tooBig ? ["Error 413: Payload Too Large"] : null,
    };
  }

  /** RLS as the subscriber: the row, by primary key, as it is now (apply_rls.sql). */
  async #visible(
    change: WalChange,
    info: TableInfo,
    pkeys: string[],
    claims: Claims,
    claimsJson: string,
  ): Promise<boolean> {
    const record = change.record ?? {};
    const where = pkeys.map((name, i) =>
      `${ident(name)} = $${i + 1}::${info.columns.get(name)!.sqlType}`
    )
      .join(" and ");
    const text = `select exists(select 1 from ${ident(change.relation.schema)}.${
      ident(change.relation.table)
    } where ${where}) as visible`;
    try {
      return await this.sql.begin(async (tx) => {
        await tx`select set_config('role', ${claims.role}, true),
                        set_config('request.jwt.claims', ${claimsJson}, true)`;
        const [row] = await tx.unsafe(text, pkeys.map((name) => record[name] ?? null));
        return row.visible === true;
      });
    } catch {
      return false;
    }
  }

  #tableInfo(oid: number): Promise<TableInfo> {
    let info = this.#tables.get(oid);
    if (!info) {
      info = this.sql`
        select a.attname, a.attnum, t.typname, format_type(a.atttypid, a.atttypmod) as sql_type,
               c.relrowsecurity,
               exists (select 1 from pg_index i where i.indrelid = c.oid and i.indisprimary
                         and a.attnum = any(i.indkey)) as pkey
          from pg_class c
          join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
          join pg_type t on t.oid = a.atttypid
         where c.oid = ${oid}`.then((rows) => ({
        rls: rows[0]?.relrowsecurity === true,
        columns: new Map(rows.map((row) => [row.attname as string, {
          typeName: row.typname as string,
          sqlType: row.sql_type as string,
          pkey: row.pkey === true,
          attnum: row.attnum as number,
        }])),
      }));
      this.#tables.set(oid, info);
      info.catch(() => this.#tables.delete(oid));
    }
    return info;
  }

  #selectable(oid: number, role: string): Promise<Set<string>> {
    const key = `${oid}:${role}`;
    let columns = this.#privileges.get(key);
    if (!columns) {
      columns = this.sql`
        select a.attname from pg_attribute a
         where a.attrelid = ${oid} and a.attnum > 0 and not a.attisdropped
           and exists (select 1 from pg_roles where rolname = ${role})
           and has_column_privilege(${role}, ${oid}::oid, a.attnum, 'SELECT')`
        .then((rows) => new Set(rows.map((row) => row.attname as string)));
      this.#privileges.set(key, columns);
      columns.catch(() => this.#privileges.delete(key));
    }
    return columns;
  }
}

function withoutUnchanged(record: Record<string, string | null | undefined>) {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `YYYY-MM-DD"T"HH24:MI:SS.MS"Z"`, as apply_rls.sql formats the commit time. */
function commitTimestamp(time: Date): string {
  return time.toISOString();
}

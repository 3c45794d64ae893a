/**
 * LOCAL STACK: the PostgREST stand-in's schema cache, read from the catalog
 * on each request (fixtures come and go in tests, so nothing is kept): a
 * table's columns and primary key, the foreign keys that make embedding
 * possible, and the `public` functions `rpc()` may call. Read as the pool
 * role, as PostgREST reads its schema cache as the authenticator.
 *
 * @module
 */
import type postgres from "postgres";
import { REST_ERRORS } from "./errors.ts";

/** A relation of the `public` schema: its name, each column's SQL type, its primary key. */
export interface TableInfo {
  name: string;
  /** Column name -> `format_type` of its type (e.g. `uuid`, `jsonb`). */
  columns: Map<string, string>;
  primaryKey: string[];
}

/** How an embedded relation joins its parent. */
export interface Relationship {
  target: TableInfo;
  /** `many-to-one`: the parent holds the key (embeds an object); `one-to-many`: an array. */
  cardinality: "many-to-one" | "one-to-many";
  /** Pairs of [parent column, target column]. */
  join: [string, string][];
}

type Sql = postgres.Sql | postgres.TransactionSql;

/** The table's columns and key; PGRST205 when `public` has no such relation. */
export async function loadTable(sql: Sql, name: string): Promise<TableInfo> {
  const rows = await sql<{ column: string; type: string; key: boolean }[]>`
    select a.attname as column, format_type(a.atttypid, a.atttypmod) as type,
           coalesce(a.attnum = any(i.indkey), false) as key
      from pg_catalog.pg_attribute a
      join pg_catalog.pg_class c on c.oid = a.attrelid
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      left join pg_catalog.pg_index i on i.indrelid = c.oid and i.indisprimary
     where n.nspname = 'public' and c.relname = ${name} and c.relkind in ('r', 'v', 'm', 'p', 'f')
       and a.attnum > 0 and not a.attisdropped
     order by a.attnum`;
  if (rows.length === 0) throw REST_ERRORS.tableNotFound(name);
  return {
    name,
    columns: new Map(rows.map((row) => [row.column, row.type])),
    primaryKey: rows.filter((row) => row.key).map((row) => row.column),
  };
}

/**
 * The one foreign key between `parent` and `target` (either direction), as
 * PostgREST resolves `select=target(...)`; PGRST200 when there is none,
 * PGRST201 when there are several.
 */
export async function findRelationship(
  sql: Sql,
  parent: TableInfo,
  targetName: string,
): Promise<Relationship> {
  const rows = await sql<{ from_table: string; pairs: [string, string][] }[]>`
    select src.relname as from_table,
           array(select json_build_array(sa.attname, ta.attname)
                   from unnest(con.conkey, con.confkey) as k(s, t)
                   join pg_catalog.pg_attribute sa on sa.attrelid = con.conrelid and sa.attnum = k.s
                   join pg_catalog.pg_attribute ta on ta.attrelid = con.confrelid and ta.attnum = k.t) as pairs
      from pg_catalog.pg_constraint con
      join pg_catalog.pg_class src on src.oid = con.conrelid
      join pg_catalog.pg_class dst on dst.oid = con.confrelid
      join pg_catalog.pg_namespace sn on sn.oid = src.relnamespace
      join pg_catalog.pg_namespace dn on dn.oid = dst.relnamespace
     where con.contype = 'f' and sn.nspname = 'public' and dn.nspname = 'public'
       and ((src.relname = ${parent.name} and dst.relname = ${targetName})
         or (src.relname = ${targetName} and dst.relname = ${parent.name}))`;
  if (rows.length === 0) throw REST_ERRORS.noRelationship(parent.name, targetName);
  if (rows.length > 1) throw REST_ERRORS.ambiguousRelationship(parent.name, targetName);
  const [row] = rows;
  const target = await loadTable(sql, targetName);
  // A self-reference counts as the parent holding the key.
  const parentHoldsKey = row.from_table === parent.name;
  return {
    target,
    cardinality: parentHoldsKey ? "many-to-one" : "one-to-many",
    join: row.pairs.map(([from, to]) => parentHoldsKey ? [from, to] : [to, from]),
  };
}

/** A `public` function as `rpc()` sees it. */
export interface FunctionInfo {
  name: string;
  /** Input arguments in order, with their types. */
  args: { name: string; type: string }[];
  /** How many trailing input arguments have defaults. */
  defaults: number;
  /** `scalar`, `composite` (one row), `set` (rows or values), or `void`. */
  returns: "scalar" | "composite" | "set" | "void";
}

/**
 * The overload of `public.<name>` whose named arguments are exactly
 * satisfiable by `given` (with `extraAllowed`, keys that are no argument are
 * left to the caller as filters); PGRST202 when none is.
 */
export async function findFunction(
  sql: Sql,
  name: string,
  given: string[],
  options: { extraAllowed?: boolean } = {},
): Promise<FunctionInfo> {
  const rows = await sql<
    {
      names: string[] | null;
      modes: string[] | null;
      types: string[];
      nargs: number;
      ndefaults: number;
      retset: boolean;
      typtype: string;
      rettype: string;
    }[]
  >`
    select p.proargnames as names, p.proargmodes::text[] as modes,
           array(select format_type(t, null) from unnest(p.proargtypes) as t) as types,
           p.pronargs::int as nargs, p.pronargdefaults::int as ndefaults, p.proretset as retset,
           rt.typtype::text as typtype, format_type(p.prorettype, null) as rettype
      from pg_catalog.pg_proc p
      join pg_catalog.pg_namespace n on n.oid = p.pronamespace
      join pg_catalog.pg_type rt on rt.oid = p.prorettype
     where n.nspname = 'public' and p.proname = ${name} and p.prokind = 'f'`;
  for (const row of rows) {
    const inputNames = (row.names ?? []).filter((_, i) =>
      !row.modes || ["i", "b", "v"].includes(row.modes[i])
    ).slice(0, row.nargs);
    if (inputNames.length !== row.nargs || inputNames.some((n) => !n)) continue;
    const required = inputNames.slice(0, row.nargs - row.ndefaults);
    if (!options.extraAllowed && !given.every((g) => inputNames.includes(g))) continue;
    if (!required.every((r) => given.includes(r))) continue;
    return {
      name,
      args: inputNames.map((n, i) => ({ name: n, type: row.types[i] })),
      defaults: row.ndefaults,
      returns: row.retset
        ? "set"
        : row.rettype === "void"
        ? "void"
        : row.typtype === "c" || row.rettype === "record"
        ? "composite"
        : "scalar",
    };
  }
  throw REST_ERRORS.functionNotFound(name, given);
}

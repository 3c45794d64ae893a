/**
 * LOCAL STACK: the messages of PostgreSQL's built-in `pgoutput` logical
 * decoding plugin, protocol version 1 (PostgreSQL docs, "Logical Replication
 * Message Formats"): Begin, Relation, Insert, Update, Delete, Commit. Values
 * arrive in their text form; unchanged TOAST values are `undefined`.
 */

/** A column of a published relation. */
export interface RelationColumn {
  name: string;
  typeOid: number;
  /** Part of the replica identity (the primary key by default). */
  key: boolean;
}

/** A published table as pgoutput describes it. */
export interface Relation {
  id: number;
  schema: string;
  table: string;
  columns: RelationColumn[];
}

/** Column values by name: text, null for SQL NULL, undefined for unchanged TOAST. */
export type TupleValues = Record<string, string | null | undefined>;

/** One decoded message. */
export type PgOutputMessage =
  | { tag: "begin"; commitTime: Date }
  | { tag: "commit"; commitTime: Date }
  | { tag: "relation"; relation: Relation }
  | { tag: "insert"; relationId: number; record: TupleValues }
  | { tag: "update"; relationId: number; record: TupleValues; old: TupleValues | null }
  | { tag: "delete"; relationId: number; old: TupleValues }
  | { tag: "other" };

const decoder = new TextDecoder();
/** Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

class Reader {
  offset = 0;
  view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u8() {
    return this.bytes[this.offset++];
  }
  u16() {
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }
  u32() {
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }
  time() {
    const micros = this.view.getBigInt64(this.offset);
    this.offset += 8;
    return new Date(PG_EPOCH_MS + Number(micros / 1000n));
  }
  skip(n: number) {
    this.offset += n;
  }
  string() {
    const end = this.bytes.indexOf(0, this.offset);
    const text = decoder.decode(this.bytes.subarray(this.offset, end));
    this.offset = end + 1;
    return text;
  }
  text(length: number) {
    const text = decoder.decode(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    return text;
  }
}

/**
 * Decodes one pgoutput message; `relations` resolves column names for tuples.
 *
 * @example
 * const message = decodePgOutput(row.data, relations);
 * if (message.tag === "relation") relations.set(message.relation.id, message.relation);
 */
export function decodePgOutput(
  bytes: Uint8Array,
  relations: Map<number, Relation>,
): PgOutputMessage {
  const r = new Reader(bytes);
  const tag = String.fromCharCode(r.u8());
  switch (tag) {
    case "B": {
      r.skip(8);
      return { tag: "begin", commitTime: r.time() };
    }
    case "C": {
      r.skip(1 + 8 + 8);
      return { tag: "commit", commitTime: r.time() };
    }
    case "R": {
      const id = r.u32();
      const schema = r.string() || "pg_catalog";
      const table = r.string();
      r.skip(1);
      const count = r.u16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < count; i++) {
        const key = (r.u8() & 1) === 1;
        const name = r.string();
        const typeOid = r.u32();
        r.skip(4);
        columns.push({ name, typeOid, key });
      }
      return { tag: "relation", relation: { id, schema, table, columns } };
    }
    case "I": {
      const relationId = r.u32();
      r.skip(1);
      return { tag: "insert", relationId, record: tuple(r, relations.get(relationId)) };
    }
    case "U": {
      const relationId = r.u32();
      const relation = relations.get(relationId);
      let kind = String.fromCharCode(r.u8());
      let old: TupleValues | null = null;
      if (kind === "K" || kind === "O") {
        old = tuple(r, relation);
        kind = String.fromCharCode(r.u8());
      }
      return { tag: "update", relationId, old, record: tuple(r, relation) };
    }
    case "D": {
      const relationId = r.u32();
      r.skip(1);
      return { tag: "delete", relationId, old: tuple(r, relations.get(relationId)) };
    }
    default:
      return { tag: "other" };
  }
}

function tuple(r: Reader, relation: Relation | undefined): TupleValues {
  if (!relation) throw new Error("pgoutput: a tuple arrived before its relation");
  const count = r.u16();
  const values: TupleValues = {};
  for (let i = 0; i < count; i++) {
    const name = relation.columns[i].name;
    const kind = String.fromCharCode(r.u8());
    if (kind === "n") values[name] = null;
    else if (kind === "u") values[name] = undefined;
    else values[name] = r.text(r.u32());
  }
  return values;
}

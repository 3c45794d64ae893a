/**
 * Reading one arena for its export, inside the owner's RLS transaction: the
 * arena's document as a row, every other file by binary COPY of the text
 * Postgres formats (read/copy.ts), with the columns the ranking is fitted
 * from beside each line. COPY takes no bind parameters, so the arena id is
 * read from the transaction's `app.export_arena` setting, set with a
 * parameter first ({@link ARENA}); user input is never spliced into SQL.
 *
 * @module
 */
import type { Tx } from "../../_shared/db/client.ts";
import { copyOut, type CopyRow, copyRows } from "./copy.ts";
import type { ItemFile, Pages } from "./rows.ts";

/** SQL text: the exported arena's id, read once per statement. */
export const ARENA = `(select current_setting('app.export_arena')::uuid)`;

/** The arena's head row: its document, seed and arm labels in ranking order. */
export interface ArenaHead {
  text: string;
  seed: number;
  labels: string[];
  prompts: number;
}

/** Everything an arena export is read from; each call is a fresh pass over one snapshot. */
export interface ArenaSource {
  /** The arena's head row, or null when the caller does not own it. */
  head(select: string): Promise<ArenaHead | null>;
  /** The items of `file`, each already its text. */
  items(file: ItemFile): Pages<string | Uint8Array>;
  /** The rows of `file`: its text first, then the spec's further columns. */
  rows(file: ItemFile): Pages<CopyRow>;
}

/**
 * Reads arena `arenaId` within `tx` (repeatable read, so the passes agree).
 *
 * @example
 * const source = arenaSource(tx, arenaId);
 * const head = await source.head(ARENA_JSON.select);
 */
export function arenaSource(tx: Tx, arenaId: string): ArenaSource {
  async function choose() {
    await tx`select set_config('app.export_arena', ${arenaId}, true)`;
  }
  async function* rows(file: ItemFile): Pages<CopyRow> {
    await choose();
    yield* copyRows(copyOut(tx.unsafe(`copy (${file.select}) to stdout with (format binary)`)));
  }
  return {
    async head(select) {
      await choose();
      const [row] = await tx.unsafe<ArenaHead[]>(select);
      return row ?? null;
    },
    async *items(file) {
      for await (const page of rows(file)) yield page.map(([text]) => text!);
    },
    rows,
  };
}

/**
 * The arena package: a ZIP (zip.ts's segments, each file one segment, as
 * an arena is small beside an experiment export), every file from its spec
 * in files/. The
 * rankings are fitted (`_shared/lab/arena_ranking.ts`) from the very votes
 * and verdicts written, in file order, so the package refits to its own
 * ranking.json. Entries: arena.json, arena_responses.json, arena_votes.csv,
 * arena_judge_verdicts.csv, ranking.json, and last manifest.json.
 *
 * @module
 */
import type { BufferedWriter, ByteSink } from "../../_shared/byte_writer.ts";
import type { ArenaRanking } from "../../_shared/contracts/arenas.ts";
import { EXPORT_FORMAT_VERSION } from "../../_shared/contracts/exports.ts";
import {
  type ArenaJudgeVerdict,
  type ArenaVote,
  rankArena,
} from "../../_shared/lab/arena_ranking.ts";
import { ARENA_JSON } from "../files/arena_json.ts";
import { ARENA_JUDGE_VERDICTS_CSV } from "../files/arena_judge_verdicts_csv.ts";
import { ARENA_MANIFEST_JSON, type ArenaManifest } from "../files/arena_manifest_json.ts";
import { ARENA_RANKING_JSON } from "../files/arena_ranking_json.ts";
import { ARENA_RESPONSES_JSON } from "../files/arena_responses_json.ts";
import { ARENA_VOTES_CSV } from "../files/arena_votes_csv.ts";
import type { ManifestFile } from "../files/manifest_json.ts";
import type { ArenaHead, ArenaSource } from "../read/arena.ts";
import type { CopyRow } from "../read/copy.ts";
import type { Pages } from "../read/rows.ts";
import { writeCsvLines } from "./csv.ts";
import { collect } from "./entries.ts";
import { writeJsonDocument } from "./json.ts";
import { emptyZip, zipSegment } from "./zip.ts";

/** Who and what the package is for. */
export interface ArenaPackageMeta {
  exportId: string;
  userId: string;
  arenaId: string;
  createdAt: Date;
}

/** What was written. */
export interface ArenaPackageSummary {
  manifest: ArenaManifest;
  ranking: ArenaRanking;
}

const decoder = new TextDecoder();

/**
 * Writes the package of the arena whose head was read (`head`) to `sink`.
 *
 * @example
 * const head = await source.head(ARENA_JSON.select);
 * if (head) await writeArenaPackage(source, head, sink, { exportId, userId, arenaId, createdAt });
 */
export async function writeArenaPackage(
  source: ArenaSource,
  head: ArenaHead,
  sink: ByteSink,
  meta: ArenaPackageMeta,
): Promise<ArenaPackageSummary> {
  const top = { formatVersion: EXPORT_FORMAT_VERSION, exportId: meta.exportId };
  const files: ManifestFile[] = [];
  let zip = emptyZip();
  let offset = 0;
  /** Adds file `name`, the text `write` writes, as one segment. */
  const add = async (
    name: string,
    write: (out: BufferedWriter) => Promise<unknown>,
    final = false,
  ) => {
    const text = await collect(async (out) => void await write(out));
    const written = await zipSegment(zip, { name, text, first: true, last: true, final }, {
      offset,
      mtime: meta.createdAt,
    });
    for (const bytes of written.bytes) {
      await sink.write(bytes);
      offset += bytes.byteLength;
    }
    zip = written.zip;
    if (written.finished) files.push(written.finished);
  };

  await add(
    ARENA_JSON.name,
    (out) => out.write(`${JSON.stringify(top).slice(0, -1)},"${ARENA_JSON.key}":${head.text}}\n`),
  );
  let responses = 0;
  await add(ARENA_RESPONSES_JSON.name, (out) =>
    writeJsonDocument(out, top, {
      key: ARENA_RESPONSES_JSON.key,
      pages: lines(source.rows(ARENA_RESPONSES_JSON), () => responses++),
    }));
  const votes: ArenaVote[] = [];
  await add(ARENA_VOTES_CSV.name, (out) =>
    writeCsvLines(
      out,
      ARENA_VOTES_CSV.header,
      lines(source.rows(ARENA_VOTES_CSV), ([left, right, verdict]) =>
        votes.push({ left, right, verdict })),
    ));
  const verdicts: ArenaJudgeVerdict[] = [];
  await add(ARENA_JUDGE_VERDICTS_CSV.name, (out) =>
    writeCsvLines(
      out,
      ARENA_JUDGE_VERDICTS_CSV.header,
      lines(source.rows(ARENA_JUDGE_VERDICTS_CSV), ([low, high, lowFirst, highFirst]) =>
        verdicts.push({ low, high, lowFirst, highFirst })),
    ));
  const ranking = rankArena(head.labels, votes, verdicts, head.seed);
  const method = ARENA_RANKING_JSON.method(head.labels, head.seed);
  await add(
    ARENA_RANKING_JSON.name,
    (out) => out.write(ARENA_RANKING_JSON.text({ ...top, arenaId: meta.arenaId }, method, ranking)),
  );

  const manifest = ARENA_MANIFEST_JSON.build({
    formatVersion: EXPORT_FORMAT_VERSION,
    createdAt: meta.createdAt,
    exportId: meta.exportId,
    userId: meta.userId,
    arenaId: meta.arenaId,
    counts: {
      arms: head.labels.length,
      prompts: head.prompts,
      responses,
      votes: votes.length,
      judgeVerdicts: verdicts.length,
    },
    files: [...files],
  });
  await add(ARENA_MANIFEST_JSON.name, (out) => out.write(ARENA_MANIFEST_JSON.text(manifest)), true);
  return { manifest, ranking };
}

/** The lines of `rows` (their first field), handing each row's further fields, as text, to `read`. */
async function* lines(
  rows: Pages<CopyRow>,
  read: (fields: string[]) => void,
): Pages<Uint8Array> {
  for await (const page of rows) {
    yield page.map(([text, ...fields]) => {
      read(fields.map((field) => decoder.decode(field!)));
      return text!;
    });
  }
}

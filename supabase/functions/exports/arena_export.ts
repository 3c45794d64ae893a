/**
 * The life of one arena export, as the arena's owner: check they own it
 * (404 otherwise, nothing stored), then in one repeatable-read, read-only
 * snapshot read the arena and write its package (assemble/arena_zip.ts)
 * straight into the upload's body (store/), sign a URL, and audit
 * `arena_exported`. Arena packages have no export row: each call stores a
 * new object under `<user id>/arenas/<arena id>/`, and a failed build
 * errors the upload's body, so Storage never keeps a partial file.
 *
 * @module
 */
import type { Caller } from "../_shared/caller.ts";
import type { ArenaExportResult } from "../_shared/contracts/exports.ts";
import { recordAudit } from "../_shared/db/audit.ts";
import { retryWhileUnavailable } from "../_shared/db/client.ts";
import { HttpError } from "../_shared/errors.ts";
import { writeArenaPackage } from "./assemble/arena_zip.ts";
import { measuringSink } from "./assemble/measure.ts";
import type { ExportDeps } from "./deps.ts";
import { ARENA_JSON } from "./files/arena_json.ts";
import { CONTENT_TYPES } from "./jobs.ts";
import { arenaSource } from "./read/arena.ts";
import { prepareSnapshot } from "./read/source.ts";
import { cappedSink } from "./store/size_cap.ts";
import { uploadWhileBuilding } from "./store/upload_while_building.ts";

function arenaNotFound(): HttpError {
  return new HttpError(404, "Arena not found", { code: "arena_not_found" });
}

/**
 * Builds and stores the caller's arena package.
 *
 * @throws {HttpError} 404 `arena_not_found` unless the caller owns the arena.
 *
 * @example
 * const { url, sha256 } = await exportArena(deps, caller, arenaId);
 */
export async function exportArena(
  deps: ExportDeps,
  caller: Caller,
  arenaId: string,
): Promise<ArenaExportResult> {
  const { db, storage, limits } = deps;
  const context = { claims: caller.claims, correlationId: caller.correlationId };
  const owned = await db.withUser(
    context,
    (tx) => tx`select 1 from public.arenas where id = ${arenaId} and user_id = (select auth.uid())`,
  );
  if (owned.length === 0) throw arenaNotFound();

  const exportId = crypto.randomUUID();
  const createdAt = new Date();
  const path = `${caller.userId}/arenas/${arenaId}/${exportId}.zip`;
  const built = await uploadWhileBuilding(
    (body) =>
      db.withUser({ ...context, isolation: "repeatable read", readOnly: true }, async (tx) => {
        await prepareSnapshot(tx);
        const source = arenaSource(tx, arenaId);
        const head = await source.head(ARENA_JSON.select);
        if (!head) throw arenaNotFound();
        const measured = measuringSink(cappedSink(body, limits.maxBytes));
        const meta = { exportId, userId: caller.userId, arenaId, createdAt };
        const { manifest } = await writeArenaPackage(source, head, measured, meta);
        return { counts: manifest.counts, measure: measured.measure() };
      }),
    (body) => storage.upload(path, body, CONTENT_TYPES.zip),
  );
  const signed = await storage.createSignedUrl(path, limits.urlTtlSeconds);
  const result: ArenaExportResult = {
    id: exportId,
    arenaId,
    byteSize: built.measure.bytes,
    sha256: built.measure.sha256,
    votes: built.counts.votes,
    judgeVerdicts: built.counts.judgeVerdicts,
    url: signed.url,
    expiresAt: signed.expiresAt.toISOString(),
  };
  // The file is stored: retried, so a lost connection does not leave it unaudited.
  await retryWhileUnavailable(() =>
    db.withUser(context, (tx) =>
      recordAudit(tx, {
        type: "arena_exported",
        data: {
          exportId,
          arenaId,
          byteSize: result.byteSize,
          sha256: result.sha256,
          votes: result.votes,
          judgeVerdicts: result.judgeVerdicts,
        },
      }))
  );
  return result;
}

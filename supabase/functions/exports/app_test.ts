/**
 * The exports function end to end through the local gateway (functions and
 * the Storage stand-in) against the real test database: each format built,
 * downloaded by its signed URL with a plain fetch, parsed and checked
 * against the database; ownership, storage policies, signed-URL tampering
 * and expiry, the size limit, idempotency and GET.
 */
import { deepEqual, equal, notEqual, ok as assert } from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { unzipSync } from "fflate";
import { SignJWT } from "jose";
import { flushBackground } from "../_shared/background.ts";
import type {
  ArenaExportResult,
  ExportDetails,
  ExportResult,
} from "../_shared/contracts/exports.ts";
import { type Battle, rankArms } from "../_shared/lab/bradley_terry.ts";
import { createDatabase, type Database } from "../_shared/db/client.ts";
import { readEnv } from "../_shared/env.ts";
import { createRuntime } from "../_shared/runtime.ts";
import {
  createTestUser,
  databaseUrl,
  dbTest,
  jsonRequest,
  testEnv,
  type TestUser,
  withAdmin,
} from "../tests/harness.ts";
import { type RunningStack, startStack } from "../../../scripts/lib/stack.ts";
import { LOCAL_ANON_KEY, LOCAL_JWT_SECRET, mintApiKey } from "../../../scripts/lib/local_auth.ts";
import { createExportsApp, exportsEnvSchema } from "./app.ts";
import { parseCsv, sha256Hex } from "./testing/fixtures.ts";
import { memoryBucket } from "./job/testing.ts";
import { seedArena } from "./testing/arena_seed.ts";
import { seedExperiments } from "./testing/seed.ts";

interface Lab {
  stack: RunningStack;
  db: Database;
  /** POST /functions/v1/exports as `user`. */
  create(user: TestUser, body: unknown, headers?: Record<string, string>): Promise<Answer>;
  /** GET /functions/v1/exports/:id as `user`. */
  get(user: TestUser, id: string): Promise<Answer>;
}

interface Answer {
  status: number;
  headers: Headers;
  body: {
    success: boolean;
    /** POST answers an ExportResult, GET an ExportDetails; the intersection reads both. */
    data: ExportResult & ExportDetails;
    error: { code: string; message: string; details?: unknown };
  };
}

async function withLab(env: Record<string, string>, fn: (lab: Lab) => Promise<void>) {
  const storageDir = await Deno.makeTempDir({ prefix: "lab_exports_test_" });
  // Long enough that the tests expecting a finished export (201) get one however loaded the machine is.
  const stack = await startStack({
    databaseUrl,
    port: 0,
    storageDir,
    env: { LAB_EXPORT_INLINE_MS: "60000", ...env },
  });
  const db = createDatabase(databaseUrl, { max: 2 });
  const call = async (user: TestUser, path: string, init: RequestInit): Promise<Answer> => {
    const response = await fetch(`${stack.url}/functions/v1/exports${path}`, {
      ...init,
      headers: { ...user.headers, ...(init.headers ?? {}) },
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
  try {
    await fn({
      stack,
      db,
      create: (user, body, headers = {}) => call(user, "", jsonRequest(user, body, { headers })),
      get: (user, id) => call(user, `/${id}`, { method: "GET" }),
    });
  } finally {
    await stack.flush();
    await stack.stop();
    await db.end();
    await Deno.remove(storageDir, { recursive: true });
  }
}

/** Downloads a signed URL with no headers at all. */
async function download(
  url: string,
): Promise<{ status: number; bytes: Uint8Array; type: string | null }> {
  const response = await fetch(url);
  return {
    status: response.status,
    bytes: new Uint8Array(await response.arrayBuffer()),
    type: response.headers.get("content-type"),
  };
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The user's experiments as stored, in export order. */
async function storedExperiments(userId: string, ids?: string[]) {
  return await withAdmin((sql) =>
    sql`select id, prompt, model, parameters, responses, status, saved, discarded, latency_ms,
               calibration_id, correlation_id, created_at
          from public.experiments
         where user_id = ${userId} ${ids ? sql`and id = any(${ids}::uuid[])` : sql``}
         order by created_at, id`
  );
}

async function exportRows(userId: string) {
  return await withAdmin((sql) =>
    sql`select id, status, file_format, experiment_count, response_count, byte_size::float8 as byte_size,
               storage_path, file_url, error, completed_at, correlation_id
          from public.experiment_exports where user_id = ${userId} order by created_at`
  );
}

async function objectNames(userId: string): Promise<string[]> {
  const rows = await withAdmin((sql) =>
    sql`select name from storage.objects where bucket_id = 'exports' and name like ${`${userId}/%`}`
  );
  return rows.map((row) => row.name);
}

async function auditTypes(correlationId: string): Promise<string[]> {
  const rows = await withAdmin((sql) =>
    sql`select event_type from public.audit_logs where correlation_id = ${correlationId}
         and event_type like 'export%' order by created_at, event_type`
  );
  return rows.map((row) => row.event_type);
}

Deno.test(
  "a CSV export holds one row per response of the kept experiments, safe for spreadsheets",
  dbTest,
  async () => {
    const user = await createTestUser("csv");
    await withLab({}, async (lab) => {
      const seeded = await seedExperiments(lab.db, user, {
        count: 3,
        prompt: (i) =>
          i === 0
            ? '=HYPERLINK("http://evil.example","click"), with "quotes"\nand a line break'
            : `Prompt ${i}`,
      });
      await seedExperiments(lab.db, user, {
        count: 1,
        calibrationId: seeded.calibrationId,
        discarded: true,
      });
      const correlationId = crypto.randomUUID();
      const { status, body } = await lab.create(user, { format: "csv" }, {
        "x-correlation-id": correlationId,
      });
      equal(status, 201, JSON.stringify(body));
      const result = body.data;
      deepEqual(
        {
          format: result.format,
          status: result.status,
          experiments: result.experimentCount,
          responses: result.responseCount,
        },
        { format: "csv", status: "completed", experiments: 3, responses: 9 },
        "the discarded experiment is left out",
      );

      const file = await download(result.url);
      equal(file.status, 200);
      equal(file.type, "text/csv");
      equal(file.bytes.byteLength, result.byteSize);
      const rows = parseCsv(text(file.bytes));
      const stored = await storedExperiments(user.id, seeded.ids);
      equal(rows.length, 9);
      deepEqual(rows.map((r) => r.experiment_id), stored.flatMap((e) => [e.id, e.id, e.id]));
      equal(
        rows[0].prompt,
        `'${stored[0].prompt}`,
        "formula neutralized, quotes and line break intact",
      );
      for (const [n, row] of rows.entries()) {
        const experiment = stored[Math.floor(n / 3)];
        const response = experiment.responses[n % 3];
        equal(row.created_at, experiment.created_at.toISOString());
        equal(row.seed, String(experiment.parameters.seed));
        equal(row.response_status, response.status);
        equal(Number(row.temperature), response.parameters.temperature);
        equal(row.creativity, response.metrics ? String(response.metrics.creativity) : "");
        equal(row.error_code, response.error?.code ?? "");
      }

      const [row] = await exportRows(user.id);
      deepEqual(
        [
          row.id,
          row.status,
          row.file_format,
          row.experiment_count,
          row.response_count,
          row.byte_size,
        ],
        [result.id, "completed", "csv", 3, 9, result.byteSize],
      );
      equal(row.storage_path, `${user.id}/${result.id}.csv`);
      equal(row.file_url, result.url);
      equal(row.correlation_id, correlationId);
      deepEqual(await objectNames(user.id), [`${user.id}/${result.id}.csv`]);
      deepEqual(await auditTypes(correlationId), ["export_started", "export_completed"]);
    });
  },
);

Deno.test(
  "a JSON export of selected ids holds those experiments with their responses as stored",
  dbTest,
  async () => {
    const user = await createTestUser("json");
    await withLab({}, async (lab) => {
      const kept = await seedExperiments(lab.db, user, { count: 4 });
      const discarded = await seedExperiments(lab.db, user, {
        count: 1,
        calibrationId: kept.calibrationId,
        discarded: true,
      });
      const selectedIds = [kept.ids[1], kept.ids[3], discarded.ids[0]];
      const { status, body } = await lab.create(user, { format: "json", selectedIds });
      equal(status, 201, JSON.stringify(body));
      equal(body.data.experimentCount, 3, "a discarded experiment selected by id is exported");

      const file = await download(body.data.url);
      equal(file.status, 200);
      const document = JSON.parse(text(file.bytes));
      equal(document.formatVersion, 1);
      equal(document.exportId, body.data.id);
      const stored = await storedExperiments(user.id, selectedIds);
      deepEqual(
        document.experiments.map((
          e: Record<string, unknown>,
        ) => [e.id, e.prompt, e.discarded, e.latencyMs]),
        stored.map((e) => [e.id, e.prompt, e.discarded, e.latency_ms]),
      );
      deepEqual(
        document.experiments.map((e: Record<string, unknown>) => e.responses),
        stored.map((e) => e.responses),
      );
      deepEqual(document.experiments[0].parameters, stored[0].parameters);
    });
  },
);

Deno.test(
  "a ZIP export is a reproducibility package whose manifest hashes match its files",
  dbTest,
  async () => {
    const user = await createTestUser("zip");
    await withLab({}, async (lab) => {
      const seeded = await seedExperiments(lab.db, user, { count: 5, saved: true });
      await seedExperiments(lab.db, user, {
        count: 2,
        calibrationId: seeded.calibrationId,
        saved: false,
      });
      const other = await seedExperiments(lab.db, user, { count: 1, saved: true });
      const judged = await rateAndJudge(lab.db, user, seeded.ids, other.ids[0]);
      const { status, body } = await lab.create(user, {
        format: "zip",
        filter: { saved: true, calibrationId: seeded.calibrationId },
      });
      equal(status, 201, JSON.stringify(body));
      equal(body.data.experimentCount, 5);
      equal(body.data.responseCount, 15);

      const file = await download(body.data.url);
      equal(file.type, "application/zip");
      const entries = unzipSync(file.bytes);
      deepEqual(Object.keys(entries), [
        "experiments.csv",
        "responses.csv",
        "experiments.json",
        "calibrations.json",
        "analytics.json",
        "audit.json",
        "ratings.csv",
        "score_configs.json",
        "judge_versions.json",
        "judge_verdicts.json",
        "manifest.json",
      ]);
      const manifest = JSON.parse(text(entries["manifest.json"]));
      for (const entry of manifest.files) {
        equal(entry.sha256, await sha256Hex(entries[entry.name]), entry.name);
        equal(entry.bytes, entries[entry.name].byteLength, entry.name);
      }
      deepEqual(manifest.counts, {
        experiments: 5,
        responses: 15,
        calibrations: 1,
        analyticsSummaries: 1,
        auditEvents: 15,
        // 5 experiments × 2 scored responses × 4 heuristic scores, 2 people's, 1 judge's.
        ratings: 43,
        scoreConfigs: 5,
        judgeVersions: 1,
        judgeVerdicts: 2,
      });
      equal(manifest.exportId, body.data.id);
      equal(manifest.userId, user.id);
      deepEqual(manifest.models, ["gpt-4o"]);
      deepEqual(manifest.parameterDesigns, ["latin-hypercube"]);

      const stored = await storedExperiments(user.id, seeded.ids);
      deepEqual(
        parseCsv(text(entries["experiments.csv"])).map((r) => r.experiment_id),
        stored.map((e) => e.id),
      );
      equal(parseCsv(text(entries["responses.csv"])).length, 15);
      const csv = await lab.create(user, {
        format: "csv",
        filter: { saved: true, calibrationId: seeded.calibrationId },
      });
      equal(csv.status, 201, JSON.stringify(csv.body));
      deepEqual(entries["responses.csv"], (await download(csv.body.data.url)).bytes);
      const experiments = JSON.parse(text(entries["experiments.json"])).experiments;
      deepEqual(
        experiments.map((e: { responses: unknown }) => e.responses),
        stored.map((e) => e.responses),
      );

      const [calibration] = JSON.parse(text(entries["calibrations.json"])).calibrations;
      equal(calibration.id, seeded.calibrationId);
      deepEqual(calibration.ranges.frequency_penalty, { min: -0.5, max: 0.5 });
      notEqual(calibration.id, other.calibrationId);

      const [analytics] = JSON.parse(text(entries["analytics.json"])).analyticsSummaries;
      const [summary] = await withAdmin((sql) =>
        sql`select metrics_summary from public.analytics_summaries where calibration_id = ${seeded.calibrationId}`
      );
      deepEqual(analytics.metricsSummary, summary.metrics_summary);

      // Per experiment: llm_request_started (by correlation id), experiment_generated and analytics_updated (by id).
      const events = JSON.parse(text(entries["audit.json"])).events;
      for (const experiment of stored) {
        const mine = events.filter((
          e: { correlationId: string; eventData: { experimentId?: string } },
        ) =>
          e.correlationId === experiment.correlation_id ||
          e.eventData.experimentId === experiment.id
        );
        deepEqual(
          mine.map((e: { eventType: string }) => e.eventType).sort(),
          ["analytics_updated", "experiment_generated", "llm_request_started"],
        );
      }

      const ratings = parseCsv(text(entries["ratings.csv"]));
      assert(ratings.every((r) => seeded.ids.includes(r.experiment_id)), "only the selection's");
      const people = ratings.filter((r) => r.source === "human");
      deepEqual(
        people.map((r) => [r.rater_id, r.value, r.comment, r.revision, r.config_name]).sort(),
        [[judged.reviewerId, "2", "", "1", "realism"], [user.id, "6", "Better", "2", "realism"]]
          .sort(),
        "each person's latest revision",
      );
      const [byJudge] = ratings.filter((r) => r.source === "judge");
      deepEqual(
        [byJudge.judge_version_id, byJudge.value, byJudge.comment],
        [judged.versionId, "5", "Vivid."],
      );
      equal(byJudge.correlation_id, judged.correlationId);
      const heuristic = ratings.filter((r) => r.source === "heuristic");
      equal(heuristic.length, 40);
      const first = heuristic.find((r) =>
        r.experiment_id === stored[0].id && r.response_index === "0" &&
        r.config_name === "creativity"
      );
      equal(first?.value, "0.25");
      equal(first?.correlation_id, stored[0].correlation_id);

      const configs = JSON.parse(text(entries["score_configs.json"])).scoreConfigs;
      deepEqual(
        configs.map((c: { name: string }) => c.name).sort(),
        ["coherence", "completeness", "creativity", "realism", "structure"],
      );
      const realism = configs.find((c: { name: string }) => c.name === "realism");
      deepEqual([realism.minValue, realism.maxValue, realism.step, realism.builtIn], [
        1,
        7,
        1,
        true,
      ]);

      const [version] = JSON.parse(text(entries["judge_versions.json"])).judgeVersions;
      deepEqual(
        [version.id, version.judgeName, version.version, version.rubric, version.parameters.seed],
        [judged.versionId, "Vivid judge", 1, "Rate realism.", 7],
      );
      const verdicts = JSON.parse(text(entries["judge_verdicts.json"])).verdicts;
      deepEqual(
        verdicts.map((v: { status: string; value: number | null; rawReply: string }) => [
          v.status,
          v.value,
          v.rawReply,
        ]),
        [["scored", 5, '{"score":5,"reasoning":"Vivid."}'], ["unparsable", null, "5/7, vivid"]],
      );
      equal(verdicts[1].error, "Reply is not JSON");
    });
  },
);

/**
 * Scores for the ZIP test: the owner rates and revises, a reviewer rates,
 * a judge version scores one response and cannot parse its reply on another,
 * and a rating of `outside` (an experiment left out of the export).
 */
async function rateAndJudge(db: Database, user: TestUser, ids: string[], outside: string) {
  const reviewer = await createTestUser("zip-reviewer");
  const realism = "00000000-0000-4000-8000-00000000c001";
  const correlationId = crypto.randomUUID();
  const claims = { sub: user.id, role: "authenticated" };
  const versionId = await db.withUser({ claims, correlationId }, async (tx) => {
    for (const id of [ids[0], outside]) {
      await tx`insert into public.ratings (experiment_id, response_index, config_id, source, value, comment)
               values (${id}, 0, ${realism}, 'human', 3, 'Flat')`;
    }
    await tx`update public.ratings set value = 6, comment = 'Better' where experiment_id = ${
      ids[0]
    }`;
    const [judge] = await tx<{ id: string }[]>`
      insert into public.judges (name) values ('Vivid judge') returning id`;
    const [version] = await tx<{ id: string }[]>`
      insert into public.judge_versions (judge_id, version, rubric, config_id, model, parameters)
      values (${judge.id}, 1, 'Rate realism.', ${realism}, 'gpt-4o', '{"seed": 7}') returning id`;
    await tx`
      insert into public.judge_verdicts (judge_version_id, experiment_id, response_index, status, value,
                                         reasoning, raw_reply, error)
      values (${version.id}, ${
      ids[1]
    }, 0, 'scored', 5, 'Vivid.', '{"score":5,"reasoning":"Vivid."}', null),
             (${version.id}, ${
      ids[2]
    }, 1, 'unparsable', null, null, '5/7, vivid', 'Reply is not JSON')`;
    await tx`
      insert into public.ratings (experiment_id, response_index, config_id, source, rater_id, judge_version_id,
                                  value, comment)
      values (${ids[1]}, 0, ${realism}, 'judge', null, ${version.id}, 5, 'Vivid.')`;
    return version.id;
  });
  await withAdmin((sql) =>
    sql`insert into public.ratings (experiment_id, owner_id, response_index, config_id, source, rater_id, value)
        values (${ids[0]}, ${user.id}, 0, ${realism}, 'human', ${reviewer.id}, 2)`
  );
  return { versionId, reviewerId: reviewer.id, correlationId };
}

Deno.test(
  "another user's experiment ids answer 404 naming nothing of theirs, and nothing is written",
  dbTest,
  async () => {
    const [owner, stranger] = [await createTestUser("owner"), await createTestUser("stranger")];
    await withLab({}, async (lab) => {
      const theirs = await seedExperiments(lab.db, owner, { count: 1 });
      const mine = await seedExperiments(lab.db, stranger, { count: 1 });
      const { status, body } = await lab.create(stranger, {
        format: "zip",
        selectedIds: [mine.ids[0], theirs.ids[0]],
      });
      equal(status, 404);
      equal(body.error.code, "experiments_not_found");
      const answer = JSON.stringify(body);
      assert(!answer.includes(theirs.ids[0]) && !answer.includes(owner.id), answer);
      deepEqual(await exportRows(stranger.id), []);
      deepEqual(await objectNames(stranger.id), []);
      deepEqual(await objectNames(owner.id), []);
    });
  },
);

Deno.test(
  "storage policies refuse another user's export object, with their own token",
  dbTest,
  async () => {
    const [owner, stranger] = [await createTestUser("owner"), await createTestUser("stranger")];
    await withLab({}, async (lab) => {
      await seedExperiments(lab.db, owner, { count: 1 });
      const { body } = await lab.create(owner, { format: "csv" });
      const path = `${owner.id}/${body.data.id}.csv`;
      const as = (user: TestUser) =>
        createClient(lab.stack.url, LOCAL_ANON_KEY, {
          auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
          global: { headers: { Authorization: `Bearer ${user.token}` } },
        }).storage.from("exports");

      const signed = await as(stranger).createSignedUrl(path, 60);
      assert(signed.error, "the stranger cannot sign the owner's object");
      const downloaded = await as(stranger).download(path);
      assert(downloaded.error, "nor download it");
      const uploaded = await as(stranger).upload(
        `${owner.id}/planted.csv`,
        new Blob(["x"], { type: "text/csv" }),
        {
          contentType: "text/csv",
        },
      );
      assert(uploaded.error, "nor write into the owner's folder");

      const own = await as(owner).download(path);
      equal(own.error, null);
      equal(await own.data!.text(), text((await download(body.data.url)).bytes));
    });
  },
);

Deno.test("a tampered or expired signed URL is refused", dbTest, async () => {
  const user = await createTestUser("signed");
  await withLab({}, async (lab) => {
    await seedExperiments(lab.db, user, { count: 1 });
    const first = (await lab.create(user, { format: "csv" })).body.data;
    const second = (await lab.create(user, { format: "json" })).body.data;
    equal((await download(first.url)).status, 200);

    const url = new URL(first.url);
    const token = url.searchParams.get("token")!;
    const [header, payload, signature] = token.split(".");
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === "A" ? "B" : "A"}${
      signature.at(-1)
    }`;
    const badSignature = new URL(url);
    badSignature.searchParams.set("token", `${header}.${payload}.${flipped}`);
    assert((await download(badSignature.href)).status >= 400, "a changed signature is refused");

    const otherObject = new URL(second.url);
    otherObject.searchParams.set("token", token);
    assert(
      (await download(otherObject.href)).status >= 400,
      "a token for another object is refused",
    );

    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({
      url: `exports/${user.id}/${first.id}.csv`,
      scope: "download",
    })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(new TextEncoder().encode(LOCAL_JWT_SECRET));
    const expiredUrl = new URL(url);
    expiredUrl.searchParams.set("token", expired);
    const refused = await download(expiredUrl.href);
    assert(refused.status >= 400, "an expired token is refused");
    assert(!text(refused.bytes).includes("experiment_id"), "and no data is sent");
  });
});

Deno.test(
  "GET /exports/:id answers the owner with a fresh signed URL and anyone else 404",
  dbTest,
  async () => {
    const [owner, stranger] = [await createTestUser("owner"), await createTestUser("stranger")];
    await withLab({ LAB_EXPORT_URL_TTL_SECONDS: "120" }, async (lab) => {
      await seedExperiments(lab.db, owner, { count: 2 });
      const created = (await lab.create(owner, { format: "json" })).body.data;
      const own = await lab.get(owner, created.id);
      equal(own.status, 200);
      const details = own.body.data;
      deepEqual(
        [
          details.id,
          details.format,
          details.status,
          details.experimentCount,
          details.byteSize,
          details.error,
        ],
        [created.id, "json", "completed", 2, created.byteSize, null],
      );
      const expiresIn = Date.parse(details.expiresAt) - Date.parse(created.expiresAt);
      assert(expiresIn >= 0, "the new link expires no earlier than the first");
      equal((await download(details.url)).bytes.byteLength, created.byteSize);
      const [row] = await exportRows(owner.id);
      equal(row.file_url, details.url, "the latest link is remembered");

      const theirs = await lab.get(stranger, created.id);
      equal(theirs.status, 404);
      equal(theirs.body.error.code, "export_not_found");
      equal((await lab.get(owner, crypto.randomUUID())).status, 404);
      const malformed = await lab.get(owner, "not-a-uuid");
      equal(malformed.status, 400);
      equal(malformed.body.error.code, "validation_failed");
    });
  },
);

Deno.test(
  "the same Idempotency-Key replays the export; another body with it is a 409",
  dbTest,
  async () => {
    const user = await createTestUser("idem");
    await withLab({}, async (lab) => {
      await seedExperiments(lab.db, user, { count: 2 });
      const key = crypto.randomUUID();
      const first = await lab.create(user, { format: "csv" }, { "idempotency-key": key });
      const again = await lab.create(user, { format: "csv" }, { "idempotency-key": key });
      equal(first.status, 201);
      equal(again.status, 201);
      equal(again.headers.get("idempotent-replayed"), "true");
      equal(again.body.data.id, first.body.data.id);
      equal(again.body.data.byteSize, first.body.data.byteSize);
      equal((await download(again.body.data.url)).status, 200);
      equal((await exportRows(user.id)).length, 1, "no second export");

      const conflict = await lab.create(user, { format: "zip" }, { "idempotency-key": key });
      equal(conflict.status, 409);
      equal(conflict.body.error.code, "idempotency_conflict");
    });
  },
);

Deno.test(
  "more experiments than LAB_EXPORT_MAX_EXPERIMENTS answer 413 and write nothing",
  dbTest,
  async () => {
    const user = await createTestUser("limit");
    await withLab({ LAB_EXPORT_MAX_EXPERIMENTS: "2" }, async (lab) => {
      await seedExperiments(lab.db, user, { count: 3 });
      const tooMany = await lab.create(user, { format: "json" });
      equal(tooMany.status, 413);
      equal(tooMany.body.error.code, "export_too_large");
      deepEqual(tooMany.body.error.details, { experimentCount: 3, limit: 2 });
      deepEqual(await exportRows(user.id), []);

      const narrowed = await lab.create(user, {
        format: "json",
        filter: { to: new Date().toISOString() },
      });
      equal(narrowed.status, 413, "the filter still matches all three");
      const bad = await lab.create(user, { format: "pdf" });
      equal(bad.status, 400);
      equal(bad.body.error.code, "validation_failed");
    });
  },
);

Deno.test(
  "a file over LAB_EXPORT_MAX_BYTES is stopped while streaming: 413, failed, no object stored",
  dbTest,
  async () => {
    const user = await createTestUser("bytes");
    await withLab({ LAB_EXPORT_MAX_BYTES: "4096" }, async (lab) => {
      await seedExperiments(lab.db, user, { count: 40 });
      for (const format of ["csv", "json", "zip"]) {
        const tooBig = await lab.create(user, { format });
        equal(tooBig.status, 413, format);
        equal(tooBig.body.error.code, "export_too_large", format);
        deepEqual(tooBig.body.error.details, { byteLimit: 4096 }, format);
      }
      await lab.stack.flush();
      deepEqual((await exportRows(user.id)).map((row) => row.status), [
        "failed",
        "failed",
        "failed",
      ]);
      deepEqual(await objectNames(user.id), []);
    });
  },
);

Deno.test(
  "past the inline budget POST answers 202 with the export and its job, GET shows its progress, and the worker finishes it; Prefer: respond-async is always 202",
  dbTest,
  async () => {
    const user = await createTestUser("async");
    await withLab({ LAB_EXPORT_INLINE_MS: "1" }, async (lab) => {
      await seedExperiments(lab.db, user, { count: 300 });
      const accepted = await lab.create(user, { format: "zip" });
      equal(accepted.status, 202, JSON.stringify(accepted.body));
      const { data } = accepted.body;
      assert(["pending", "running"].includes(data.status), data.status);
      assert(["queued", "running"].includes(data.job!.status), data.job!.status);
      equal(data.job!.progress.total, 300);
      equal(data.url, null);
      let seen = await lab.get(user, data.id);
      for (let i = 0; i < 600 && seen.body.data.status !== "completed"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        seen = await lab.get(user, data.id);
      }
      equal(seen.status, 200);
      deepEqual([seen.body.data.status, seen.body.data.job?.status], ["completed", "succeeded"]);
      deepEqual(
        seen.body.data.job?.progress,
        { done: 300, total: 300 },
        "a finished job's progress reads whole",
      );
      equal(seen.body.data.experimentCount, 300);
      const entries = unzipSync((await download(seen.body.data.url!)).bytes);
      equal(JSON.parse(text(entries["manifest.json"])).counts.experiments, 300);

      const prefer = await lab.create(user, { format: "csv" }, { prefer: "respond-async" });
      equal(prefer.status, 202);
      equal(prefer.headers.get("preference-applied"), "respond-async");
    });
  },
);

Deno.test(
  "a large ZIP export completes with every experiment in it",
  dbTest,
  async () => {
    const user = await createTestUser("large");
    await withLab({}, async (lab) => {
      const seeded = await seedExperiments(lab.db, user, { count: 2000 });
      const { status, body } = await lab.create(user, { format: "zip" });
      equal(status, 201, JSON.stringify(body));
      equal(body.data.experimentCount, 2000);
      equal(body.data.responseCount, 6000);
      const entries = unzipSync((await download(body.data.url)).bytes);
      const manifest = JSON.parse(text(entries["manifest.json"]));
      equal(manifest.counts.experiments, 2000);
      equal(manifest.counts.auditEvents, 6000);
      const ids = parseCsv(text(entries["experiments.csv"])).map((r) => r.experiment_id);
      deepEqual(ids, seeded.ids);
      equal(parseCsv(text(entries["responses.csv"])).length, 6000);
      for (const entry of manifest.files) {
        equal(entry.sha256, await sha256Hex(entries[entry.name]), entry.name);
      }
    });
  },
);

Deno.test(
  "a refused upload answers 202 with the job waiting to retry, the export never completed and no object",
  dbTest,
  async () => {
    const user = await createTestUser("refused");
    const runtime = createRuntime(
      readEnv(
        exportsEnvSchema,
        testEnv({ SUPABASE_SERVICE_ROLE_KEY: await mintApiKey("service_role") }),
      ),
    );
    const bucket = memoryBucket({ append: true });
    const app = createExportsApp(runtime, {
      storageFor: () => bucket.storage,
      jobBucket: bucket,
    });
    try {
      await seedExperiments(runtime.db, user, { count: 2 });
      const correlationId = crypto.randomUUID();
      const response = await app.request(
        "/exports",
        jsonRequest(user, { format: "zip" }, { headers: { "x-correlation-id": correlationId } }),
      );
      equal(response.status, 202);
      const { data } = await response.json();
      deepEqual([data.status, data.url, data.job.status, data.job.attempts, data.job.error], [
        "running",
        null,
        "queued",
        1,
        "Storage unavailable: cannot append to the upload",
      ]);
      const [row] = await exportRows(user.id);
      deepEqual([row.status, row.storage_path, row.completed_at], ["running", null, null]);
      deepEqual(await auditTypes(correlationId), ["export_started"]);
      deepEqual([bucket.objects.size, await objectNames(user.id)], [0, []]);
    } finally {
      await flushBackground();
      await runtime.db.end();
    }
  },
);

/** POST /functions/v1/exports/arenas/:arenaId as `user`. */
async function exportArenaAs(lab: Lab, user: TestUser, arenaId: string): Promise<Answer> {
  const response = await fetch(`${lab.stack.url}/functions/v1/exports/arenas/${arenaId}`, {
    method: "POST",
    headers: user.headers,
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

Deno.test(
  "an arena package refits to its own ranking: the exported votes and seed give exactly ranking.json",
  dbTest,
  async () => {
    const owner = await createTestUser("arena-export");
    const testers = await Promise.all([1, 2, 3].map((i) => createTestUser(`arena-export-t${i}`)));
    await withLab({}, async (lab) => {
      const seeded = await seedArena(lab.db, owner, testers);
      equal(seeded.votes, 27, "three testers, each every (prompt, arm pair) once");
      const { status, body } = await exportArenaAs(lab, owner, seeded.arenaId);
      equal(status, 201, JSON.stringify(body));
      const data = body.data as unknown as ArenaExportResult;
      deepEqual([data.arenaId, data.votes, data.judgeVerdicts], [seeded.arenaId, 27, 9]);

      const file = await download(data.url);
      equal(file.type, "application/zip");
      equal(await sha256Hex(file.bytes), data.sha256);
      const entries = unzipSync(file.bytes);
      deepEqual(Object.keys(entries), [
        "arena.json",
        "arena_responses.json",
        "arena_votes.csv",
        "arena_judge_verdicts.csv",
        "ranking.json",
        "manifest.json",
      ]);
      const manifest = JSON.parse(text(entries["manifest.json"]));
      for (const entry of manifest.files) {
        equal(entry.sha256, await sha256Hex(entries[entry.name]), entry.name);
      }
      deepEqual(manifest.counts, {
        arms: 3,
        prompts: 3,
        responses: 9,
        votes: 27,
        judgeVerdicts: 9,
      });

      const { arena } = JSON.parse(text(entries["arena.json"]));
      equal(arena.seed, 11);
      const arms: string[] = arena.arms.map((a: { label: string }) => a.label);
      const label = new Map<string, string>(
        arena.arms.map((a: { id: string; label: string }) => [a.id, a.label]),
      );
      deepEqual([...arms].sort(), [...seeded.labels].sort());
      const ranking = JSON.parse(text(entries["ranking.json"]));
      deepEqual(ranking.method.arms, arms);
      equal(ranking.method.resamples, 500);

      // The refit, from the files alone, by the rules ranking.json states.
      const options = {
        seed: ranking.method.seed,
        resamples: ranking.method.resamples,
        prior: ranking.method.prior,
      };
      const votes = parseCsv(text(entries["arena_votes.csv"]));
      equal(votes.length, 27);
      assert(
        votes.some((v) => v.left_label === "'=mild"),
        "labels are neutralized for spreadsheets",
      );
      const outcome = (winner: string, a: string, b: string) =>
        winner === a ? "a" as const : winner === b ? "b" as const : "tie" as const;
      const testerBattles: Battle[] = votes.map((v) => ({
        a: label.get(v.left_arm_id)!,
        b: label.get(v.right_arm_id)!,
        outcome: outcome(v.verdict, "left", "right"),
      }));
      deepEqual(ranking.testers, rankArms(arms, testerBattles, options));
      const verdicts = parseCsv(text(entries["arena_judge_verdicts.csv"]));
      const counted = verdicts.filter((v) => v.counted === "true");
      deepEqual(
        counted.map((v) => v.low_first),
        verdicts.filter((v) => v.low_first === v.high_first && v.low_first !== "unparsable")
          .map((v) => v.low_first),
      );
      const judgeBattles: Battle[] = counted.map((v) => ({
        a: label.get(v.low_arm_id)!,
        b: label.get(v.high_arm_id)!,
        outcome: outcome(v.low_first, "low", "high"),
      }));
      const { judged, flippedShare, ...judge } = ranking.judge;
      deepEqual(judge, rankArms(arms, judgeBattles, options));
      deepEqual([judged, flippedShare], [9, (9 - counted.length) / 9]);

      // The same numbers the ranking endpoint answers.
      const live = await fetch(`${lab.stack.url}/functions/v1/arenas/${seeded.arenaId}/ranking`, {
        headers: owner.headers,
      });
      const { testers: liveTesters, judge: liveJudge } = (await live.json()).data;
      deepEqual([ranking.testers, ranking.judge], [liveTesters, liveJudge]);

      const events = await withAdmin((sql) =>
        sql`select event_data from public.audit_logs
             where user_id = ${owner.id} and event_type = 'arena_exported'`
      );
      deepEqual(events.map((e) => e.event_data.sha256), [data.sha256]);
    });
  },
);

Deno.test(
  "only the arena's owner can export it: a tester or a stranger gets 404 and nothing is stored",
  dbTest,
  async () => {
    const owner = await createTestUser("arena-export-owner");
    const tester = await createTestUser("arena-export-tester");
    await withLab({}, async (lab) => {
      const { arenaId } = await seedArena(lab.db, owner, [tester]);
      for (const user of [tester, await createTestUser("arena-export-stranger")]) {
        const { status, body } = await exportArenaAs(lab, user, arenaId);
        equal(status, 404, JSON.stringify(body));
        equal(body.error.code, "arena_not_found");
        deepEqual(await objectNames(user.id), []);
      }
      deepEqual(await objectNames(owner.id), []);
      const missing = await exportArenaAs(lab, owner, crypto.randomUUID());
      equal(missing.status, 404);
      const anonymous = await fetch(`${lab.stack.url}/functions/v1/exports/arenas/${arenaId}`, {
        method: "POST",
      });
      equal(anonymous.status, 401);
      await anonymous.body?.cancel();
    });
  },
);

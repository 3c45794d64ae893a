/**
 * One `POST /generate` run, in two database steps of one statement each,
 * with the model calls between them (nothing is held open across the calls;
 * see store.ts and the SQL functions it calls):
 *
 * 1. as the user, one round trip: claim the Idempotency-Key (a completed one
 *    replays its answer, no model calls), load the calibration under RLS
 *    (404 when it is missing or someone else's), count the request against
 *    the rate limit (429), audit `llm_request_started`; committed without
 *    waiting for the WAL flush, which step 4's durable commit covers.
 * 2. when the request names a template: its version as the user, one round
 *    trip (404 when missing or someone else's), rendered with the request's
 *    variables (400 naming every missing one);
 * 3. the model calls, concurrently, each with the SDK's timeout and retries;
 *    every successful response scored.
 * 4. as the user, one round trip: insert the experiment (triggers price its
 *    responses, update the analytics and audit `analytics_updated`), audit
 *    `experiment_generated`, complete the key with the answer and read the
 *    fresh summary; durable. When every call failed, the experiment is stored
 *    with status `failed`, the audit event is `llm_request_failed`, the key is
 *    released (a retry runs again) and the answer is `502
 *    upstream_unavailable`.
 *
 * The experiment id is minted here (time-ordered, like the database's
 * default) so the answer can be built before step 4. If anything fails after
 * the key was claimed, the claim is released (best effort) so a retry is not
 * blocked. The bench (`npm run bench`) measures what this costs against a
 * bare handler.
 *
 * @module
 */
import type { IdempotencyOutcome } from "../_shared/contracts/idempotency.ts";
import type {
  GenerateResult,
  UpstreamFailureDetails,
  ValidGenerateRequest,
} from "../_shared/contracts/generate.ts";
import type { DbCaller } from "../_shared/caller.ts";
import { cleanUpAfterFailure, type Database } from "../_shared/db/client.ts";
import { HttpError } from "../_shared/errors.ts";
import {
  type IdempotencyKeyRef,
  releaseIdempotencyKey,
  requestHash,
} from "../_shared/db/idempotency.ts";
import type { LlmClient } from "../_shared/integrations/llm.ts";
import type { ParameterRanges } from "../_shared/lab/parameters.ts";
import { timed, timedSync } from "../_shared/http/server_timing.ts";
import { resolveTemplate } from "../_shared/db/templates.ts";
import {
  type RenderedPrompt,
  renderTemplate,
  type TemplateVersion,
} from "../_shared/lab/templates.ts";
import { uuidV7 } from "../_shared/uuid_v7.ts";
import {
  callModel,
  experimentParameters,
  experimentSeed,
  experimentStatus,
  planParameters,
  toResponses,
} from "./experiment.ts";
import {
  type ModelCatalog,
  type ModelChoice,
  type ModelRequest,
  unknownModel,
} from "./model_choice.ts";
import { startGeneration, storeGeneration } from "./store.ts";

/** The idempotency and rate-limit scope of this function. */
export const GENERATE_SCOPE = "generate";

/** What a run needs from the function. */
export interface RunDeps {
  db: Database;
  /** The default model (`LAB_MODEL`) and its client. */
  llm: LlmClient;
  model: string;
  /** The admins' model list, for a request that names a model; without it, naming one is refused. */
  catalog?: ModelCatalog;
  /** Requests per user per minute. */
  ratePerMinute: number;
}

/** The answer: a new result, or the stored one replayed for an Idempotency-Key. */
export type RunAnswer = IdempotencyOutcome<GenerateResult>;

/**
 * Runs one generation (see the module header).
 *
 * @throws {HttpError} 404 `calibration_not_found`, 409 idempotency, 429
 *   `rate_limited`, 502 `upstream_unavailable`, 503 `database_unavailable`.
 *
 * @example
 * const answer = await runGenerate(deps, { claims, correlationId }, { input, idempotencyKey });
 */
export async function runGenerate(
  deps: RunDeps,
  context: DbCaller,
  request: { input: ValidGenerateRequest; idempotencyKey?: string },
): Promise<RunAnswer> {
  const { db } = deps;
  const { input } = request;
  const chosen: ModelChoice = input.model === undefined
    ? { model: deps.model, llm: deps.llm }
    : await timed("db.model", () => chooseModel(deps, context, input as ModelRequest));
  const model = chosen.model;
  const ref: IdempotencyKeyRef | undefined = request.idempotencyKey === undefined
    ? undefined
    : { scope: GENERATE_SCOPE, key: request.idempotencyKey };
  const idempotency = ref && { key: ref.key, hash: await requestHash(input) };
  const seed = experimentSeed(input.seed);

  const start = await timed("db.start", () =>
    startGeneration(db, context, {
      calibrationId: input.calibration_id,
      ratePerMinute: deps.ratePerMinute,
      audit: {
        calibrationId: input.calibration_id,
        numResponses: input.numResponses,
        model,
        seed,
        design: input.parameters ? "explicit" : "latin-hypercube",
        ...(input.template ? { template: input.template } : {}),
      },
      idempotency,
    }));
  if (start.kind === "replay") return start;

  try {
    return {
      kind: "new",
      result: await generateAndStore({ ...deps, ...chosen }, context, {
        input,
        ref,
        seed,
        ranges: start.ranges,
      }),
    };
  } catch (error) {
    if (ref) {
      // A key left in progress would block the client's retry for minutes.
      await cleanUpAfterFailure(
        () => db.withUser(context, (tx) => releaseIdempotencyKey(tx, ref)),
        "release idempotency key",
      ).catch(() => {});
    }
    throw error;
  }
}

/** The listed model a request names (refused when the function has no list). */
function chooseModel(
  deps: RunDeps,
  context: DbCaller,
  request: ModelRequest,
): Promise<ModelChoice> {
  if (!deps.catalog) throw unknownModel(request.model);
  return deps.catalog.choose(context, { model: request.model, provider: request.provider });
}

/** The prompt of a run: the request's own, or its template version rendered. */
interface RunPrompt {
  prompt: string;
  system: string | null;
  template: { version: TemplateVersion; rendered: RenderedPrompt } | null;
}

async function promptOf(
  db: Database,
  context: DbCaller,
  input: ValidGenerateRequest,
): Promise<RunPrompt> {
  if (!input.template) return { prompt: input.prompt!, system: null, template: null };
  const version = await timed("db.template", () => resolveTemplate(db, context, input.template!));
  const rendered = renderTemplate(version, input.variables ?? {});
  return { prompt: rendered.prompt, system: rendered.system, template: { version, rendered } };
}

async function generateAndStore(
  deps: RunDeps,
  context: DbCaller,
  run: {
    input: ValidGenerateRequest;
    ref?: IdempotencyKeyRef;
    seed: number;
    ranges: ParameterRanges;
  },
): Promise<GenerateResult> {
  const { db, llm, model } = deps;
  const { input, ref, seed } = run;
  const { prompt, system, template } = await promptOf(db, context, input);
  const plan = planParameters(run.ranges, {
    count: input.numResponses,
    seed,
    explicit: input.parameters ?? template?.version.defaultParameters ?? undefined,
  });
  const outcome = await callModel(
    llm,
    { model, prompt, system: system ?? undefined, seed },
    plan.sets,
  );
  const responses = timedSync(
    "scoring",
    () => toResponses(prompt, plan.sets, outcome.results),
  );
  const templateUse = template && {
    versionId: template.version.id,
    templateId: template.version.templateId,
    name: template.version.name,
    version: template.version.version,
    variables: template.rendered.variables,
  };
  const status = experimentStatus(responses);
  const failed = responses.flatMap((r) =>
    r.status === "failed" ? [{ index: r.index, code: r.error.code }] : []
  );

  // Minted here (time-ordered, like the database's default) so the answer is
  // complete before the one statement that stores it.
  const experimentId = uuidV7();
  const experiment = {
    id: experimentId,
    calibrationId: input.calibration_id,
    prompt,
    model,
    parameters: experimentParameters({ model, seed }, plan),
    responses,
    status,
    latencyMs: outcome.latencyMs,
    ...(templateUse
      ? { template: { versionId: templateUse.versionId, variables: templateUse.variables } }
      : {}),
  };
  const audit = {
    experimentId,
    calibrationId: input.calibration_id,
    status,
    numResponses: responses.length,
    succeeded: responses.length - failed.length,
    failed: failed.length,
    model,
    seed,
    latencyMs: outcome.latencyMs,
    ...(templateUse ? { templateVersionId: templateUse.versionId } : {}),
  };

  if (status === "failed") {
    await timed("db.store", () =>
      storeGeneration(db, context, {
        experiment,
        audit: { ...audit, errors: failed },
        idempotencyKey: ref?.key,
      }));
    const details: UpstreamFailureDetails = { experimentId, errors: failed };
    throw new HttpError(
      502,
      `Cannot generate responses: all ${responses.length} model calls failed (${
        [...new Set(failed.map((f) => f.code))].join(", ")
      })`,
      { code: "upstream_unavailable", details },
    );
  }

  const answer = {
    experimentId,
    status,
    model,
    seed,
    design: plan.design,
    template: templateUse,
    responses,
    latencyMs: outcome.latencyMs,
  };
  const stored = await timed("db.store", () =>
    storeGeneration(db, context, {
      experiment,
      audit,
      idempotencyKey: ref?.key,
      answer: ref ? answer : undefined,
    }));
  // Only a failed experiment stores nothing to answer with, and that one threw above.
  return { ...answer, ...stored! };
}

/**
 * LLM judges: versions are created by name (the judge with its first), and
 * the steps of a run (judge_job.ts): the selection's responses this version
 * has not judged yet, so a rerun skips what is done; the model's verdicts,
 * asked outside any transaction; and their storage with their ratings.
 *
 * @module
 */
import type { DbCaller } from "../_shared/caller.ts";
import { mapLimited } from "../_shared/concurrency.ts";
import {
  type CreateJudgeVersionRequest,
  judgeParametersSchema,
  type JudgeVersion,
} from "../_shared/contracts/evaluations.ts";
import type { Database, Tx } from "../_shared/db/client.ts";
import { HttpError } from "../_shared/errors.ts";
import type { LlmClient } from "../_shared/integrations/llm.ts";
import { type JudgedConfig, judgeMessages, parseVerdict, verdictSchema } from "./verdict.ts";

/** Calls to the model at once during a run. */
export const CONCURRENCY = 4;

/**
 * Creates the next version of the caller's judge `name` (version 1 creates
 * the judge).
 *
 * @throws {HttpError} 400 when the config is not an active numeric config
 *   the caller can use.
 *
 * @example
 * await createJudgeVersion(db, caller, { name: "Strict", rubric: "…", configId }, "gpt-4o");
 */
export function createJudgeVersion(
  db: Database,
  caller: DbCaller,
  input: CreateJudgeVersionRequest,
  defaultModel: string,
): Promise<JudgeVersion> {
  const parameters = judgeParametersSchema.parse(input.parameters ?? {});
  return db.withUser(caller, async (tx) => {
    await judgedConfig(tx, input.configId);
    await tx`insert into public.judges (name) values (${input.name}) on conflict (user_id, name) do nothing`;
    const [row] = await tx<JudgeVersion[]>`
      insert into public.judge_versions (judge_id, version, rubric, config_id, model, parameters)
      select j.id, coalesce((select max(v.version) from public.judge_versions v where v.judge_id = j.id), 0) + 1,
             ${input.rubric}, ${input.configId}, ${input.model ?? defaultModel}, ${
      tx.json(parameters)
    }
        from public.judges j where j.name = ${input.name}
      returning judge_id as "judgeId", id as "judgeVersionId", version`;
    return row;
  });
}

/** The config a judge rates, which must be numeric, active and visible. */
async function judgedConfig(tx: Tx, configId: string): Promise<JudgedConfig> {
  const [config] = await tx<(JudgedConfig & { dataType: string; archived: boolean })[]>`
    select name, data_type as "dataType", archived, min_value::float8 as "minValue",
           max_value::float8 as "maxValue", step::float8 as step, description
      from public.score_configs where id = ${configId}`;
  if (!config || config.archived || config.dataType !== "numeric") {
    throw new HttpError(
      400,
      'Cannot create judge: "configId" must be an active numeric config you can use',
      {
        code: "validation_failed",
      },
    );
  }
  return config;
}

/** One response still to judge. */
export interface Pending {
  experimentId: string;
  responseIndex: number;
  prompt: string;
  response: string;
}

/** A judge version with what its calls need. */
export interface LoadedVersion {
  configId: string;
  rubric: string;
  model: string;
  parameters: {
    temperature: number;
    top_p: number;
    max_tokens: number;
    frequency_penalty: number;
    seed: number;
  };
  config: JudgedConfig;
}

/** What a judge run works on: a judge version and a selection of responses. */
export interface JudgeSelection {
  judgeVersionId: string;
  experimentIds?: string[] | null;
  calibrationId?: string | null;
}

/** The key of a response in a run's list of calls that failed. */
export function responseKey(item: { experimentId: string; responseIndex: number }): string {
  return `${item.experimentId}:${item.responseIndex}`;
}

/** SQL: the selection's succeeded responses `e`/`r` that the version has not judged, minus `skip`. */
function unjudged(tx: Tx, selection: JudgeSelection, skip: readonly string[]) {
  return tx`
    from public.experiments e
   cross join lateral jsonb_array_elements(e.responses) r
   where (${selection.experimentIds ?? null}::uuid[] is null or e.id = any(${
    selection.experimentIds ?? null
  }::uuid[]))
     and (${selection.calibrationId ?? null}::uuid is null or e.calibration_id = ${
    selection.calibrationId ?? null
  }::uuid)
     and r.value ->> 'status' = 'succeeded'
     and not (e.id::text || ':' || (r.value ->> 'index')) = any(${[...skip]}::text[])
     and not exists (select 1 from public.judge_verdicts v
                      where v.judge_version_id = ${selection.judgeVersionId}
                        and v.experiment_id = e.id and v.response_index = (r.value ->> 'index')::int)`;
}

/**
 * Up to `limit` of the selection's responses this version has not judged
 * (leaving out `skip`, keys of {@link responseKey}), oldest first.
 *
 * @example
 * const batch = await unjudgedResponses(tx, selection, { skip: [], limit: 8 });
 */
export async function unjudgedResponses(
  tx: Tx,
  selection: JudgeSelection,
  options: { skip: readonly string[]; limit: number },
): Promise<Pending[]> {
  return [
    ...await tx<Pending[]>`
      select e.id as "experimentId", (r.value ->> 'index')::int as "responseIndex", e.prompt,
             r.value ->> 'text' as response
        ${unjudged(tx, selection, options.skip)}
       order by e.created_at, e.id, (r.value ->> 'index')::int
       limit ${options.limit}`,
  ];
}

/**
 * How many of the selection's responses this version has not judged.
 *
 * @example
 * const total = await countUnjudged(tx, selection);
 */
export async function countUnjudged(tx: Tx, selection: JudgeSelection): Promise<number> {
  const [{ total }] = await tx<{ total: number }[]>`
    select count(*)::int as total ${unjudged(tx, selection, [])}`;
  return total;
}

/**
 * The caller's judge version with its config.
 *
 * @throws {HttpError} 404 for a judge version the caller does not own.
 *
 * @example
 * const version = await loadVersion(tx, judgeVersionId);
 */
export async function loadVersion(tx: Tx, id: string): Promise<LoadedVersion> {
  const [row] = await tx<(Omit<LoadedVersion, "config"> & JudgedConfig)[]>`
    select v.config_id as "configId", v.rubric, v.model, v.parameters, c.name,
           c.min_value::float8 as "minValue", c.max_value::float8 as "maxValue",
           c.step::float8 as step, c.description
      from public.judge_versions v join public.score_configs c on c.id = v.config_id
     where v.id = ${id}`;
  if (!row) throw new HttpError(404, "Judge version not found", { code: "judge_not_found" });
  const { name, minValue, maxValue, step, description, ...version } = row;
  return { ...version, config: { name, minValue, maxValue, step, description } };
}

/** A judged response, ready to store (or failed, to try again in a later run). */
export type Judged =
  & Pending
  & (
    | { status: "scored"; value: number; reasoning: string; raw: string }
    | { status: "unparsable"; error: string; raw: string }
    | { status: "failed" }
  );

/**
 * Asks the judge about each response, {@link CONCURRENCY} at a time, outside any transaction.
 *
 * @example
 * const verdicts = await judgeResponses(llm, version, batch);
 */
export function judgeResponses(
  llm: LlmClient,
  version: LoadedVersion,
  pending: readonly Pending[],
): Promise<Judged[]> {
  return mapLimited([...pending], CONCURRENCY, (item) => judgeOne(llm, version, item));
}

async function judgeOne(llm: LlmClient, version: LoadedVersion, item: Pending): Promise<Judged> {
  const { system, prompt } = judgeMessages(version.rubric, version.config, item);
  const { seed, ...parameters } = version.parameters;
  const result = await llm.complete({
    model: version.model,
    prompt,
    system,
    parameters,
    seed,
    responseSchema: { name: "verdict", schema: verdictSchema(version.config) },
  });
  if (result.status !== "succeeded") return { ...item, status: "failed" };
  return { ...item, ...parseVerdict(result.text, version.config), raw: result.text };
}

/**
 * Stores the verdicts that are not failures, once per (version, response),
 * the scored ones also as ratings of source `judge`.
 *
 * @example
 * await storeVerdicts(tx, judgeVersionId, version, verdicts);
 */
export async function storeVerdicts(
  tx: Tx,
  judgeVersionId: string,
  version: LoadedVersion,
  verdicts: readonly Judged[],
): Promise<void> {
  for (const v of verdicts) {
    if (v.status === "failed") continue;
    const scored = v.status === "scored";
    const [inserted] = await tx<{ id: string }[]>`
      insert into public.judge_verdicts (judge_version_id, experiment_id, response_index, status, value,
                                         reasoning, raw_reply, error)
      values (${judgeVersionId}, ${v.experimentId}, ${v.responseIndex}, ${v.status},
              ${scored ? v.value : null}, ${scored ? v.reasoning : null}, ${v.raw.slice(0, 20_000)},
              ${scored ? null : v.error})
      on conflict (judge_version_id, experiment_id, response_index) do nothing
      returning id`;
    if (inserted && scored) {
      await tx`
        insert into public.ratings (experiment_id, response_index, config_id, source, rater_id, judge_version_id,
                                    value, comment)
        values (${v.experimentId}, ${v.responseIndex}, ${version.configId}, 'judge', null, ${judgeVersionId},
                ${v.value}, ${v.reasoning.slice(0, 2000)})`;
    }
  }
}

/**
 * From a validated request to the experiment record, without I/O: the seed,
 * the parameter set of every response, the model calls (run concurrently
 * through an {@link LlmClient}), the scored response records and the
 * experiment's status.
 *
 * @module
 */
import type {
  ExperimentParameters,
  ExperimentStatus,
  GeneratedResponse,
  ParameterDesign,
} from "../_shared/contracts/generate.ts";
import { MAX_SEED } from "../_shared/contracts/generate.ts";
import type { LlmClient, LlmResult } from "../_shared/integrations/llm.ts";
import { toResponse } from "../_shared/lab/responses.ts";
import type { ParameterRanges, ParameterSet } from "../_shared/lab/parameters.ts";
import { timed } from "../_shared/http/server_timing.ts";
import { designParameterSets, seedFrom } from "../_shared/lab/parameter_design.ts";

/** The parameter sets of one experiment and how they were chosen. */
export interface ParameterPlan {
  design: ParameterDesign;
  sets: ParameterSet[];
}

/**
 * The experiment's seed: the requested one, or a fresh random one in
 * 0..2^31-1, so a stored seed can always be sent back to repeat the run.
 *
 * @example
 * experimentSeed(42); // 42
 * experimentSeed(); // e.g. 1203399157
 */
export function experimentSeed(requested?: number): number {
  return requested ?? seedFrom() % (MAX_SEED + 1);
}

/**
 * One parameter set per response: the explicit set for every response when
 * the request names one, else a seeded Latin-hypercube design over the
 * calibration's ranges (see `parameter_design.ts`).
 *
 * @example
 * planParameters(ranges, { count: 4, seed: 7 }); // { design: "latin-hypercube", sets: [4 sets] }
 * planParameters(ranges, { count: 2, seed: 7, explicit: set }); // { design: "explicit", sets: [set, set] }
 */
export function planParameters(
  ranges: ParameterRanges,
  options: { count: number; seed: number; explicit?: ParameterSet },
): ParameterPlan {
  const { count, seed, explicit } = options;
  if (explicit) {
    return { design: "explicit", sets: Array.from({ length: count }, () => ({ ...explicit })) };
  }
  return { design: "latin-hypercube", sets: designParameterSets(ranges, { count, seed }) };
}

/** What every call of one experiment shares. */
export interface CallContext {
  model: string;
  prompt: string;
  /** A template's system prompt, sent before the prompt. */
  system?: string;
  seed: number;
}

/** The outcome of the model calls of one experiment. */
export interface CallOutcome {
  results: PromiseSettledResult<LlmResult>[];
  /** Wall time of all calls together (they run concurrently). */
  latencyMs: number;
}

/**
 * Runs one completion per parameter set, all at once, and waits for every one
 * of them (`Promise.allSettled`), so one failure never loses the others.
 *
 * @example
 * const { results, latencyMs } = await callModel(llm, { model, prompt, seed }, plan.sets);
 */
export async function callModel(
  llm: LlmClient,
  context: CallContext,
  sets: readonly ParameterSet[],
): Promise<CallOutcome> {
  const started = performance.now();
  const results = await timed("model", () =>
    Promise.allSettled(
      sets.map((parameters) => timed("model.call", () => llm.complete({ ...context, parameters }))),
    ));
  return { results, latencyMs: Math.round(performance.now() - started) };
}

/**
 * The stored response records, in request order: succeeded ones scored with
 * `scoreResponse`, failed ones with their error code and message. A rejected
 * promise (which `LlmClient` never produces) becomes an `internal_error`
 * failure rather than losing the response.
 *
 * @example
 * const responses = toResponses(prompt, plan.sets, outcome.results);
 */
export function toResponses(
  prompt: string,
  sets: readonly ParameterSet[],
  results: readonly PromiseSettledResult<LlmResult>[],
): GeneratedResponse[] {
  return sets.map((parameters, index) => {
    const settled = results[index];
    const result: LlmResult = settled?.status === "fulfilled" ? settled.value : {
      status: "failed",
      error: { code: "internal_error", message: "The model call could not be completed" },
      latencyMs: 0,
    };
    return toResponse(prompt, parameters, result, index);
  });
}

/**
 * `completed` when every response succeeded, `failed` when none did, else `partial`.
 *
 * @example
 * experimentStatus([{ status: "succeeded", ... }, { status: "failed", ... }]); // "partial"
 */
export function experimentStatus(responses: readonly GeneratedResponse[]): ExperimentStatus {
  const succeeded = responses.filter((response) => response.status === "succeeded").length;
  if (succeeded === responses.length) return "completed";
  return succeeded === 0 ? "failed" : "partial";
}

/**
 * What `experiments.parameters` stores: model, seed, design, count and sets.
 *
 * @example
 * experimentParameters({ model: "gpt-4o", seed: 7 }, plan);
 */
export function experimentParameters(
  run: { model: string; seed: number },
  plan: ParameterPlan,
): ExperimentParameters {
  return {
    model: run.model,
    seed: run.seed,
    design: plan.design,
    numResponses: plan.sets.length,
    sets: plan.sets,
  };
}

/**
 * Every kind of job the worker works, built from the worker's runtime. A
 * feature adds its kind here: one import, one line.
 *
 * @module
 */
import { batchRunJobs } from "../_shared/batch_runs/job.ts";
import { datasetIngestJobs } from "../_shared/datasets/job.ts";
import { optionalLlmClient } from "../_shared/integrations/llm.ts";
import type { JobHandler } from "../_shared/jobs/handler.ts";
import type { Runtime } from "../_shared/runtime.ts";
import { judgeRunJobHandler } from "../evaluations/judge_job.ts";
import { exportJobDepsOf, exportJobHandler } from "../exports/job/handler.ts";
import type { WorkerEnv } from "./env.ts";

/**
 * The worker's handlers.
 *
 * @example
 * const runner = createJobRunner(runtime.db, jobHandlers(runtime));
 */
export function jobHandlers(runtime: Runtime<WorkerEnv>): JobHandler[] {
  return [
    datasetIngestJobs(runtime.db, runtime.env),
    batchRunJobs(runtime.db, runtime.env),
    judgeRunJobHandler({ db: runtime.db, llm: optionalLlmClient(runtime.env) }),
    exportJobHandler(exportJobDepsOf(runtime.db, runtime.env)),
  ];
}

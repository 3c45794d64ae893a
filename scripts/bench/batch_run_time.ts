/**
 * BENCH item 10: a batch run's total time against the model's. A dataset
 * version of 1 000 items (written in SQL) and a one-variable template
 * version; `POST /runs` with an explicit parameter set, one response per
 * item and concurrency 8, through the local stack in its own process,
 * whose worker the runs function wakes to work the run's job, against the
 * offline model answering after 200 ms in another process. The time runs
 * from the request until the run is completed (read from the database
 * every 20 ms). Floor, same machine: the ideal, items × 200 ms / 8 (every
 * call overlapped, nothing else). Bar: ≤ 1.2 × the ideal.
 *
 * @module
 */
import postgres from "postgres";
import type { DatabaseTarget } from "../lib/database.ts";
import { createBenchUsers, startBenchStack, startModel } from "./fixtures.ts";
import type { BenchPlan } from "./options.ts";
import type { Figure } from "./report.ts";

const CONCURRENCY = 8;
const PARAMETERS = { temperature: 0.7, top_p: 0.9, max_tokens: 32, frequency_penalty: 0 };

/** A template version and a completed dataset version of `items` rows, as `userId`, in SQL. */
async function seedRun(
  admin: postgres.Sql,
  userId: string,
  items: number,
): Promise<{ templateVersionId: string; datasetVersionId: string }> {
  const [template] = await admin<{ id: string }[]>`
    insert into public.prompt_templates (user_id, name) values (${userId}, 'bench') returning id`;
  const [version] = await admin<{ id: string }[]>`
    insert into public.prompt_template_versions (template_id, user_id, version, body)
    values (${template.id}, ${userId}, 1, 'Two sentences about {{topic}}.') returning id`;
  const [dataset] = await admin<{ id: string }[]>`
    insert into public.datasets (user_id, name) values (${userId}, 'bench runs') returning id`;
  const [datasetVersion] = await admin<{ id: string }[]>`
    insert into public.dataset_versions (dataset_id, user_id, version, source_path, status, columns,
                                         checkpoint_line, saved_count)
    values (${dataset.id}, ${userId}, 1, ${userId + "/bench.csv"}, 'completed', '{topic}',
            ${items + 1}, ${items})
    returning id`;
  await admin`
    insert into public.dataset_items (dataset_version_id, user_id, line_number, item_values, content_hash)
    select ${datasetVersion.id}, ${userId}, n + 1, jsonb_build_object('topic', 'topic ' || n),
           md5(jsonb_build_object('topic', 'topic ' || n)::text)
      from generate_series(1, ${items}) as n`;
  return { templateVersionId: version.id, datasetVersionId: datasetVersion.id };
}

/** The run's status, every 20 ms, until it is no longer pending or running. */
async function settled(admin: postgres.Sql, runId: string): Promise<string> {
  for (;;) {
    const [run] = await admin<
      { status: string }[]
    >`select status from public.batch_runs where id = ${runId}`;
    if (run.status !== "pending" && run.status !== "running") return run.status;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs item 10.
 *
 * @example
 * const { figures } = await benchBatchRun(target, plan.batchRun, console.log);
 */
export async function benchBatchRun(
  target: DatabaseTarget,
  plan: BenchPlan["batchRun"],
  log: (line: string) => void,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const [user] = await createBenchUsers(target, { prefix: "runs", count: 1, maxTokens: [32, 64] });
  const admin = postgres(target.adminUrl, { max: 1, onnotice: () => {} });
  const model = await startModel(plan.modelLatencyMs);
  const stack = await startBenchStack(target, model.info.url);
  try {
    const seeded = await seedRun(admin, user.id, plan.items);
    const started = performance.now();
    const response = await fetch(`${stack.info.url}/functions/v1/runs`, {
      method: "POST",
      headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        ...seeded,
        parameters: PARAMETERS,
        responsesPerItem: 1,
        concurrency: CONCURRENCY,
      }),
    });
    const body = await response.json() as { data?: { run: { id: string } } };
    if (response.status !== 202 || !body.data) {
      throw new Error(
        `POST /runs answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`,
      );
    }
    const status = await settled(admin, body.data.run.id);
    const totalMs = performance.now() - started;
    if (status !== "completed") throw new Error(`The bench run ended ${status}, not completed`);
    const [job] = await admin<{ attempts: number }[]>`
      select attempts from public.jobs where id = ${body.data.run.id}`;
    const slices = job.attempts;
    const idealMs = (plan.items * plan.modelLatencyMs) / CONCURRENCY;
    log(
      `  ${plan.items} items at concurrency ${CONCURRENCY}, model ${plan.modelLatencyMs} ms: ${
        (totalMs / 1000).toFixed(2)
      } s in ${slices} claim(s) of its job, ideal ${(idealMs / 1000).toFixed(2)} s`,
    );
    return {
      figures: [{
        item: "10 batch run",
        name: `batch run of ${plan.items} items, c=${CONCURRENCY}, model ${plan.modelLatencyMs} ms`,
        value: totalMs / 1000,
        unit: "s",
        floor: {
          name: `${plan.items} × ${plan.modelLatencyMs} ms / ${CONCURRENCY}`,
          value: idealMs / 1000,
        },
        bar: { kind: "ratio_max", limit: 1.2 },
      }],
      details: { items: plan.items, totalMs, idealMs, slices },
    };
  } finally {
    await stack.stop();
    await model.stop();
    await admin.end();
  }
}

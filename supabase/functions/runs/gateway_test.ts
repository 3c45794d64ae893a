/**
 * Templates, datasets and batch runs as a real client uses them, through
 * the local gateway with `@supabase/supabase-js`: the template and its
 * version written through the Data API under RLS, the CSV uploaded to
 * Storage, ingested by the job the datasets function starts, and a run
 * worked by the job the runs function starts, both woken in the worker
 * function, through the real `openai` SDK against the offline model server.
 */
import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { clientFor, createTestUser, dbTest, withTestStack } from "../tests/harness.ts";

/** Reads `read` every 50 ms until it gives a status other than pending or running (at most 30 s). */
async function settled(read: () => PromiseLike<{ data: { status: string } | null }>) {
  for (let i = 0; i < 600; i++) {
    const { data } = await read();
    if (data && data.status !== "pending" && data.status !== "running") return data;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("Timed out waiting for the job's work to end");
}

Deno.test(
  "a template version over an uploaded CSV runs to completion through the gateway",
  dbTest,
  () =>
    withTestStack(async (stack) => {
      const user = await createTestUser("gateway-runs");
      const supabase = clientFor(stack, user);

      const { data: template, error: templateError } = await supabase.from("prompt_templates")
        .insert({ name: "haiku" }).select("id").single();
      equal(templateError, null);
      const { data: version, error: versionError } = await supabase.from("prompt_template_versions")
        .insert({
          template_id: template!.id,
          body: "A haiku about {{topic}}.",
          commit_message: "first",
        })
        .select("id, version, variables").single();
      equal(versionError, null);
      deepEqual({ version: version!.version, variables: version!.variables }, {
        version: 1,
        variables: ["topic"],
      });
      const { data: dataset } = await supabase.from("datasets").insert({ name: "topics" })
        .select("id").single();

      const path = `${user.id}/topics.csv`;
      const csv = "topic\r\nrain\r\n\r\nfog\r\nrain\r\n";
      const { error: uploadError } = await supabase.storage.from("datasets")
        .upload(path, new Blob([csv], { type: "text/csv" }));
      equal(uploadError, null);

      const ingest = await supabase.functions.invoke("datasets/" + dataset!.id + "/versions", {
        body: { path },
      });
      equal(ingest.error, null);
      equal(ingest.data.data.job.kind, "dataset_ingest");
      const datasetVersion = await settled(() =>
        supabase.from("dataset_versions").select("id, status, saved_count, skipped_by_reason")
          .eq("id", ingest.data.data.version.id).single()
      ) as { id: string; status: string; saved_count: number; skipped_by_reason: unknown };
      equal(datasetVersion.status, "completed");
      equal(datasetVersion.saved_count, 2);
      deepEqual(datasetVersion.skipped_by_reason, { empty: 1, duplicate: 1 });

      const created = await supabase.functions.invoke("runs", {
        body: {
          templateVersionId: version!.id,
          datasetVersionId: datasetVersion.id,
          parameters: { temperature: 0.7, top_p: 0.9, max_tokens: 24, frequency_penalty: 0 },
          responsesPerItem: 3,
        },
      });
      equal(created.error, null);
      const runId = created.data.data.run.id;
      const run = await settled(() =>
        supabase.from("batch_runs").select("status").eq("id", runId).single()
      );
      equal(run.status, "completed");
      const { data: job } = await supabase.from("jobs").select("status, progress_done")
        .eq("id", runId).single();
      deepEqual(job, { status: "succeeded", progress_done: 6 });

      const { data: results } = await supabase.from("batch_results")
        .select("line_number, repeat, status, cost_usd").eq("run_id", runId)
        .order("line_number").order("repeat");
      equal(results?.length, 6, "two items, three repeats each, six rows");
      assert(results!.every((r) => r.status === "succeeded" && Number(r.cost_usd) > 0));
    }),
);

/**
 * Templates, datasets and batch runs as a real client uses them, through
 * the local gateway with `@supabase/supabase-js`: the template and its
 * version written through the Data API under RLS, the CSV uploaded to
 * Storage, ingested by the datasets function, and a run worked by the runs
 * function through the real `openai` SDK against the offline model server.
 */
import { deepEqual, equal, ok as assert } from "node:assert/strict";
import { clientFor, createTestUser, dbTest, withTestStack } from "../tests/harness.ts";

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
      const datasetVersion = ingest.data.data;
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
      const runId = created.data.data.id;
      const worked = await supabase.functions.invoke(`runs/${runId}/work`, { body: {} });
      equal(worked.error, null);
      equal(worked.data.data.status, "completed");

      const { data: results } = await supabase.from("batch_results")
        .select("line_number, repeat, status, cost_usd").eq("run_id", runId)
        .order("line_number").order("repeat");
      equal(results?.length, 6, "two items, three repeats each, six rows");
      assert(results!.every((r) => r.status === "succeeded" && Number(r.cost_usd) > 0));
    }),
);

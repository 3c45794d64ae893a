/**
 * Fixtures of the batch-run tests: a template version, a dataset version
 * ingested from CSV text, a calibration, and a caller for each user.
 *
 * @module
 */
import type { Database } from "../db/client.ts";
import { ingestDatasetVersion } from "../datasets/ingest.ts";
import { createDatasetVersion, type DatasetVersion } from "../datasets/store.ts";
import { type TestUser, withAdmin } from "../../tests/harness.ts";

/** The claims and a fresh correlation id of `user`. */
export function callerOf(user: TestUser) {
  return { claims: { sub: user.id, role: "authenticated" }, correlationId: crypto.randomUUID() };
}

/** A template of `user` with one version of `body` (and `system`); resolves with the version id. */
export async function createTemplateVersion(
  user: TestUser,
  body: string,
  system: string | null = null,
): Promise<string> {
  return await withAdmin(async (sql) => {
    const [template] = await sql<{ id: string }[]>`
      insert into public.prompt_templates (user_id, name)
      values (${user.id}, ${"t-" + crypto.randomUUID().slice(0, 8)}) returning id`;
    const [version] = await sql<{ id: string }[]>`
      insert into public.prompt_template_versions (template_id, user_id, body, system_prompt)
      values (${template.id}, ${user.id}, ${body}, ${system}) returning id`;
    return version.id;
  });
}

/** A completed dataset version of `user` ingested from `csv`. */
export async function createDatasetFromCsv(
  db: Database,
  user: TestUser,
  csv: string,
): Promise<DatasetVersion> {
  const [dataset] = await withAdmin((sql) =>
    sql<{ id: string }[]>`insert into public.datasets (user_id, name)
                          values (${user.id}, ${
      "d-" + crypto.randomUUID().slice(0, 8)
    }) returning id`
  );
  const caller = callerOf(user);
  const version = await createDatasetVersion(db, caller, {
    datasetId: dataset.id,
    sourcePath: `${user.id}/items.csv`,
  });
  const bytes = new TextEncoder().encode(csv);
  return await ingestDatasetVersion(
    { db, open: () => Promise.resolve(new Blob([bytes]).stream()) },
    caller,
    version.id,
  );
}

/** A quick calibration of `user` with wide ranges; resolves with its id. */
export async function createCalibration(user: TestUser): Promise<string> {
  return await withAdmin(async (sql) => {
    const [row] = await sql<{ id: string }[]>`
      insert into public.calibrations (
        user_id, mode, questionnaire_version, answers,
        temperature_min, temperature_max, top_p_min, top_p_max,
        max_tokens_min, max_tokens_max, frequency_penalty_min, frequency_penalty_max)
      values (${user.id}, 'quick', 'test', '{}'::jsonb, 0.2, 1.2, 0.5, 0.95, 16, 64, 0, 0.5)
      returning id`;
    return row.id;
  });
}

/**
 * Finding a prompt template version as the caller, in one round trip
 * (`private.resolve_prompt_template`, migration
 * `20261202007000_prompt_templates.sql`): by template id or name, then a
 * version number, a label, or the newest version.
 *
 * @module
 */
import type { DbCaller } from "../caller.ts";
import type { TemplateRef } from "../contracts/generate.ts";
import type { TemplateVersion } from "../lab/templates.ts";
import type { Database } from "./client.ts";

/**
 * The caller's template version named by `ref`.
 *
 * @throws {HttpError} 404 `template_not_found` when the template, version or
 *   label is missing or someone else's.
 *
 * @example
 * const version = await resolveTemplate(db, caller, { name: "summarise", label: "production" });
 */
export function resolveTemplate(
  db: Database,
  caller: DbCaller,
  ref: TemplateRef,
): Promise<TemplateVersion> {
  return db.callAsUser<TemplateVersion>(caller, "resolve_prompt_template", {
    template_id: ref.id,
    name: ref.name,
    version: ref.version,
    label: ref.label,
  });
}

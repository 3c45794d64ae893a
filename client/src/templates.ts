/**
 * Prompt templates through the Data API under RLS: templates, their
 * immutable versions (numbered and given their variables by the database)
 * and movable labels. Generate and runs take a version (or a label) by id or
 * name; this module only writes and reads them.
 *
 * @module
 */
import type { ParameterSet } from "../../supabase/functions/_shared/lab/parameters.ts";
import { type LabSupabaseClient, notFound } from "./reads.ts";
import { failure, type LabResult, success } from "./result.ts";
import { fromPostgrest } from "./rows.ts";
import type { PromptTemplateLabelRow, PromptTemplateRow, PromptTemplateVersionRow } from "./types.ts";

/** A new version of a template. */
export interface NewTemplateVersion {
  /** The prompt, with `{{variable}}` placeholders. */
  body: string;
  /** Sent as the system message; may hold variables too. */
  systemPrompt?: string;
  /** Used when a request gives no parameters and no calibration. */
  defaultParameters?: ParameterSet;
  /** Why this version was made. */
  commitMessage?: string;
}

/** A new template, optionally with its first version. */
export interface NewTemplate {
  name: string;
  description?: string;
  /** When given, version 1 is created with it. */
  version?: NewTemplateVersion;
}

function versionRow(templateId: string, version: NewTemplateVersion) {
  return {
    template_id: templateId,
    // The database numbers every version (one more than the newest); this placeholder is replaced.
    version: 0,
    body: version.body,
    system_prompt: version.systemPrompt ?? null,
    default_parameters: version.defaultParameters ?? null,
    commit_message: version.commitMessage ?? null,
  };
}

/**
 * The caller's prompt templates.
 *
 * @example
 * ```ts
 * const templates = templateCalls(supabase);
 * const { data } = await templates.create({ name: "haiku", version: { body: "A haiku about {{topic}}." } });
 * ```
 */
export function templateCalls(supabase: LabSupabaseClient) {
  return {
    /**
     * Creates a template (names are unique per user) and, with `version`, its version 1.
     *
     * @example
     * ```ts
     * const { data } = await lab.templates.create({ name: "haiku", version: { body: "About {{topic}}.", commitMessage: "first" } });
     * data?.version?.variables; // ["topic"]
     * ```
     */
    async create(
      template: NewTemplate,
    ): Promise<LabResult<{ template: PromptTemplateRow; version: PromptTemplateVersionRow | null }>> {
      const { data, error, status } = await supabase.from("prompt_templates")
        .insert({ name: template.name, description: template.description ?? null })
        .select("*").single();
      if (error) return failure(fromPostgrest(error, status));
      if (!template.version) return success({ template: data, version: null });
      const created = await this.createVersion(data.id, template.version);
      return created.error ? created : success({ template: data, version: created.data });
    },

    /**
     * Adds the next version (the database numbers it and derives its variables).
     *
     * @example
     * ```ts
     * const { data: v2 } = await lab.templates.createVersion(templateId, { body: "About {{topic}}, briefly.", commitMessage: "shorter" });
     * v2?.version; // 2
     * ```
     */
    async createVersion(
      templateId: string,
      version: NewTemplateVersion,
    ): Promise<LabResult<PromptTemplateVersionRow>> {
      const { data, error, status } = await supabase.from("prompt_template_versions")
        .insert(versionRow(templateId, version)).select("*").single();
      if (error) return failure(fromPostgrest(error, status));
      return success(data as PromptTemplateVersionRow);
    },

    /**
     * The caller's templates by name.
     *
     * @example
     * ```ts
     * const { data } = await lab.templates.list();
     * ```
     */
    async list(): Promise<LabResult<PromptTemplateRow[]>> {
      const { data, error, status } = await supabase.from("prompt_templates").select("*")
        .order("name");
      return error ? failure(fromPostgrest(error, status)) : success(data);
    },

    /**
     * A template's versions, newest first.
     *
     * @example
     * ```ts
     * const { data } = await lab.templates.versions(templateId);
     * data?.map((v) => `${v.version}: ${v.commit_message}`);
     * ```
     */
    async versions(templateId: string): Promise<LabResult<PromptTemplateVersionRow[]>> {
      const { data, error, status } = await supabase.from("prompt_template_versions").select("*")
        .eq("template_id", templateId).order("version", { ascending: false });
      return error
        ? failure(fromPostgrest(error, status))
        : success(data as PromptTemplateVersionRow[]);
    },

    /**
     * A template's labels and the versions they point at.
     *
     * @example
     * ```ts
     * const { data } = await lab.templates.labels(templateId); // [{ label: "production", version: 1, … }]
     * ```
     */
    async labels(templateId: string): Promise<LabResult<PromptTemplateLabelRow[]>> {
      const { data, error, status } = await supabase.from("prompt_template_labels").select("*")
        .eq("template_id", templateId).order("label");
      return error ? failure(fromPostgrest(error, status)) : success(data);
    },

    /**
     * Puts a new label (`production`, `staging`, your own) on a version.
     *
     * @example
     * ```ts
     * await lab.templates.setLabel(templateId, "production", 1);
     * ```
     */
    async setLabel(
      templateId: string,
      label: string,
      version: number,
    ): Promise<LabResult<PromptTemplateLabelRow>> {
      const { data, error, status } = await supabase.from("prompt_template_labels")
        .insert({ template_id: templateId, label, version }).select("*").single();
      return error ? failure(fromPostgrest(error, status)) : success(data);
    },

    /**
     * Moves an existing label to another version; `LabNotFoundError` when the label is not set.
     *
     * @example
     * ```ts
     * await lab.templates.moveLabel(templateId, "production", 2);
     * ```
     */
    async moveLabel(
      templateId: string,
      label: string,
      version: number,
    ): Promise<LabResult<PromptTemplateLabelRow>> {
      const { data, error, status } = await supabase.from("prompt_template_labels")
        .update({ version }).eq("template_id", templateId).eq("label", label)
        .select("*").maybeSingle();
      if (error) return failure(fromPostgrest(error, status));
      if (!data) return failure(notFound(`Label ${label} of template`, templateId));
      return success(data);
    },

    /**
     * Removes a label (the version stays).
     *
     * @example
     * ```ts
     * await lab.templates.removeLabel(templateId, "staging");
     * ```
     */
    async removeLabel(templateId: string, label: string): Promise<LabResult<null>> {
      const { error, status } = await supabase.from("prompt_template_labels").delete()
        .eq("template_id", templateId).eq("label", label);
      return error ? failure(fromPostgrest(error, status)) : success(null);
    },
  };
}

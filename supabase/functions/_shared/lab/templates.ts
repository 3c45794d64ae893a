/**
 * Prompt templates: `{{variable}}` placeholders filled from a request's (or
 * a dataset row's) values. The database derives a version's variable list
 * with the same pattern (`private.template_variables`), so what a version
 * declares is exactly what rendering needs.
 *
 * @module
 */
import { MAX_PROMPT_CHARS } from "../contracts/generate.ts";
import { HttpError } from "../errors.ts";
import type { ParameterSet } from "./parameters.ts";

/** A `{{ name }}` placeholder: an identifier, spaces allowed inside the braces. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** A template version as `private.resolve_prompt_template` returns it. */
export interface TemplateVersion {
  id: string;
  templateId: string;
  name: string;
  version: number;
  body: string;
  systemPrompt: string | null;
  variables: string[];
  defaultParameters: ParameterSet | null;
}

/** What a rendered version sends to the model. */
export interface RenderedPrompt {
  prompt: string;
  /** The system message, or null when the version has none. */
  system: string | null;
  /** Every value as text, as stored on the experiment. */
  variables: Record<string, string>;
}

/** Values as a request may send them; numbers and booleans become text. */
export type VariableValues = Readonly<Record<string, string | number | boolean>>;

/**
 * The distinct placeholder names of the texts, in order of first appearance.
 *
 * @example
 * templateVariables("Hi {{name}}, {{ name }} and {{topic}}"); // ["name", "topic"]
 */
export function templateVariables(...texts: (string | null | undefined)[]): string[] {
  const names = new Set<string>();
  for (const text of texts) {
    for (const match of (text ?? "").matchAll(PLACEHOLDER)) names.add(match[1]);
  }
  return [...names];
}

/**
 * The variables a version needs that `values` lacks, in the version's order.
 *
 * @example
 * missingVariables(["text", "tone"], { text: "…" }); // ["tone"]
 */
export function missingVariables(needed: readonly string[], values: VariableValues): string[] {
  return needed.filter((name) => !Object.hasOwn(values, name));
}

function fill(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_whole, name: string) => values[name]);
}

/**
 * Renders a version with `values`.
 *
 * @throws {HttpError} 400 `missing_variables` naming every missing variable
 *   (details `{ missing }`), 400 `invalid_rendered_prompt` when the rendered
 *   prompt is empty or longer than {@link MAX_PROMPT_CHARS}.
 *
 * @example
 * renderTemplate(version, { text: "Tides rise twice a day." });
 * // { prompt: "Summarise Tides rise …", system: null, variables: { text: "Tides …" } }
 */
export function renderTemplate(version: TemplateVersion, values: VariableValues): RenderedPrompt {
  const needed = templateVariables(version.body, version.systemPrompt);
  const missing = missingVariables(needed, values);
  if (missing.length > 0) {
    throw new HttpError(
      400,
      `Cannot render template ${version.name} version ${version.version}: missing variables ${
        missing.join(", ")
      }`,
      { code: "missing_variables", details: { missing } },
    );
  }
  const text = Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, String(value)]),
  );
  const prompt = fill(version.body, text).trim();
  if (prompt.length === 0 || prompt.length > MAX_PROMPT_CHARS) {
    throw new HttpError(
      400,
      `Cannot render template ${version.name} version ${version.version}: the prompt must be 1-${MAX_PROMPT_CHARS} characters, got ${prompt.length}`,
      { code: "invalid_rendered_prompt" },
    );
  }
  const system = version.systemPrompt === null ? null : fill(version.systemPrompt, text);
  return { prompt, system, variables: text };
}

import { deepEqual, equal, throws } from "node:assert/strict";
import { MAX_PROMPT_CHARS } from "../contracts/generate.ts";
import { HttpError } from "../errors.ts";
import {
  missingVariables,
  renderTemplate,
  templateVariables,
  type TemplateVersion,
} from "./templates.ts";

const version: TemplateVersion = {
  id: "0190f000-0000-7000-8000-000000000001",
  templateId: "0190f000-0000-7000-8000-000000000002",
  name: "summarise",
  version: 3,
  body: "Summarise {{ text }} for {{audience}}; keep {{text}} short.",
  systemPrompt: "You write for {{audience}} in a {{tone}} tone.",
  variables: ["text", "audience", "tone"],
  defaultParameters: null,
};

Deno.test("templateVariables lists distinct names in order, spaces allowed in the braces", () => {
  deepEqual(templateVariables(version.body, version.systemPrompt), ["text", "audience", "tone"]);
  deepEqual(templateVariables("{{ 1bad }} {{a-b}} {x} {{ok_1}}"), ["ok_1"]);
  deepEqual(templateVariables(null, undefined, ""), []);
});

Deno.test("missingVariables names what the values lack, in the version's order", () => {
  deepEqual(missingVariables(version.variables, { audience: "kids" }), ["text", "tone"]);
  deepEqual(missingVariables(version.variables, { text: "", audience: "", tone: "" }), []);
});

Deno.test("renderTemplate fills body and system prompt and keeps the values as text", () => {
  const rendered = renderTemplate(version, { text: "tides", audience: "kids", tone: "warm" });
  equal(rendered.prompt, "Summarise tides for kids; keep tides short.");
  equal(rendered.system, "You write for kids in a warm tone.");
  deepEqual(rendered.variables, { text: "tides", audience: "kids", tone: "warm" });
  const numbers = renderTemplate({ ...version, body: "{{n}} and {{b}}", systemPrompt: null }, {
    n: 4,
    b: false,
  });
  deepEqual(numbers, { prompt: "4 and false", system: null, variables: { n: "4", b: "false" } });
});

Deno.test("renderTemplate never interprets replacement patterns in values", () => {
  const rendered = renderTemplate({ ...version, systemPrompt: null, body: "A {{text}} B" }, {
    text: "$& $1 $$",
  });
  equal(rendered.prompt, "A $& $1 $$ B");
});

Deno.test("renderTemplate refuses missing variables with 400 naming every one", () => {
  throws(() => renderTemplate(version, { audience: "kids" }), (error: unknown) => {
    equal(error instanceof HttpError, true);
    const http = error as HttpError;
    equal(http.status, 400);
    equal(http.code, "missing_variables");
    equal(
      http.message,
      "Cannot render template summarise version 3: missing variables text, tone",
    );
    deepEqual(http.details, { missing: ["text", "tone"] });
    return true;
  });
});

Deno.test("renderTemplate refuses a rendered prompt that is empty or too long", () => {
  const bare = { ...version, body: "{{text}}", systemPrompt: null };
  for (const text of ["  ", "a".repeat(MAX_PROMPT_CHARS + 1)]) {
    throws(
      () => renderTemplate(bare, { text }),
      (error: unknown) => (error as HttpError).code === "invalid_rendered_prompt",
    );
  }
});

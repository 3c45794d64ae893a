/**
 * Which model a run calls: the environment's (`LAB_MODEL` on `OPENAI_*`),
 * or one the caller names from the admins' list (`public.models` of an
 * enabled `public.model_providers` row). A listed model is called on its
 * provider's base URL with the key in the secret the provider names (an
 * Edge Function secret, read from the environment); the key never passes
 * through a table, a log or an answer.
 *
 * @module
 */
import type { DbCaller } from "../_shared/caller.ts";
import type { Database } from "../_shared/db/client.ts";
import { HttpError } from "../_shared/errors.ts";
import type { LlmClient } from "../_shared/integrations/llm.ts";

/** The model of one run and the client that calls it. */
export interface ModelChoice {
  model: string;
  llm: LlmClient;
}

/** What the caller asked for: a listed model, by name and, when several providers list it, provider. */
export interface ModelRequest {
  model: string;
  provider?: string;
}

/** How to reach a provider. */
export interface ModelCatalogOptions {
  /** The value of a secret (an environment variable), or undefined when it is not set. */
  secret(name: string): string | undefined;
  /** A client for a provider's endpoint. */
  clientFor(endpoint: { baseURL: string; apiKey: string }): LlmClient;
}

/** Chooses a run's model. */
export interface ModelCatalog {
  /**
   * The listed model the caller asked for.
   *
   * @throws {HttpError} 400 `model_not_found` (not listed, or disabled),
   *   400 `model_ambiguous` (listed by several providers: name one),
   *   503 `model_unavailable` (its provider's key is not set).
   */
  choose(caller: DbCaller, request: ModelRequest): Promise<ModelChoice>;
}

/** 400 `model_not_found`: the name is not an enabled model of an enabled provider. */
export function unknownModel(name: string): HttpError {
  return new HttpError(400, `Unknown model: "${name}" is not in the lab's model list`, {
    code: "model_not_found",
  });
}

interface ListedModel {
  name: string;
  provider: string;
  base_url: string;
  api_key_secret: string;
}

/**
 * The admins' model list, read as the caller (signed-in users may read it),
 * with one client per provider endpoint, kept for the function's life.
 *
 * @example
 * const catalog = modelCatalog(db, { secret: (name) => Deno.env.get(name), clientFor: (e) => createLlmClient({ ...e, timeoutMs, maxRetries }) });
 * const { model, llm } = await catalog.choose(caller, { model: "gpt-4o-mini" });
 */
export function modelCatalog(db: Database, options: ModelCatalogOptions): ModelCatalog {
  const clients = new Map<string, LlmClient>();
  return {
    async choose(caller, request) {
      const rows = await db.withUser(caller, (tx) =>
        tx<ListedModel[]>`
          select m.name, p.name as provider, p.base_url, p.api_key_secret
            from public.models as m
            join public.model_providers as p on p.id = m.provider_id
           where m.name = ${request.model} and m.enabled and p.enabled
             and (${request.provider ?? null}::text is null or p.name = ${request.provider ?? null})
           order by p.name
           limit 2`);
      if (rows.length === 0) throw unknownModel(request.model);
      if (rows.length > 1) {
        throw new HttpError(
          400,
          `Ambiguous model: "${request.model}" is listed by several providers; name one as provider`,
          { code: "model_ambiguous", details: { providers: rows.map((row) => row.provider) } },
        );
      }
      const [listed] = rows;
      const apiKey = options.secret(listed.api_key_secret);
      if (!apiKey) {
        console.error(
          `Model provider ${listed.provider}: secret ${listed.api_key_secret} is not set`,
        );
        throw new HttpError(503, `Model unavailable: its provider is not configured yet`, {
          code: "model_unavailable",
        });
      }
      const key = `${listed.base_url}\n${listed.api_key_secret}`;
      let llm = clients.get(key);
      if (!llm) {
        llm = options.clientFor({ baseURL: listed.base_url, apiKey });
        clients.set(key, llm);
      }
      return { model: listed.name, llm };
    },
  };
}

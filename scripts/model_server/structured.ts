/**
 * LOCAL STACK: structured outputs (`response_format: { type: "json_schema" }`)
 * for the offline model, so an LLM judge runs with no API key. The reply is a
 * JSON object that satisfies the schema's object, number, integer, string,
 * boolean and enum properties, drawn deterministically from the seed and the
 * conversation, so the same request always gets the same verdict.
 *
 * @module
 */
import { createRandom, type Random } from "./prng.ts";

/** The subset of JSON Schema the offline model fills in. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
}

/** `response_format` as the Chat Completions API takes it. */
export interface ResponseFormat {
  type?: string;
  json_schema?: { name?: string; schema?: JsonSchema };
}

/**
 * The schema a request asks its reply to follow, or undefined for a plain
 * text reply.
 *
 * @example
 * requestedSchema({ type: "json_schema", json_schema: { name: "v", schema: { type: "object" } } });
 */
export function requestedSchema(format: unknown): JsonSchema | undefined {
  const f = format as ResponseFormat | null | undefined;
  if (f?.type !== "json_schema" || typeof f.json_schema?.schema !== "object") return undefined;
  return f.json_schema.schema;
}

/**
 * A reply that satisfies `schema`, the same for the same `key` (the seed and
 * the conversation) every time; `text` fills string properties.
 *
 * @example
 * structuredReply({ type: "object", properties: { score: { type: "integer", minimum: 1, maximum: 7 } } }, "7|hi", () => "ok");
 */
export function structuredReply(schema: JsonSchema, key: string, text: () => string): string {
  return JSON.stringify(fill(schema, createRandom(key), text));
}

function fill(schema: JsonSchema, random: Random, text: () => string): unknown {
  if (schema.enum && schema.enum.length > 0) {
    return schema.enum[Math.floor(random() * schema.enum.length)];
  }
  switch (schema.type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        out[name] = fill(property, random, text);
      }
      return out;
    }
    case "integer":
    case "number":
      return numberIn(schema, random);
    case "boolean":
      return random() < 0.5;
    case "string":
      return text();
    default:
      return null;
  }
}

function numberIn(schema: JsonSchema, random: Random): number {
  const lo = schema.minimum ?? 0;
  const hi = schema.maximum ?? lo + 1;
  const step = schema.multipleOf ?? (schema.type === "integer" ? 1 : undefined);
  if (step === undefined) return Math.round((lo + random() * (hi - lo)) * 1000) / 1000;
  const steps = Math.floor((hi - lo) / step);
  return lo + Math.floor(random() * (steps + 1)) * step;
}

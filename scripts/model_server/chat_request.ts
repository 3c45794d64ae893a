/**
 * Validation of `POST /v1/chat/completions` bodies with OpenAI's parameter ranges,
 * turning the first problem into an OpenAI `invalid_request_error`.
 *
 * @module
 */
import { z } from "zod";
import type { OpenAiErrorDetail } from "./responses.ts";

function range(name: string, min: number, max: number) {
  return z.number({ error: `Invalid type for '${name}': expected a number` })
    .min(min, { error: `Invalid '${name}': expected a value from ${min} to ${max}` })
    .max(max, { error: `Invalid '${name}': expected a value from ${min} to ${max}` })
    .nullish();
}

function required(name: string, expected: string) {
  return {
    error: (issue: { input?: unknown }) =>
      issue.input === undefined
        ? `Missing required parameter: '${name}'`
        : `Invalid type for '${name}': expected ${expected}`,
  };
}

function atLeastOne(name: string) {
  return z.int({ error: `Invalid type for '${name}': expected an integer` })
    .min(1, { error: `Invalid '${name}': expected an integer of at least 1` })
    .nullish();
}

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

const message = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool"], {
    error: "Invalid message role: expected system, developer, user, assistant or tool",
  }),
  content: z.union([z.string(), z.array(contentPart), z.null()], {
    error: "Invalid message content: expected a string or an array of content parts",
  }).optional(),
});

/** The chat completion parameters the offline model honours (others are ignored). */
export const chatRequestSchema = z.looseObject({
  model: z.string(required("model", "a string")).min(1, { error: "Invalid 'model': empty" }),
  messages: z.array(message, required("messages", "an array"))
    .min(1, { error: "Invalid 'messages': expected an array with at least one message" }),
  temperature: range("temperature", 0, 2),
  top_p: range("top_p", 0, 1),
  frequency_penalty: range("frequency_penalty", -2, 2),
  presence_penalty: range("presence_penalty", -2, 2),
  max_tokens: atLeastOne("max_tokens"),
  max_completion_tokens: atLeastOne("max_completion_tokens"),
  seed: z.int({ error: "Invalid type for 'seed': expected an integer" }).nullish(),
  n: z.literal(1, { error: "Invalid 'n': the offline model server only supports n = 1" }).nullish(),
  stream: z.literal(false, {
    error:
      "Invalid 'stream': streaming is not supported by the offline model server, set stream to false",
  }).nullish(),
});

/** A validated chat completion request. */
export type ChatRequest = z.infer<typeof chatRequestSchema>;

/** A chat message as accepted by {@link chatRequestSchema}. */
export type ChatMessage = ChatRequest["messages"][number];

/** The outcome of {@link parseChatRequest}: the request or the error to answer with. */
export type ParsedChatRequest =
  | { ok: true; request: ChatRequest }
  | { ok: false; error: Pick<OpenAiErrorDetail, "message" | "param" | "code"> };

/**
 * Validates a parsed JSON body.
 *
 * @example
 * ```ts
 * parseChatRequest({ model: "gpt-4o", messages: [], temperature: 3 });
 * // { ok: false, error: { message: "Invalid 'messages': …", param: "messages", code: "invalid_value" } }
 * ```
 */
export function parseChatRequest(body: unknown): ParsedChatRequest {
  const result = chatRequestSchema.safeParse(body);
  if (result.success) return { ok: true, request: result.data };
  const issue = result.error.issues[0];
  const param = issue.path.map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`))
    .join("").slice(1);
  const missing = issue.code === "invalid_type" && issue.message.startsWith("Missing");
  return {
    ok: false,
    error: {
      message: issue.message,
      param: param || null,
      code: missing ? "missing_required_parameter" : "invalid_value",
    },
  };
}

/** The text of a message: its string content or its text parts joined by new lines. */
export function messageText(message: ChatMessage): string {
  if (typeof message.content === "string") return message.content;
  return (message.content ?? []).flatMap((part) => (part.text === undefined ? [] : [part.text]))
    .join("\n");
}

import assert from "node:assert/strict";
import { messageText, parseChatRequest } from "./chat_request.ts";

const valid = { model: "gpt-4o", messages: [{ role: "user", content: "Hello" }] };

function errorOf(body: unknown) {
  const parsed = parseChatRequest(body);
  assert.equal(parsed.ok, false);
  return parsed.ok ? undefined : parsed.error;
}

Deno.test("a minimal request and one with every supported parameter are accepted", () => {
  assert.equal(parseChatRequest(valid).ok, true);
  const full = {
    ...valid,
    temperature: 2,
    top_p: 0,
    frequency_penalty: -2,
    presence_penalty: 2,
    max_tokens: 1,
    seed: -5,
    n: 1,
    stream: false,
    user: "ignored",
  };
  assert.equal(parseChatRequest(full).ok, true);
  assert.equal(parseChatRequest({ ...valid, temperature: null }).ok, true);
});

Deno.test("out-of-range sampling parameters name the parameter", () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ temperature: 2.5 }, "temperature"],
    [{ temperature: -0.1 }, "temperature"],
    [{ top_p: 1.1 }, "top_p"],
    [{ frequency_penalty: -3 }, "frequency_penalty"],
    [{ presence_penalty: 2.1 }, "presence_penalty"],
    [{ max_tokens: 0 }, "max_tokens"],
    [{ max_tokens: 1.5 }, "max_tokens"],
    [{ seed: "7" }, "seed"],
    [{ n: 2 }, "n"],
  ];
  for (const [change, param] of cases) {
    const error = errorOf({ ...valid, ...change });
    assert.equal(error?.param, param);
    assert.equal(error?.code, "invalid_value");
    assert.match(error?.message ?? "", new RegExp(`'${param}'`));
  }
});

Deno.test("missing or empty messages and streaming are rejected with a clear message", () => {
  assert.deepEqual(errorOf({ model: "gpt-4o" }), {
    message: "Missing required parameter: 'messages'",
    param: "messages",
    code: "missing_required_parameter",
  });
  assert.equal(errorOf({ ...valid, messages: [] })?.param, "messages");
  assert.deepEqual(errorOf({ ...valid, messages: "Hello" }), {
    message: "Invalid type for 'messages': expected an array",
    param: "messages",
    code: "invalid_value",
  });
  assert.equal(errorOf({ messages: valid.messages })?.code, "missing_required_parameter");
  assert.equal(
    errorOf({ ...valid, messages: [{ role: "robot", content: "x" }] })?.param,
    "messages[0].role",
  );
  assert.match(errorOf({ ...valid, stream: true })?.message ?? "", /streaming is not supported/);
  assert.equal(errorOf("not an object")?.param, null);
});

Deno.test("messageText reads string content and text parts", () => {
  assert.equal(messageText({ role: "user", content: "Hi" }), "Hi");
  assert.equal(
    messageText({
      role: "user",
      content: [{ type: "text", text: "a" }, { type: "image_url" }, { type: "text", text: "b" }],
    }),
    "a\nb",
  );
  assert.equal(messageText({ role: "assistant", content: null }), "");
});

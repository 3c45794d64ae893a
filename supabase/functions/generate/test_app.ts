/**
 * The generate app in-process (`app.request`) against the test database and
 * the offline model server through the real `openai` SDK, for the tests.
 *
 * @module
 */
import { flushBackground } from "../_shared/background.ts";
import { readEnv } from "../_shared/env.ts";
import type { GenerateResult, UpstreamFailureDetails } from "../_shared/contracts/generate.ts";
import type { ValidationIssue } from "../_shared/http/validation.ts";
import type { LlmClient } from "../_shared/integrations/llm.ts";
import { createRuntime } from "../_shared/runtime.ts";
import { jsonRequest, testEnv, type TestUser } from "../tests/harness.ts";
import { type RunningModelServer, startModelServer } from "../../../scripts/model_server/main.ts";
import { createGenerateApp, generateEnvSchema } from "./app.ts";

/** A distinctive fake key: it must never appear in a row or a response. */
export const FAKE_KEY = "sk-test-SECRET123";

/** The envelope; `error.details` is validation issues, the 502's stored attempt, or others by code. */
export interface Envelope {
  success: boolean;
  data: GenerateResult;
  error: {
    code: string;
    message: string;
    details: UpstreamFailureDetails & ValidationIssue[] & { missing?: string[] };
  };
}
/** One answer of the app. */
export type Answer = { status: number; body: Envelope; headers: Headers };
/** `POST /generate` as a user. */
export type Post = (
  user: TestUser,
  body: unknown,
  headers?: Record<string, string>,
) => Promise<Answer>;

/** What {@link withGenerate} hands the test. */
export interface Harness {
  post: Post;
  model: RunningModelServer;
  runtime: ReturnType<typeof createRuntime>;
}

/**
 * Runs `fn` with the generate app on a fresh offline model server, closing both afterwards.
 *
 * @example
 * await withGenerate({}, async ({ post }) => { await post(user, { prompt: "Hi", calibration_id }); });
 */
export async function withGenerate(
  options: {
    env?: Record<string, string>;
    llm?: LlmClient;
    secret?: (name: string) => string | undefined;
  },
  fn: (harness: Harness) => Promise<void>,
) {
  const model = await startModelServer({ port: 0 });
  const env = readEnv(
    generateEnvSchema,
    testEnv({ OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: model.url, ...options.env }),
  );
  const runtime = createRuntime(env);
  const app = createGenerateApp(runtime, { llm: options.llm, secret: options.secret });
  const post: Post = async (user, body, headers = {}) => {
    const response = await app.request("/generate", jsonRequest(user, body, { headers }));
    return { status: response.status, body: await response.json(), headers: response.headers };
  };
  try {
    await fn({ post, model, runtime });
  } finally {
    model.control.reset();
    await flushBackground();
    await runtime.db.end();
    await model.shutdown();
  }
}

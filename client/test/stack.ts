/**
 * What the tests get from the running stack, and small helpers over it.
 */
import type { SupabaseClientOptions } from "@supabase/supabase-js";
import { inject } from "vitest";
import WebSocket from "ws";
import { createLabClient, type LabClient } from "../src/index.ts";

/** supabase-js's WebSocket constructor type; `ws` differs only in its (wider) parameter types. */
type Transport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;

/** Addresses printed by scripts/test_stack.ts. */
export interface StackInfo {
  /** SUPABASE_URL of the gateway. */
  url: string;
  anonKey: string;
  /** The admin endpoint (users, model control). */
  adminUrl: string;
  /** The offline model server's OpenAI base URL. */
  modelUrl: string | null;
}

/** A signed-in test user. */
export interface TestUser {
  id: string;
  email: string;
  token: string;
}

/** The running stack, or null when no test database was given. */
export const stack: StackInfo | null = inject("stack");

/** True when there is no stack (the integration tests are skipped). */
export const noStack = stack === null;

function requireStack(): StackInfo {
  if (!stack) throw new Error("Cannot reach the test stack: LAB_TEST_DATABASE_URL is not set");
  return stack;
}

async function adminPost(path: string, body: unknown, on?: StackInfo): Promise<Response> {
  const response = await fetch(`${(on ?? requireStack()).adminUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`Admin ${path} failed: ${response.status} ${await response.text()}`);
  }
  return response;
}

/**
 * A fresh local user with an access token; `admin: true` grants the admin
 * role first; `on` names a stack a test started itself (default: the suite's).
 */
export async function createUser(
  name = "client",
  options: { admin?: boolean; on?: StackInfo } = {},
): Promise<TestUser> {
  const email = `${name}-${crypto.randomUUID().slice(0, 8)}@test.local`;
  const body = { email, admin: options.admin === true };
  return await (await adminPost("/users", body, options.on)).json() as TestUser;
}

/** A lab client for `user` (anonymous with the anon key when omitted), on the suite's stack or `on`. */
export function labFor(user: TestUser | null, fetchImpl?: typeof fetch, on?: StackInfo): LabClient {
  const { url, anonKey } = on ?? requireStack();
  return createLabClient({
    url,
    anonKey,
    accessToken: user?.token ?? (() => null),
    // Node.js 20 has no global WebSocket; supabase-js needs one to build its Realtime client.
    ...(globalThis.WebSocket ? {} : { realtime: { transport: WebSocket as unknown as Transport } }),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

/** A queued job of `user` of a kind no worker handles (it stays queued until cancelled). */
export async function createQueuedJob(user: TestUser, kind: string, total?: number): Promise<string> {
  const response = await adminPost("/jobs", { userId: user.id, kind, total });
  return (await response.json() as { id: string }).id;
}

/** Makes the offline model server fail or slow (see scripts/model_server/control.ts). */
export async function setModel(update: Record<string, unknown>, on?: StackInfo): Promise<void> {
  await adminPost("/model/control", update, on);
}

/** Puts the offline model server back to normal (also frees hanging requests). */
export async function resetModel(): Promise<void> {
  await adminPost("/model/reset", {});
}

/** The first option of every question: a valid set of answers for `mode`. */
export async function calibrate(lab: LabClient, mode: "quick" | "deep" = "quick") {
  const quiz = await lab.calibration.questionnaire(mode);
  if (quiz.error) throw quiz.error;
  const answers = Object.fromEntries(quiz.data.questions.map((q) => [q.id, q.options[0].id]));
  const submitted = await lab.calibration.submit({ mode, answers });
  if (submitted.error) throw submitted.error;
  return submitted.data;
}

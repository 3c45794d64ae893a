/**
 * LOCAL STACK: concurrent traffic of every kind against a running stack —
 * generate (with Idempotency-Keys, some replayed), exports of the last few
 * seconds in each format, Data API reads and calibrations — bounded in time
 * and in requests. Counts each answer as `<kind> <status>`.
 *
 * @module
 */
import { questionDefinitions } from "../../supabase/functions/calibration/questionnaire.ts";

/** A user the traffic acts as. */
export interface LoadUser {
  token: string;
  calibrationId: string;
}

/** Options for {@link runLoad}. */
export interface LoadOptions {
  /** The stack's URL (loopback). */
  url: string;
  anonKey: string;
  users: readonly LoadUser[];
  /** How long to send requests for. */
  seconds: number;
  /** Most requests in all. */
  maxRequests: number;
  /** Requests in flight at once. */
  concurrency: number;
}

/** What the traffic got back. */
export interface LoadResult {
  requests: number;
  /** Counts by `<kind> <status>` (`network-error` when no answer came). */
  answers: Record<string, number>;
}

/** The body of a quick calibration (the first option of each question). */
export function quickCalibration(): unknown {
  return {
    mode: "quick",
    answers: Object.fromEntries(questionDefinitions("quick").map((q) => [q.id, q.options[0].id])),
  };
}

/**
 * Sends the traffic and resolves once every request has ended.
 *
 * @example
 * const { answers } = await runLoad({ url, anonKey, users, seconds: 3, maxRequests: 5000, concurrency: 6 });
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const deadline = Date.now() + options.seconds * 1000;
  const answers: Record<string, number> = {};
  let sent = 0;

  async function send(kind: string, path: string, init: RequestInit, user: LoadUser) {
    let label: string;
    try {
      const response = await fetch(`${options.url}${path}`, {
        ...init,
        headers: {
          apikey: options.anonKey,
          authorization: `Bearer ${user.token}`,
          "content-type": "application/json",
          ...init.headers,
        },
        signal: AbortSignal.timeout(60_000),
      });
      await response.body?.cancel();
      label = `${kind} ${response.status}`;
    } catch {
      label = `${kind} network-error`;
    }
    answers[label] = (answers[label] ?? 0) + 1;
  }

  async function worker(index: number) {
    let lastKey = "";
    for (let n = 0; Date.now() < deadline && sent < options.maxRequests; n++) {
      sent++;
      const user = options.users[(index + n) % options.users.length];
      const post = (body: unknown, key?: string): RequestInit => ({
        method: "POST",
        body: JSON.stringify(body),
        headers: key ? { "idempotency-key": key } : {},
      });
      switch (n % 6) {
        case 0:
        case 1:
        case 2: {
          // One in three repeats the worker's previous key with the same body: a replay.
          const key = n % 3 === 2 && lastKey ? lastKey : crypto.randomUUID();
          lastKey = key;
          await send(
            "generate",
            "/functions/v1/generate",
            post(
              { prompt: "Name three rivers.", calibration_id: user.calibrationId, seed: 7 },
              key,
            ),
            user,
          );
          break;
        }
        case 3: {
          const format = ["csv", "json", "zip"][n % 3];
          const from = new Date(Date.now() - 2000).toISOString();
          await send(
            "exports",
            "/functions/v1/exports",
            post({ format, filter: { from } }, crypto.randomUUID()),
            user,
          );
          break;
        }
        case 4:
          await send(
            "rest",
            "/rest/v1/experiments?select=id,status&order=created_at.desc&limit=5",
            { method: "GET" },
            user,
          );
          break;
        default:
          await send("calibration", "/functions/v1/calibration", post(quickCalibration()), user);
      }
    }
  }

  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  return { requests: sent, answers };
}

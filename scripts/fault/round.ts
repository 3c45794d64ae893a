/**
 * LOCAL STACK: one fault round. A stack of its own (its database connections
 * carry an application_name of their own) takes concurrent traffic while its
 * backends are terminated every `everyMs`; then the terminations stop, every
 * request has ended, and the round checks that each answer was a defined
 * status (anything but a 5xx other than 503 `database_unavailable`), that the
 * consistency checks are all zero and that the lab still answers.
 *
 * @module
 */
import { ensureLocalUser, mintAccessToken } from "../lib/local_auth.ts";
import { startStack } from "../lib/stack.ts";
import { checkConsistency, type CheckResult } from "./consistency.ts";
import { type LoadUser, quickCalibration, runLoad } from "./load.ts";
import { startTerminator } from "./terminator.ts";

/** Options for {@link runFaultRound}. */
export interface FaultRoundOptions {
  /** App-role URL of a prepared lab database on this machine. */
  databaseUrl: string;
  /** Superuser URL of the same database (terminations, checks). */
  adminUrl: string;
  seconds: number;
  maxRequests: number;
  concurrency?: number;
  /** Milliseconds between terminations. Default 150. */
  everyMs?: number;
  /** Users the traffic is spread over. Default 4. */
  users?: number;
}

/** What a round saw. */
export interface FaultReport {
  requests: number;
  answers: Record<string, number>;
  /** Answers that were not a defined status: 5xx other than 503, or no answer at all. */
  undefinedAnswers: number;
  terminations: { rounds: number; terminated: number };
  checks: CheckResult[];
  /** A calibration and a generate answered normally after the terminations. */
  labAnswers: boolean;
  seconds: number;
}

/** True for an answer the lab defines: any 1xx-4xx, or 503 database_unavailable. */
export function isDefinedAnswer(label: string): boolean {
  const status = Number(label.split(" ")[1]);
  return Number.isInteger(status) && (status < 500 || status === 503);
}

/**
 * Runs one round (see the module header).
 *
 * @example
 * const report = await runFaultRound({ databaseUrl, adminUrl, seconds: 3, maxRequests: 2000 });
 */
export async function runFaultRound(options: FaultRoundOptions): Promise<FaultReport> {
  const started = performance.now();
  const applicationName = `lab-fault-${crypto.randomUUID().slice(0, 8)}`;
  const url = new URL(options.databaseUrl);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    throw new Error(`Refusing a fault round against ${url.hostname}: loopback only`);
  }
  url.searchParams.set("application_name", applicationName);
  const storageDir = await Deno.makeTempDir({ prefix: "lab-fault-storage-" });
  const stack = await startStack({
    databaseUrl: url.toString(),
    port: 0,
    storageDir,
    env: { LAB_GENERATE_RATE_LIMIT_PER_MINUTE: "1000000", LAB_DB_POOL_SIZE: "4" },
  });
  try {
    const headers = (token: string) => ({
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
    });
    const users: (LoadUser & { id: string })[] = [];
    for (let i = 0; i < (options.users ?? 4); i++) {
      const email = `fault-${crypto.randomUUID().slice(0, 8)}@test.local`;
      const id = await ensureLocalUser(options.databaseUrl, email);
      const token = await mintAccessToken(id, { email });
      const response = await fetch(`${stack.url}/functions/v1/calibration`, {
        method: "POST",
        headers: headers(token),
        body: JSON.stringify(quickCalibration()),
      });
      const body = await response.json();
      if (response.status !== 201) throw new Error(`Cannot calibrate: ${JSON.stringify(body)}`);
      users.push({ id, token, calibrationId: body.data.id });
    }

    const terminator = startTerminator(options.adminUrl, applicationName, {
      everyMs: options.everyMs,
    });
    let load;
    let terminations;
    try {
      load = await runLoad({
        url: stack.url,
        anonKey: stack.anonKey,
        users,
        seconds: options.seconds,
        maxRequests: options.maxRequests,
        concurrency: options.concurrency ?? 6,
      });
    } finally {
      terminations = await terminator.stop();
    }
    await stack.flush();

    const [user] = users;
    const quiz = await fetch(`${stack.url}/functions/v1/calibration?mode=quick`, {
      headers: headers(user.token),
    });
    await quiz.body?.cancel();
    const generated = await fetch(`${stack.url}/functions/v1/generate`, {
      method: "POST",
      headers: headers(user.token),
      body: JSON.stringify({ prompt: "Still there?", calibration_id: user.calibrationId }),
    });
    await generated.body?.cancel();
    await stack.flush();

    const undefinedAnswers = Object.entries(load.answers)
      .filter(([label]) => !isDefinedAnswer(label))
      .reduce((n, [, count]) => n + count, 0);
    return {
      requests: load.requests,
      answers: load.answers,
      undefinedAnswers,
      terminations,
      checks: await checkConsistency(options.adminUrl, users.map((u) => u.id)),
      labAnswers: quiz.status === 200 && generated.status === 200,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await stack.stop();
    await Deno.remove(storageDir, { recursive: true });
  }
}

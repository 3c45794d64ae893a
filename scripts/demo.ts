/**
 * `npm run demo` — the README's walkthrough, run against a lab that is up
 * (`npm start`, or any Supabase project with the lab deployed) through the
 * client SDK in `client/`:
 *
 * sign in the demo user -> calibrate (quick) -> live feeds on -> three
 * experiments -> discard one -> the analytics summary before and after -> a
 * ZIP export and its job's progress -> download it -> its manifest -> the
 * audit trail of the whole walkthrough. Live events (Realtime private
 * channels) are printed as `live>` lines the moment they arrive.
 *
 * Every function call sends the same correlation id, so the audit trail ties
 * the steps together. Settings: SUPABASE_URL (default http://127.0.0.1:54321),
 * SUPABASE_ANON_KEY (default the local anon key), DATABASE_URL (the local lab
 * database, default the embedded one; used like `npm run token` to sign in
 * demo@lab.local).
 */
import { strFromU8, unzipSync } from "fflate";
import {
  type AnalyticsSummaryRow,
  createLabClient,
  type FunctionResult,
  type LabResult,
} from "../client/src/index.ts";
import { openLabServer } from "./lib/database.ts";
import { ensureLocalUser, issueAccessToken, LOCAL_ANON_KEY } from "./lib/local_auth.ts";
import { installPlainErrors } from "./lib/plain_errors.ts";

installPlainErrors();
const DEMO_EMAIL = "demo@lab.local";
const PROMPTS = [
  "Explain why the sky is blue to a curious ten-year-old.",
  "Write a four-line poem about a lighthouse keeper.",
  "Give three practical tips for writing clear commit messages.",
];

const url = Deno.env.get("SUPABASE_URL") ?? "http://127.0.0.1:54321";
const anonKey = Deno.env.get("SUPABASE_ANON_KEY") ?? LOCAL_ANON_KEY;
const flowId = crypto.randomUUID();
let step = 0;

function heading(title: string, correlationId?: string | null): void {
  step += 1;
  const id = correlationId ? `  [correlation ${correlationId}]` : "";
  console.log(`\n${step}. ${title}${id}`);
}

function line(text: string): void {
  console.log(`   ${text}`);
}

/** The data of a result, or the error printed and the demo stopped. */
function need<T>(result: LabResult<T> | FunctionResult<T>, what: string): T {
  if (result.error) {
    console.error(`\nDemo failed: cannot ${what}: ${result.error.message}`);
    console.error(JSON.stringify(result.error, null, 2));
    Deno.exit(1);
  }
  return result.data;
}

function summary(row: AnalyticsSummaryRow | null): string {
  if (!row) return "no counted experiments yet";
  const m = row.metrics_summary;
  const fmt = (value: number | null) => value === null ? "-" : value.toFixed(3);
  return `count=${m.count} responses=${m.responseCount} creativity=${fmt(m.avgCreativity)} ` +
    `coherence=${fmt(m.avgCoherence)} structure=${fmt(m.avgStructure)} ` +
    `completeness=${fmt(m.avgCompleteness)} latency=${m.avgLatency ?? "-"}ms`;
}

console.log(`Precision + Personality Lab demo against ${url}`);
console.log(`Correlation id of this walkthrough: ${flowId}`);

heading("Sign in the demo user (local token tool)");
const server = await openLabServer();
const userId = await ensureLocalUser(server.target.appUrl, DEMO_EMAIL);
const token = await issueAccessToken(server.target.appUrl, userId, { email: DEMO_EMAIL });
await server.close();
line(`${DEMO_EMAIL} is ${userId}`);
const lab = createLabClient({ url, anonKey, accessToken: token });
const call = { correlationId: flowId };

heading("Calibrate (quick questionnaire)", flowId);
const quiz = need(await lab.calibration.questionnaire("quick", call), "load the questionnaire");
const answers = Object.fromEntries(
  quiz.questions.map((q) => [q.id, q.options[Math.floor(q.options.length / 2)].id]),
);
for (const q of quiz.questions) line(`${q.prompt} -> ${answers[q.id]}`);
const calibration = need(
  await lab.calibration.submit({ mode: "quick", answers }, call),
  "submit the calibration",
);
for (const [name, range] of Object.entries(calibration.ranges)) {
  line(`${name.padEnd(18)} ${range.min} .. ${range.max}`);
}
line(`calibration ${calibration.id}`);

heading("Live feeds on: the user's experiments and this calibration's analytics (Realtime)");
const live = (text: string) => console.log(`   live> ${text}`);
const subscribed = Promise.withResolvers<void>();
let joined = 0;
const onStatus = (status: string, error?: Error) => {
  if (status === "SUBSCRIBED" && ++joined === 2) subscribed.resolve();
  if (status !== "SUBSCRIBED") live(`channel ${status}${error ? `: ${error.message}` : ""}`);
};
const onError = (error: Error) => live(`skipped a message: ${error.message}`);
const stops = [
  lab.onExperiment(({ event, row, old }) => {
    const what = row ? `${row.status}, ${row.responses.length} responses` : `id ${old?.id}`;
    live(`experiment ${event} ${row?.id ?? ""} ${what}${row?.discarded ? " (discarded)" : ""}`);
  }, { onStatus, onError }),
  lab.onAnalytics(calibration.id, ({ event, row }) => {
    live(`analytics ${event}: ${summary(row)}`);
  }, { onStatus, onError }),
];
await Promise.race([subscribed.promise, new Promise((resolve) => setTimeout(resolve, 5000))]);
line(joined === 2 ? "subscribed to both feeds" : "the feeds did not subscribe in 5 s; going on");

heading("Analytics summary before any experiment");
line(summary(need(await lab.analytics.get(calibration.id), "read the analytics")));

heading("Run three experiments", flowId);
const experimentIds: string[] = [];
for (const prompt of PROMPTS) {
  const run = need(
    await lab.generate({ prompt, calibration_id: calibration.id, numResponses: 3 }, call),
    "run an experiment",
  );
  experimentIds.push(run.experimentId);
  line(`"${prompt}"`);
  line(
    `  experiment ${run.experimentId}: ${run.status}, ${run.responses.length} responses, ${run.latencyMs} ms`,
  );
  for (const response of run.responses) {
    const p = response.parameters;
    const scores = response.status === "succeeded"
      ? `coherence ${response.metrics.coherence.toFixed(2)}, creativity ${
        response.metrics.creativity.toFixed(2)
      }`
      : `failed: ${response.error.code}`;
    line(
      `    #${response.index} temperature ${p.temperature} top_p ${p.top_p} max_tokens ${p.max_tokens} -> ${scores}`,
    );
  }
}

heading("Analytics summary after three experiments");
line(summary(need(await lab.analytics.get(calibration.id), "read the analytics")));

heading("Discard one experiment (supabase-js update through the Data API)");
const discarded = need(
  await lab.experiments.discard(experimentIds[1], { correlationId: flowId }),
  "discard an experiment",
);
line(`experiment ${discarded.id} discarded=${discarded.discarded}`);
const kept = need(
  await lab.experiments.save(experimentIds[0], { correlationId: flowId }),
  "save an experiment",
);
line(`experiment ${kept.id} saved=${kept.saved}`);

heading("Analytics summary after the discard");
line(summary(need(await lab.analytics.get(calibration.id), "read the analytics")));

heading("Export this calibration's experiments as a ZIP", flowId);
const created = need(
  await lab.exports.create({ format: "zip", filter: { calibrationId: calibration.id } }, call),
  "create the export",
);
line(
  `export ${created.id}: ${created.experimentCount} experiments, ${created.responseCount} responses, ${created.byteSize} bytes`,
);

const job = need(await lab.exports.get(created.id, call), "read the export job");
line(`job ${created.id}: ${job.status} (the local export finishes within the request;`);
line(`  lab.onJob(id) follows a job that is still running, e.g. on a hosted queue)`);
stops.push(lab.onJob(created.id, (p) => live(`job ${p.job_id} ${p.status}`), { onError }));

heading("Download the ZIP through its signed URL", flowId);
const file = need(await lab.exports.download(created.id, call), "download the export");
const entries = unzipSync(file.bytes);
line(
  `${file.bytes.byteLength} bytes (${file.contentType ?? "unknown type"}), entries: ${
    Object.keys(entries).join(", ")
  }`,
);

heading("The package's manifest.json");
const manifestBytes = entries["manifest.json"];
if (!manifestBytes) {
  console.error("Demo failed: the ZIP has no manifest.json");
  Deno.exit(1);
}
console.log(JSON.stringify(JSON.parse(strFromU8(manifestBytes)), null, 2).replace(/^/gm, "   "));

heading(`Audit trail of correlation id ${flowId}`);
const trail = need(await lab.audit.byCorrelationId(flowId), "read the audit trail");
for (const event of trail) {
  line(`${event.created_at}  ${event.source.padEnd(8)} ${event.event_type}`);
}

await new Promise((resolve) => setTimeout(resolve, 300));
await Promise.all(stops.map((stop) => stop()));
console.log(`\nDemo complete: calibration ${calibration.id}, correlation id ${flowId}.`);

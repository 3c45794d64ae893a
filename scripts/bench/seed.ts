/**
 * BENCH: bulk data for the scale and export measurements, written in SQL as
 * the superuser. Rows have generate's shape (four scored responses with text,
 * parameters, usage and metrics; the three audit events a generate run
 * leaves). Triggers are off during the load (`session_replication_role =
 * replica`); the analytics summaries are computed once afterwards from the
 * rows, as the trigger would have, and the tables are vacuumed and analyzed
 * the way autovacuum would leave them.
 *
 * @module
 */
import type postgres from "postgres";

/** Rows per insert statement. */
const BATCH = 50_000;

/** A short text of roughly generate's response length. */
const FILLER =
  "The lab answers this prompt with a calibrated spread of temperature and nucleus sampling, " +
  "scored for creativity, coherence, structure and completeness.";

/**
 * Four succeeded responses of generate's shape for experiment `i` (the same
 * shape the SQL seed writes).
 *
 * @example
 * const responses = sampleResponses(7);
 */
export function sampleResponses(i: number, count = 4): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, k) => ({
    index: k,
    status: "succeeded",
    text: `Response ${k} to prompt ${i}: ${FILLER}`,
    parameters: {
      temperature: 0.2 + 0.25 * k,
      top_p: 0.6 + 0.1 * k,
      max_tokens: 128 + 64 * k,
      frequency_penalty: -0.4 + 0.2 * k,
    },
    finishReason: "stop",
    usage: { promptTokens: 12, completionTokens: 48 + k, totalTokens: 60 + k },
    latencyMs: 300 + k,
    systemFingerprint: "fp_offline",
    metrics: {
      creativity: ((i * 7 + k) % 100) / 100,
      coherence: ((i * 11 + k) % 100) / 100,
      structure: ((i * 13 + k) % 100) / 100,
      completeness: ((i * 17 + k) % 100) / 100,
    },
  }));
}

/** The calibrations of the seeded users, numbered 0..n-1 for the generator. */
async function ensureSeedUsers(
  sql: postgres.Sql,
  options: { users: number; calibrationsPerUser: number },
) {
  const [{ count }] = await sql<{ count: number }[]>`
    select count(*)::int as count from pg_tables where schemaname = 'private' and tablename = 'bench_seed_calibrations'`;
  if (count > 0) return;
  await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx`create table private.bench_seed_calibrations (n int primary key, id uuid not null, user_id uuid not null)`;
    await tx`
      insert into auth.users (instance_id, id, aud, role, email, email_confirmed_at,
                              raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
      select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
             'bench-seed-' || u || '@bench.local', now(), '{"provider":"email","providers":["email"]}', '{}', now(), now()
        from generate_series(1, ${options.users}) u`;
    await tx`
      with users as (
        select id, row_number() over (order by email) - 1 as u
          from auth.users where email like 'bench-seed-%@bench.local'),
      numbered as (
        select gen_random_uuid() as id, users.id as user_id, (users.u * ${options.calibrationsPerUser} + k)::int as n
          from users cross join generate_series(0, ${options.calibrationsPerUser - 1}) k)
      insert into private.bench_seed_calibrations (n, id, user_id) select n, id, user_id from numbered`;
    await tx`
      insert into public.calibrations (id, user_id, mode, questionnaire_version, answers,
        temperature_min, temperature_max, top_p_min, top_p_max, max_tokens_min, max_tokens_max,
        frequency_penalty_min, frequency_penalty_max, insights)
      select id, user_id, 'quick', 'v1', '{"adventurousness":"bold"}'::jsonb, 0.2, 1.2, 0.5, 0.95, 128, 1024, -0.5, 0.5,
             '[{"parameter":"overall","title":"Bold","detail":"You like range."}]'::jsonb
        from private.bench_seed_calibrations`;
  });
}

/**
 * Grows the seeded experiments to `total` (each with its three audit
 * events), recomputes the analytics summaries, vacuums, analyzes and
 * checkpoints. Calls `progress` after each batch.
 *
 * @example
 * await seedExperiments(admin, { total: 100_000, users: 1_000, calibrationsPerUser: 5 });
 */
export async function seedExperiments(
  sql: postgres.Sql,
  options: {
    total: number;
    users: number;
    calibrationsPerUser: number;
    progress?: (done: number) => void;
  },
): Promise<void> {
  await ensureSeedUsers(sql, options);
  const calibrations = options.users * options.calibrationsPerUser;
  const [{ existing }] = await sql<{ existing: number }[]>`
    select count(*)::int as existing from public.experiments e
      join private.bench_seed_calibrations c on c.id = e.calibration_id`;
  for (let from = existing; from < options.total; from += BATCH) {
    const to = Math.min(options.total, from + BATCH);
    await insertBatch(sql, {
      from,
      to,
      calibrations: sql`(select n, id, user_id from private.bench_seed_calibrations)`,
      calibrationCount: calibrations,
      ageSeconds: options.total * 2,
    });
    options.progress?.(to);
  }
  await finishLoad(sql);
}

/**
 * Gives one user `total` experiments in one calibration (for exports),
 * with their audit events, then recomputes summaries and vacuums.
 *
 * @example
 * await seedUserExperiments(admin, { userId, calibrationId, from: 0, total: 10_000 });
 */
export async function seedUserExperiments(
  sql: postgres.Sql,
  options: { userId: string; calibrationId: string; from: number; total: number },
): Promise<void> {
  for (let from = options.from; from < options.total; from += BATCH) {
    await insertBatch(sql, {
      from,
      to: Math.min(options.total, from + BATCH),
      calibrations:
        sql`(select 0 as n, ${options.calibrationId}::uuid as id, ${options.userId}::uuid as user_id)`,
      calibrationCount: 1,
      ageSeconds: options.total * 2,
    });
  }
  await finishLoad(sql, { summariesOf: options.calibrationId });
}

/** Experiments from..to-1 (generate's shape) with their three audit events, triggers off. */
async function insertBatch(
  sql: postgres.Sql,
  batch: {
    from: number;
    to: number;
    calibrations: postgres.PendingQuery<postgres.Row[]>;
    calibrationCount: number;
    ageSeconds: number;
  },
): Promise<void> {
  const { from, to, calibrations, calibrationCount, ageSeconds } = batch;
  await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx`
      with inserted as (
        insert into public.experiments (user_id, calibration_id, prompt, model, parameters, responses, status,
                                        latency_ms, correlation_id, created_at, updated_at)
        select c.user_id, c.id, 'Prompt number ' || g || ': explain the trade-offs of sampling settings.', 'gpt-4o',
               jsonb_build_object('model', 'gpt-4o', 'seed', g, 'design', 'latin-hypercube', 'numResponses', 4,
                                  'sets', r.sets),
               r.responses, 'completed', 400 + g % 900, private.uuid_v7(),
               now() - make_interval(secs => ${ageSeconds} - g), now() - make_interval(secs => ${ageSeconds} - g)
          from generate_series(${from}::int, ${to - 1}::int) g
          join ${calibrations} c on c.n = g % ${calibrationCount}
          cross join lateral (
            select jsonb_agg(p.parameters order by k) as sets,
                   jsonb_agg(jsonb_build_object(
                     'index', k, 'status', 'succeeded',
                     'text', 'Response ' || k || ' to prompt ' || g || ': ' || ${FILLER}::text,
                     'parameters', p.parameters, 'finishReason', 'stop',
                     'usage', jsonb_build_object('promptTokens', 12, 'completionTokens', 48 + k, 'totalTokens', 60 + k),
                     'latencyMs', 300 + k, 'systemFingerprint', 'fp_offline',
                     'metrics', jsonb_build_object(
                       'creativity', ((g * 7 + k) % 100) / 100.0, 'coherence', ((g * 11 + k) % 100) / 100.0,
                       'structure', ((g * 13 + k) % 100) / 100.0, 'completeness', ((g * 17 + k) % 100) / 100.0))
                     order by k) as responses
              from generate_series(0, 3) k
              cross join lateral (select jsonb_build_object(
                'temperature', 0.2 + 0.25 * k, 'top_p', 0.6 + 0.1 * k,
                'max_tokens', 128 + 64 * k, 'frequency_penalty', -0.4 + 0.2 * k) as parameters) p
          ) r
        returning id, user_id, calibration_id, correlation_id, created_at)
      insert into public.audit_logs (user_id, event_type, event_data, correlation_id, source, created_at)
      select i.user_id, t.event_type,
             jsonb_build_object('calibrationId', i.calibration_id, 'experimentId', i.id),
             i.correlation_id, t.source, i.created_at
        from inserted i
        cross join (values ('llm_request_started', 'server'), ('analytics_updated', 'database'),
                           ('experiment_generated', 'server')) as t(event_type, source)`;
  });
}

/** Summaries computed once from the rows, then vacuum, analyze and a checkpoint. */
async function finishLoad(
  sql: postgres.Sql,
  options: { summariesOf?: string } = {},
): Promise<void> {
  await recomputeSummaries(sql, options.summariesOf);
  for (
    const table of [
      "public.experiments",
      "public.audit_logs",
      "public.calibrations",
      "public.analytics_summaries",
      "auth.users",
    ]
  ) {
    await sql.unsafe(`vacuum (analyze) ${table}`);
  }
  await sql`checkpoint`;
}

/** The seeded calibrations' summaries (or one calibration's), computed from their rows as the trigger would. */
async function recomputeSummaries(sql: postgres.Sql, calibrationId?: string): Promise<void> {
  const which = calibrationId === undefined
    ? sql`e.calibration_id in (select id from private.bench_seed_calibrations)`
    : sql`e.calibration_id = ${calibrationId}`;
  await sql`
    insert into public.analytics_summaries as a (user_id, calibration_id, experiment_count, response_count,
      sum_creativity, sum_coherence, sum_structure, sum_completeness, sum_latency_ms)
    select e.user_id, e.calibration_id, count(*), sum(s.scored), sum(s.creativity), sum(s.coherence),
           sum(s.structure), sum(s.completeness), sum(e.latency_ms)
      from public.experiments e
      cross join lateral (
        select count(*) as scored,
               sum((r -> 'metrics' ->> 'creativity')::float8) as creativity,
               sum((r -> 'metrics' ->> 'coherence')::float8) as coherence,
               sum((r -> 'metrics' ->> 'structure')::float8) as structure,
               sum((r -> 'metrics' ->> 'completeness')::float8) as completeness
          from jsonb_array_elements(e.responses) r
         where r ->> 'status' = 'succeeded' and jsonb_typeof(r -> 'metrics') = 'object') s
     where ${which} and not e.discarded and s.scored > 0
     group by e.user_id, e.calibration_id
    on conflict (user_id, calibration_id) do update set
      experiment_count = excluded.experiment_count, response_count = excluded.response_count,
      sum_creativity = excluded.sum_creativity, sum_coherence = excluded.sum_coherence,
      sum_structure = excluded.sum_structure, sum_completeness = excluded.sum_completeness,
      sum_latency_ms = excluded.sum_latency_ms`;
}

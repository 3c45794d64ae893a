/**
 * LOCAL STACK: what must hold after any fault, for a set of users: every
 * experiment has its audit event, no Idempotency-Key is left in progress, no
 * export is left pending or running, every stored export object has its
 * completed row, and the analytics summaries equal a recount of the
 * experiments. Each check counts the rows that break it; all must be zero.
 * An export whose job is still queued or running is not left behind: the
 * worker will finish it (its key, row and object included).
 *
 * @module
 */
import postgres from "postgres";

/** One check and how many rows break it. */
export interface CheckResult {
  name: string;
  violations: number;
}

/**
 * Runs every check over the rows of `userIds`, as the superuser at `adminUrl`.
 *
 * @example
 * const results = await checkConsistency(adminUrl, userIds);
 * results.every((r) => r.violations === 0);
 */
export async function checkConsistency(
  adminUrl: string,
  userIds: readonly string[],
): Promise<CheckResult[]> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const users = userIds.join(",");
  try {
    const [row] = await sql<Record<string, number>[]>`
      select
        (select count(*)::int from public.experiments as e
          where e.user_id = any(string_to_array(${users}, ',')::uuid[])
            and not exists (
              select 1 from public.audit_logs as a
               where a.user_id = e.user_id
                 and a.event_type in ('experiment_generated', 'llm_request_failed')
                 and a.event_data ->> 'experimentId' = e.id::text)) as "experiments without their audit event",
        (select count(*)::int from public.idempotency_keys as k
          where user_id = any(string_to_array(${users}, ',')::uuid[]) and status = 'in_progress'
            and not exists (
              select 1 from public.jobs as j
               where j.kind = 'export' and j.status in ('queued', 'running')
                 and j.user_id = k.user_id and j.payload ->> 'idempotencyKey' = k.key)) as "idempotency keys left in progress",
        (select count(*)::int from public.experiment_exports as x
          where user_id = any(string_to_array(${users}, ',')::uuid[]) and status in ('pending', 'running')
            and not exists (
              select 1 from public.jobs as j
               where j.id = x.id and j.status in ('queued', 'running'))) as "exports left pending or running",
        (select count(*)::int from storage.objects as o
          where o.bucket_id = 'exports'
            and (storage.foldername(o.name))[1] = any(string_to_array(${users}, ','))
            and not exists (
              select 1 from public.experiment_exports as x
               where (x.status = 'completed' and x.storage_path = o.name)
                  or (x.status <> 'completed' and exists (
                        select 1 from public.jobs as j
                         where j.id = x.id and j.status in ('queued', 'running')
                           and o.name = x.user_id || '/' || x.id || '.' || x.file_format)))) as "stored objects without a completed export",
        (select count(*)::int from (
           select c.id,
                  coalesce(a.experiment_count, 0) as experiment_count,
                  coalesce(a.response_count, 0) as response_count,
                  (select count(*) from public.experiments as e
                    where e.calibration_id = c.id and not e.discarded
                      and exists (select 1 from jsonb_array_elements(e.responses) as r
                                   where r ->> 'status' = 'succeeded'
                                     and jsonb_typeof(r -> 'metrics') = 'object')) as recount_experiments,
                  (select count(*) from public.experiments as e,
                          jsonb_array_elements(e.responses) as r
                    where e.calibration_id = c.id and not e.discarded
                      and r ->> 'status' = 'succeeded'
                      and jsonb_typeof(r -> 'metrics') = 'object') as recount_responses
             from public.calibrations as c
             left join public.analytics_summaries as a on a.calibration_id = c.id
            where c.user_id = any(string_to_array(${users}, ',')::uuid[])) as counts
          where experiment_count <> recount_experiments
             or response_count <> recount_responses) as "analytics summaries unequal to a recount"`;
    return Object.entries(row).map(([name, violations]) => ({ name, violations }));
  } finally {
    await sql.end({ timeout: 1 });
  }
}

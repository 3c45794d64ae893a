-- lab-worker-sweep, version 1.
--
-- The sweep of the job worker on hosted Supabase: every 30 seconds pg_cron
-- calls the `worker` function through pg_net, which picks up what nothing
-- else started — a job whose wake-up call was lost, a retry whose backoff
-- has passed, a job whose worker died (its lease lapsed). The functions
-- wake the worker themselves when they create a job, so the sweep only
-- bounds how long such a job can wait.
--
-- Not a migration: it needs the project's URL and service-role key, and
-- pg_cron and pg_net, which a plain PostgreSQL (the local stack, CI) does
-- not have; `npm start` runs the same sweep itself (LAB_WORKER_TICK_MS).
--
-- Run once per project, after `supabase db push` and
-- `supabase functions deploy worker`, in the SQL editor or with psql:
--
--   select vault.create_secret('https://<project-ref>.supabase.co', 'lab_project_url');
--   select vault.create_secret('<service_role key>', 'lab_service_role_key');
--   \i supabase/setup/worker_cron.sql
--
-- Running it again replaces the schedule (a new version of this file is
-- applied the same way). To stop the sweep:
--   select cron.unschedule('lab-worker-sweep');

do $$
begin
  if to_regnamespace('cron') is null then
    create extension pg_cron;
  end if;
  if to_regnamespace('net') is null then
    create extension pg_net;
  end if;
end
$$;

select cron.unschedule(jobid) from cron.job where jobname = 'lab-worker-sweep';

select cron.schedule(
  'lab-worker-sweep',
  '30 seconds',
  $cron$
  select net.http_post(
    url := (select decrypted_secret from vault.decrypted_secrets where name = 'lab_project_url')
           || '/functions/v1/worker',
    headers := jsonb_build_object(
      'content-type', 'application/json',
      'authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets
                                      where name = 'lab_service_role_key')),
    body := '{}'::jsonb,
    -- The worker answers 202 before it works, so the call is short.
    timeout_milliseconds := 5000
  );
  $cron$
);

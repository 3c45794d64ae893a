/**
 * supabase/setup/worker_cron.sql against stand-ins of pg_cron, pg_net and
 * Vault (the shapes it uses: cron.job / schedule / unschedule,
 * net.http_post, vault.decrypted_secrets), in a database of its own: it
 * schedules exactly one sweep however often it is run, and the sweep posts
 * to the worker with the service-role key from Vault.
 */
import { deepEqual, equal } from "node:assert/strict";
import postgres from "postgres";
import { dbTest } from "../../supabase/functions/tests/harness.ts";

const ADMIN_URL = Deno.env.get("LAB_TEST_ADMIN_DATABASE_URL") ?? "";
const SETUP = new URL("../../supabase/setup/worker_cron.sql", import.meta.url);

const STAND_INS = `
  create schema cron;
  create table cron.job (jobid bigserial primary key, jobname text unique, schedule text, command text);
  create function cron.schedule(job_name text, schedule text, command text) returns bigint
    language sql as $$ insert into cron.job (jobname, schedule, command) values (job_name, schedule, command)
                       on conflict (jobname) do update set schedule = excluded.schedule, command = excluded.command
                       returning jobid $$;
  create function cron.unschedule(job_id bigint) returns boolean
    language sql as $$ delete from cron.job where jobid = job_id returning true $$;
  create schema net;
  create table net.calls (url text, headers jsonb, body jsonb, timeout_milliseconds int);
  create function net.http_post(url text, body jsonb default '{}', params jsonb default '{}',
                                headers jsonb default '{}', timeout_milliseconds int default 2000) returns bigint
    language sql as $$ insert into net.calls values (url, headers, body, timeout_milliseconds) returning 1::bigint $$;
  create schema vault;
  create table vault.decrypted_secrets (name text primary key, decrypted_secret text);
  insert into vault.decrypted_secrets values ('lab_project_url', 'https://ref.supabase.co'),
                                             ('lab_service_role_key', 'service-key');
`;

async function withOwnDatabase(fn: (sql: postgres.Sql) => Promise<void>) {
  const name = `lab_cron_${crypto.randomUUID().slice(0, 8)}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  try {
    await fn(sql);
  } finally {
    await sql.end();
    await admin.unsafe(`drop database ${name}`);
    await admin.end();
  }
}

Deno.test(
  "the worker sweep schedules one call of the worker, however often it is set up",
  dbTest,
  async () => {
    await withOwnDatabase(async (sql) => {
      await sql.unsafe(STAND_INS);
      const setup = await Deno.readTextFile(SETUP);
      await sql.unsafe(setup);
      await sql.unsafe(setup);
      const jobs = await sql<{ jobname: string; schedule: string; command: string }[]>`
      select jobname, schedule, command from cron.job`;
      deepEqual(jobs.map((job) => [job.jobname, job.schedule]), [[
        "lab-worker-sweep",
        "30 seconds",
      ]]);

      await sql.unsafe(jobs[0].command);
      const [call] = await sql<
        { url: string; headers: Record<string, string>; timeout_milliseconds: number }[]
      >`
      select url, headers, timeout_milliseconds from net.calls`;
      equal(call.url, "https://ref.supabase.co/functions/v1/worker");
      equal(call.headers.authorization, "Bearer service-key");
      equal(call.timeout_milliseconds, 5000);
    });
  },
);

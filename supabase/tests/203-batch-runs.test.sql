-- Batch runs: creating a run materialises one result per (item, repeat);
-- claims lease pending results; a result is recorded once, priced, with the
-- run's counts; a resume retries only failed results; the owner reads runs
-- and results and may only cancel; the steps act only for the claims'
-- subject; strangers and anonymous callers see nothing.

begin;
select plan(25);

select lives_ok($$select tests.create_user('owner@runs.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@runs.test')$$, 'The stranger can be created.');

create temporary table claims_of (email text primary key, claims jsonb not null) on commit drop;
insert into claims_of
select u.email, pg_catalog.jsonb_build_object('sub', u.id, 'role', 'authenticated', 'email', u.email)
  from auth.users as u
 where u.email in ('owner@runs.test', 'stranger@runs.test');

-- Fixtures: a template version with {{topic}}, a completed dataset version of two items.
select tests.authenticate_as(tests.get_user_id('owner@runs.test'));
insert into public.prompt_templates (id, name) values ('70300000-0000-4000-8000-000000000001', 'about');
insert into public.prompt_template_versions (template_id, body)
values ('70300000-0000-4000-8000-000000000001', 'About {{topic}}.'),
       ('70300000-0000-4000-8000-000000000001', 'About {{topic}} for {{audience}}.');
insert into public.datasets (id, name) values ('da300000-0000-4000-8000-000000000001', 'topics');
select tests.clear_authentication();

create temporary table ids (name text primary key, id uuid) on commit drop;
insert into ids values
  ('v1', (select id from public.prompt_template_versions where template_id = '70300000-0000-4000-8000-000000000001' and version = 1)),
  ('v2', (select id from public.prompt_template_versions where template_id = '70300000-0000-4000-8000-000000000001' and version = 2)),
  ('dataset_version', (private.create_dataset_version((select claims from claims_of where email = 'owner@runs.test'), null,
     'da300000-0000-4000-8000-000000000001', tests.get_user_id('owner@runs.test')::text || '/t.csv') ->> 'id')::uuid);
grant select on ids, claims_of to authenticated;

create function pg_temp.run_request(version_name text) returns jsonb language sql stable as $$
  select pg_catalog.jsonb_build_object('template_version_id', (select id from ids where name = version_name),
    'dataset_version_id', (select id from ids where name = 'dataset_version'),
    'parameters', '{"temperature": 0.5, "top_p": 0.9, "max_tokens": 16, "frequency_penalty": 0}'::jsonb,
    'responses_per_item', 3, 'model', 'gpt-4o', 'seed', 1)
$$;

select throws_ok(
  $$select private.create_batch_run((select claims from claims_of where email = 'owner@runs.test'), null,
      pg_temp.run_request('v1'))$$,
  'LB409', 'Dataset version 1 is pending, not completed',
  'A run waits for its dataset version to be completed.');

select private.begin_dataset_ingest((select claims from claims_of where email = 'owner@runs.test'), null,
  (select id from ids where name = 'dataset_version'));
select private.store_dataset_rows((select claims from claims_of where email = 'owner@runs.test'), null,
  (select id from ids where name = 'dataset_version'), '["topic"]',
  '[{"line": 2, "values": {"topic": "tides"}}, {"line": 3, "values": {"topic": "fog"}}]', '[]', 3);
select private.finish_dataset_ingest((select claims from claims_of where email = 'owner@runs.test'), null,
  (select id from ids where name = 'dataset_version'));

select throws_ok(
  $$select private.create_batch_run((select claims from claims_of where email = 'owner@runs.test'), null,
      pg_temp.run_request('v2'))$$,
  'LB400', 'The dataset lacks variables of the template: audience',
  'A template variable the dataset lacks refuses the run, naming it.');
select throws_ok(
  $$select private.create_batch_run((select claims from claims_of where email = 'stranger@runs.test'), null,
      pg_temp.run_request('v1'))$$,
  'LB404', 'Prompt template version not found: ' || (select id from ids where name = 'v1')::text,
  'A stranger cannot run the owner''s template.');
select throws_ok(
  $$select private.create_batch_run((select claims from claims_of where email = 'owner@runs.test'), null,
      pg_temp.run_request('v1') - 'parameters')$$,
  '23514', 'new row for relation "batch_runs" violates check constraint "batch_runs_design_check"',
  'A run needs a calibration or explicit parameters.');

insert into ids values ('run', (private.create_batch_run((select claims from claims_of where email = 'owner@runs.test'), null,
  pg_temp.run_request('v1')) ->> 'id')::uuid);
select results_eq(
  $$select total_results, status from public.batch_runs where id = (select id from ids where name = 'run')$$,
  $$values (6, 'pending'::text)$$,
  'A run of two items with three responses each has six results to do.');
select results_eq(
  $$select line_number, repeat, status from public.batch_results where run_id = (select id from ids where name = 'run')
     order by line_number, repeat$$,
  $$values (2, 0, 'pending'::text), (2, 1, 'pending'::text), (2, 2, 'pending'::text),
           (3, 0, 'pending'::text), (3, 1, 'pending'::text), (3, 2, 'pending'::text)$$,
  'Every repeat of every item is its own result row.');
select throws_ok(
  $$insert into public.batch_results (run_id, user_id, item_id, line_number, repeat)
    select run_id, user_id, item_id, line_number, repeat from public.batch_results
     where run_id = (select id from ids where name = 'run') limit 1$$,
  '23505', 'duplicate key value violates unique constraint "batch_results_run_id_item_id_repeat_key"',
  'An (item, repeat) can never have a second result.');

-- Claims and records ------------------------------------------------------------------------
create temporary table claimed on commit drop as
select jsonb_array_elements(private.claim_batch_results((select claims from claims_of where email = 'owner@runs.test'), null,
  (select id from ids where name = 'run'), 4) -> 'results') as result;
select results_eq(
  $$select (result ->> 'lineNumber')::int, (result ->> 'repeat')::int, result -> 'values' ->> 'topic' from claimed$$,
  $$values (2, 0, 'tides'), (2, 1, 'tides'), (2, 2, 'tides'), (3, 0, 'fog')$$,
  'A claim leases results in item and repeat order with the item''s values.');
select is(
  (select jsonb_array_length(private.claim_batch_results((select claims from claims_of where email = 'owner@runs.test'), null,
    (select id from ids where name = 'run'), 10) -> 'results')),
  2,
  'A second claim gets only what is still pending.');
select is(
  (private.claim_batch_results((select claims from claims_of where email = 'owner@runs.test'), null,
    (select id from ids where name = 'run'), 10) -> 'run' ->> 'status'),
  'running',
  'Claiming starts the run.');

create function pg_temp.outcome(result jsonb, status text) returns jsonb language sql immutable as $$
  select pg_catalog.jsonb_build_object('id', result ->> 'id', 'status', status, 'prompt', 'About it.',
    'errorCode', case when status = 'failed' then 'upstream_error' end,
    'response', case when status = 'succeeded'
      then '{"status": "succeeded", "usage": {"promptTokens": 1000, "completionTokens": 100, "totalTokens": 1100}}'::jsonb
      else '{"status": "failed", "error": {"code": "upstream_error", "message": "down"}}'::jsonb end)
$$;

select results_eq(
  $$select succeeded_count, failed_count, cost_usd from jsonb_populate_record(null::public.batch_runs,
      private.record_batch_results((select claims from claims_of where email = 'owner@runs.test'), null,
        (select id from ids where name = 'run'),
        (select jsonb_agg(pg_temp.outcome(result, case when result ->> 'lineNumber' = '3' then 'failed' else 'succeeded' end))
           from claimed)))$$,
  $$values (3, 1, 0.0105::numeric)$$,
  'Recording counts each outcome and prices each succeeded response at the price in force.');
select results_eq(
  $$select succeeded_count, failed_count from jsonb_populate_record(null::public.batch_runs,
      private.record_batch_results((select claims from claims_of where email = 'owner@runs.test'), null,
        (select id from ids where name = 'run'),
        (select jsonb_agg(pg_temp.outcome(result, 'succeeded')) from claimed)))$$,
  $$values (3, 1)$$,
  'A result is recorded once: a retried record changes nothing.');
select throws_ok(
  $$select private.record_batch_results((select claims from claims_of where email = 'stranger@runs.test'), null,
      (select id from ids where name = 'run'), '[]')$$,
  'LB404', 'Batch run not found: ' || (select id from ids where name = 'run')::text,
  'A stranger''s claims cannot record the owner''s results.');
select is(
  private.resume_batch_run((select claims from claims_of where email = 'owner@runs.test'), null,
    (select id from ids where name = 'run')) ->> 'status',
  'running',
  'Resuming a run that is not failed leaves it as it is.');

-- Owner through the Data API ----------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@runs.test'));
select results_eq(
  $$select status, count(*)::int from public.batch_results group by status order by status$$,
  $$values ('failed'::text, 1), ('running'::text, 2), ('succeeded'::text, 3)$$,
  'The owner reads partial results while the run goes on.');
select throws_ok(
  $$update public.batch_runs set succeeded_count = 6$$,
  '42501', 'permission denied for table batch_runs',
  'The owner cannot rewrite a run''s progress.');
select throws_ok(
  $$update public.batch_runs set status = 'completed'$$,
  '42501', 'A batch run can only be cancelled by its owner',
  'The owner cannot mark their run completed.');
select results_eq(
  $$update public.batch_runs set status = 'cancelled' returning status$$,
  $$values ('cancelled'::text)$$,
  'The owner can cancel their run.');
select tests.clear_authentication();
select is(
  (select jsonb_array_length(private.claim_batch_results((select claims from claims_of where email = 'owner@runs.test'), null,
    (select id from ids where name = 'run'), 10) -> 'results')),
  0,
  'A cancelled run hands out no more work.');
select is(
  private.resume_batch_run((select claims from claims_of where email = 'owner@runs.test'), null,
    (select id from ids where name = 'run')) ->> 'failed_count',
  '0',
  'Resuming a cancelled run runs it again and takes its failures off the count.');
select results_eq(
  $$select line_number, repeat from public.batch_results
     where run_id = (select id from ids where name = 'run') and status = 'pending'$$,
  $$values (3, 0)$$,
  'Only the failed result is pending again; succeeded ones are kept.');

-- Stranger and anonymous ---------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@runs.test'));
select is_empty($$select 1 from public.batch_runs union all select 1 from public.batch_results$$,
  'A stranger sees no run or result of the owner.');
select tests.authenticate_as_anon();
select throws_ok($$select 1 from public.batch_runs$$, '42501', 'permission denied for table batch_runs',
  'Anonymous callers cannot read runs.');

select * from finish();
rollback;

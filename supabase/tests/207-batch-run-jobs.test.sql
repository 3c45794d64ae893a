-- Batch runs as jobs: a new slice of a run's job releases the results a
-- dead worker had claimed, so they are claimed again at once; only the
-- owner's claims release the owner's run; no API role may call the step.

begin;
select plan(7);

select lives_ok($$select tests.create_user('owner@run-jobs.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@run-jobs.test')$$, 'The stranger can be created.');

create temporary table claims_of (email text primary key, claims jsonb not null) on commit drop;
insert into claims_of
select u.email, pg_catalog.jsonb_build_object('sub', u.id, 'role', 'authenticated', 'email', u.email)
  from auth.users as u
 where u.email in ('owner@run-jobs.test', 'stranger@run-jobs.test');
create temporary table ids (name text primary key, id uuid) on commit drop;

select tests.authenticate_as(tests.get_user_id('owner@run-jobs.test'));
insert into public.prompt_templates (id, name) values ('70700000-0000-4000-8000-000000000001', 'about');
insert into public.prompt_template_versions (template_id, body)
values ('70700000-0000-4000-8000-000000000001', 'About {{topic}}.');
insert into public.datasets (id, name) values ('da700000-0000-4000-8000-000000000001', 'topics');
select tests.clear_authentication();
insert into ids values
  ('version', (select id from public.prompt_template_versions where template_id = '70700000-0000-4000-8000-000000000001')),
  ('dataset_version', (private.create_dataset_version((select claims from claims_of where email = 'owner@run-jobs.test'), null,
     'da700000-0000-4000-8000-000000000001', tests.get_user_id('owner@run-jobs.test')::text || '/t.csv') ->> 'id')::uuid);
select private.begin_dataset_ingest((select claims from claims_of where email = 'owner@run-jobs.test'), null,
  (select id from ids where name = 'dataset_version'));
select private.store_dataset_rows((select claims from claims_of where email = 'owner@run-jobs.test'), null,
  (select id from ids where name = 'dataset_version'), '["topic"]',
  '[{"line": 2, "values": {"topic": "tides"}}, {"line": 3, "values": {"topic": "fog"}}]', '[]', 3);
select private.finish_dataset_ingest((select claims from claims_of where email = 'owner@run-jobs.test'), null,
  (select id from ids where name = 'dataset_version'));
insert into ids values ('run', (private.create_batch_run((select claims from claims_of where email = 'owner@run-jobs.test'), null,
  pg_catalog.jsonb_build_object('template_version_id', (select id from ids where name = 'version'),
    'dataset_version_id', (select id from ids where name = 'dataset_version'),
    'parameters', '{"temperature": 0.5, "top_p": 0.9, "max_tokens": 16, "frequency_penalty": 0}'::jsonb,
    'responses_per_item', 2, 'model', 'gpt-4o', 'seed', 1)) ->> 'id')::uuid);

-- A worker claims three results and dies.
select private.claim_batch_results((select claims from claims_of where email = 'owner@run-jobs.test'), null,
  (select id from ids where name = 'run'), 3, 600);

-- Stranger ----------------------------------------------------------------------------------
select throws_ok(
  $$select private.release_batch_claims((select claims from claims_of where email = 'stranger@run-jobs.test'), null,
      (select id from ids where name = 'run'))$$,
  'LB404', 'Batch run not found: ' || (select id from ids where name = 'run')::text,
  'Stranger: the owner''s run cannot be released.');

-- Owner (the job's worker) ---------------------------------------------------------------------
select is(
  private.release_batch_claims((select claims from claims_of where email = 'owner@run-jobs.test'), null,
    (select id from ids where name = 'run')),
  3,
  'Owner: the dead worker''s three claims are released.');
select is(
  (select jsonb_array_length(private.claim_batch_results((select claims from claims_of where email = 'owner@run-jobs.test'), null,
    (select id from ids where name = 'run'), 10) -> 'results')),
  4,
  'Owner: the next claim gets every result at once, without waiting for the old leases.');

-- API roles ---------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@run-jobs.test'));
select throws_ok(
  $$select private.release_batch_claims('{}'::jsonb, null, '00000000-0000-4000-8000-000000000000')$$,
  '42501', 'permission denied for function release_batch_claims',
  'Authenticated: the step cannot be called through the API.');
select tests.authenticate_as_anon();
select throws_ok(
  $$select private.release_batch_claims('{}'::jsonb, null, '00000000-0000-4000-8000-000000000000')$$,
  '42501', 'permission denied for schema private',
  'Anonymous: the step cannot be called.');
select tests.clear_authentication();

select * from finish();
rollback;

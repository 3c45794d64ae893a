-- Datasets: the owner creates and renames datasets and reads their
-- versions, items and skips, may only cancel a version and never writes
-- items; the ingest steps act only for the claims' subject, store a batch
-- once however often it is sent, count a repeated row as a duplicate and
-- never store past a cancel; strangers and anonymous callers see nothing;
-- the datasets bucket keeps each user to their own folder.

begin;
select plan(33);

select lives_ok($$select tests.create_user('owner@datasets.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@datasets.test')$$, 'The stranger can be created.');

create temporary table claims_of (email text primary key, claims jsonb not null) on commit drop;
insert into claims_of
select u.email, pg_catalog.jsonb_build_object('sub', u.id, 'role', 'authenticated', 'email', u.email)
  from auth.users as u
 where u.email in ('owner@datasets.test', 'stranger@datasets.test');
grant select on claims_of to authenticated;

-- Owner through the Data API ----------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@datasets.test'));
select lives_ok(
  $$insert into public.datasets (id, name) values ('da000000-0000-4000-8000-000000000001', 'prompts')$$,
  'The owner can create a dataset without naming a user.');
select throws_ok(
  $$insert into public.datasets (name) values ('prompts')$$,
  '23505', 'duplicate key value violates unique constraint "datasets_user_id_name_key"',
  'Dataset names are unique per owner.');
select results_eq(
  $$update public.datasets set description = 'Autumn prompts' returning description$$,
  $$values ('Autumn prompts'::text)$$,
  'The owner can describe their dataset.');
select throws_ok(
  $$insert into public.dataset_versions (dataset_id, user_id, version, source_path)
    values ('da000000-0000-4000-8000-000000000001', tests.get_user_id('owner@datasets.test'), 1,
            tests.get_user_id('owner@datasets.test')::text || '/a.csv')$$,
  '42501', 'permission denied for table dataset_versions',
  'Versions are created by the ingest steps, not through the Data API.');
select tests.clear_authentication();

-- Ingest steps ------------------------------------------------------------------------------
select is(
  (private.create_dataset_version((select claims from claims_of where email = 'owner@datasets.test'), null,
    'da000000-0000-4000-8000-000000000001', tests.get_user_id('owner@datasets.test')::text || '/prompts.csv')
    - array['id', 'dataset_id', 'user_id', 'source_path', 'correlation_id', 'created_at', 'updated_at']) ->> 'version',
  '1',
  'The first version of a dataset is numbered 1.');
select throws_ok(
  $$select private.create_dataset_version((select claims from claims_of where email = 'owner@datasets.test'), null,
      'da000000-0000-4000-8000-000000000001', tests.get_user_id('stranger@datasets.test')::text || '/theirs.csv')$$,
  'LB400', 'The CSV must be in your own folder of the datasets bucket: ' || tests.get_user_id('owner@datasets.test')::text || '/…',
  'A version reads a CSV only from the owner''s own folder.');
select throws_ok(
  $$select private.create_dataset_version((select claims from claims_of where email = 'stranger@datasets.test'), null,
      'da000000-0000-4000-8000-000000000001', tests.get_user_id('stranger@datasets.test')::text || '/x.csv')$$,
  'LB404', 'Dataset not found: da000000-0000-4000-8000-000000000001',
  'A stranger cannot add a version to the owner''s dataset.');

create temporary table v on commit drop as
select id from public.dataset_versions where dataset_id = 'da000000-0000-4000-8000-000000000001';
grant select on v to authenticated;

select is(
  private.begin_dataset_ingest((select claims from claims_of where email = 'owner@datasets.test'), null,
    (select id from v)) ->> 'status',
  'running',
  'Beginning the ingest makes the version running.');
select throws_ok(
  $$select private.begin_dataset_ingest((select claims from claims_of where email = 'stranger@datasets.test'), null,
      (select id from v))$$,
  'LB404', 'Dataset version not found: ' || (select id from v)::text,
  'A stranger''s claims cannot begin the owner''s ingest.');

select is(
  private.store_dataset_rows((select claims from claims_of where email = 'owner@datasets.test'), null, (select id from v),
    '["topic"]',
    '[{"line": 2, "values": {"topic": "tides"}}, {"line": 3, "values": {"topic": "fog"}},
      {"line": 4, "values": {"topic": "tides"}}]',
    '[{"line": 5, "reason": "empty", "detail": "The row is empty"}]', 5),
  '{"status": "running", "checkpointLine": 5, "savedCount": 2, "skippedCount": 2,
    "skippedByReason": {"empty": 1, "duplicate": 1}}'::jsonb,
  'A batch saves its rows, skips a repeated row as a duplicate and counts both.');
select is(
  private.store_dataset_rows((select claims from claims_of where email = 'owner@datasets.test'), null, (select id from v),
    '["topic"]',
    '[{"line": 2, "values": {"topic": "tides"}}, {"line": 3, "values": {"topic": "fog"}},
      {"line": 4, "values": {"topic": "tides"}}]',
    '[{"line": 5, "reason": "empty", "detail": "The row is empty"}]', 5) ->> 'savedCount',
  '2',
  'The same batch sent again changes nothing.');
select is(
  private.store_dataset_rows((select claims from claims_of where email = 'owner@datasets.test'), null, (select id from v),
    '["topic"]', '[{"line": 5, "values": {"topic": "late"}}, {"line": 6, "values": {"topic": "rain"}}]', '[]', 6)
    - 'skippedByReason',
  '{"status": "running", "checkpointLine": 6, "savedCount": 3, "skippedCount": 2}'::jsonb,
  'Lines up to the checkpoint are never stored again.');
select throws_ok(
  $$select private.store_dataset_rows((select claims from claims_of where email = 'stranger@datasets.test'), null,
      (select id from v), '["topic"]', '[{"line": 9, "values": {"topic": "x"}}]', '[]', 9)$$,
  'LB404', 'Dataset version not found: ' || (select id from v)::text,
  'A stranger''s claims cannot store rows in the owner''s version.');

-- Owner reads and cancels --------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@datasets.test'));
select results_eq(
  $$select line_number, item_values ->> 'topic' from public.dataset_items order by line_number$$,
  $$values (2, 'tides'), (3, 'fog'), (6, 'rain')$$,
  'The owner reads their items with their lines.');
select results_eq(
  $$select line_number, reason from public.dataset_skips order by line_number$$,
  $$values (4, 'duplicate'::text), (5, 'empty'::text)$$,
  'The owner reads the skipped lines and why.');
select throws_ok(
  $$insert into public.dataset_items (dataset_version_id, user_id, line_number, item_values, content_hash)
    values ((select id from v), tests.get_user_id('owner@datasets.test'), 99, '{}', 'x')$$,
  '42501', 'permission denied for table dataset_items',
  'Items are written only by the ingest.');
select throws_ok(
  $$update public.dataset_versions set saved_count = 1000$$,
  '42501', 'permission denied for table dataset_versions',
  'The owner cannot rewrite a version''s counts.');
select throws_ok(
  $$update public.dataset_versions set status = 'completed'$$,
  '42501', 'A dataset version can only be cancelled by its owner',
  'The owner cannot mark their version completed.');
select results_eq(
  $$update public.dataset_versions set status = 'cancelled' returning status$$,
  $$values ('cancelled'::text)$$,
  'The owner can cancel their running ingest.');
select tests.clear_authentication();
select is(
  private.store_dataset_rows((select claims from claims_of where email = 'owner@datasets.test'), null, (select id from v),
    '["topic"]', '[{"line": 7, "values": {"topic": "after cancel"}}]', '[]', 7) ->> 'status',
  'cancelled',
  'A cancelled ingest stores nothing more.');
select is(
  private.begin_dataset_ingest((select claims from claims_of where email = 'owner@datasets.test'), null,
    (select id from v)) ->> 'status',
  'running',
  'A cancelled ingest can be resumed.');
select is(
  private.finish_dataset_ingest((select claims from claims_of where email = 'owner@datasets.test'), null,
    (select id from v)) ->> 'status',
  'completed',
  'A resumed ingest can finish as completed.');
select throws_ok(
  $$update public.dataset_versions set status = 'running'$$,
  '23514', 'Invalid dataset version status change: completed -> running',
  'A completed version never runs again.');

-- Who may call the steps ---------------------------------------------------------------------
select is_empty(
  $$select r.rolname, f.signature
      from (values ('anon'), ('authenticated')) as r(rolname)
     cross join (values ('private.create_dataset_version(jsonb, uuid, uuid, text, text, jsonb)'),
                        ('private.begin_dataset_ingest(jsonb, uuid, uuid)'),
                        ('private.store_dataset_rows(jsonb, uuid, uuid, jsonb, jsonb, jsonb, integer)'),
                        ('private.finish_dataset_ingest(jsonb, uuid, uuid, text)')) as f(signature)
     where pg_catalog.has_function_privilege(r.rolname, f.signature, 'execute')$$,
  'No user role may run the ingest steps with claims of its choosing.');

-- Stranger and anonymous ---------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@datasets.test'));
select is_empty($$select 1 from public.datasets$$, 'A stranger sees no dataset of the owner.');
select is_empty($$select 1 from public.dataset_items$$, 'A stranger sees no item of the owner.');
select is_empty($$select 1 from public.dataset_skips$$, 'A stranger sees no skip of the owner.');
select is_empty(
  $$update public.dataset_versions set status = 'cancelled' returning 1$$,
  'A stranger cannot cancel the owner''s versions.');
select throws_ok(
  $$insert into storage.objects (bucket_id, name)
    values ('datasets', tests.get_user_id('owner@datasets.test')::text || '/planted.csv')$$,
  '42501', 'new row violates row-level security policy for table "objects"',
  'A stranger cannot upload into the owner''s dataset folder.');
select tests.authenticate_as_anon();
select throws_ok($$select 1 from public.datasets$$, '42501', 'permission denied for table datasets',
  'Anonymous callers cannot read datasets.');
select throws_ok($$select 1 from public.dataset_items$$, '42501', 'permission denied for table dataset_items',
  'Anonymous callers cannot read items.');

select * from finish();
rollback;

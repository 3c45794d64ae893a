-- experiment_exports: owners request exports and move them through
-- pending -> running -> completed | failed (never back); strangers and
-- anonymous callers see and change nothing; only service_role deletes.

begin;
select plan(43);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');
select lives_ok(
  $$insert into public.experiment_exports (id, user_id, file_format, created_at, updated_at)
    values ('f0000000-0000-4000-8000-000000000001', tests.get_user_id('owner@lab.test'), 'csv', '2000-01-01', '2000-01-01'),
           ('f0000000-0000-4000-8000-000000000002', tests.get_user_id('owner@lab.test'), 'json', '2000-01-01', '2000-01-01')$$,
  'The owner has two pending exports last changed in 2000.');

-- Owner: requesting ---------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select tests.set_correlation_id('a0000000-0000-4000-8000-000000000001');

select lives_ok(
  $$insert into public.experiment_exports (file_format, request) values ('zip', '{"experimentIds": [], "tag": "mine"}')$$,
  'The owner can request an export naming only format and request.');
select results_eq(
  $$select user_id, status, correlation_id from public.experiment_exports where request ->> 'tag' = 'mine'$$,
  $$values (tests.get_user_id('owner@lab.test'), 'pending', 'a0000000-0000-4000-8000-000000000001'::uuid)$$,
  'A new export belongs to the caller, is pending and carries the request correlation id.');
select lives_ok($$insert into public.experiment_exports (file_format, status) values ('csv', 'running')$$,
  'An export may start as running.');
select throws_ok($$insert into public.experiment_exports (file_format, status) values ('csv', 'completed')$$,
  '23514', 'A new export must start as pending or running, not completed',
  'An export cannot start as completed.');
select throws_ok($$insert into public.experiment_exports (file_format, status) values ('csv', 'failed')$$,
  '23514', 'A new export must start as pending or running, not failed',
  'An export cannot start as failed.');
select throws_ok($$insert into public.experiment_exports (file_format) values ('pdf')$$,
  '23514', 'new row for relation "experiment_exports" violates check constraint "experiment_exports_format_check"',
  'An export format other than csv, json or zip is rejected.');
select throws_ok(
  $$insert into public.experiment_exports (id, file_format) values ('f0000000-0000-4000-8000-000000000009', 'csv')$$,
  '42501', 'permission denied for table experiment_exports', 'The owner cannot choose an export''s id.');
select throws_ok(
  $$insert into public.experiment_exports (user_id, file_format) values (tests.get_user_id('owner@lab.test'), 'csv')$$,
  '42501', 'permission denied for table experiment_exports', 'The owner cannot name user_id (column grant), not even their own.');

-- Owner: the status machine --------------------------------------------------------------------
select throws_ok(
  $$update public.experiment_exports set status = 'completed', storage_path = 'x', byte_size = 1, experiment_count = 1,
      response_count = 1, completed_at = now() where id = 'f0000000-0000-4000-8000-000000000001'$$,
  '23514', 'Invalid export status change: pending -> completed', 'A pending export cannot jump to completed.');
select results_eq(
  $$update public.experiment_exports set status = 'running' where id = 'f0000000-0000-4000-8000-000000000001'
    returning status, updated_at, created_at$$,
  $$values ('running', now(), '2000-01-01'::timestamptz)$$,
  'A pending export moves to running, and updated_at (not created_at) moves to now().');
select throws_ok(
  $$update public.experiment_exports set status = 'pending' where id = 'f0000000-0000-4000-8000-000000000001'$$,
  '23514', 'Invalid export status change: running -> pending', 'A running export cannot go back to pending.');
select throws_ok(
  $$update public.experiment_exports set status = 'completed' where id = 'f0000000-0000-4000-8000-000000000001'$$,
  '23514', 'new row for relation "experiment_exports" violates check constraint "experiment_exports_completed_check"',
  'A completed export needs its path, size, counts and completion time.');
select throws_ok(
  $$update public.experiment_exports set status = 'completed', storage_path = tests.get_user_id('owner@lab.test') || '/f0000000-0000-4000-8000-000000000001.csv',
      byte_size = 2048, experiment_count = 2, response_count = 6 where id = 'f0000000-0000-4000-8000-000000000001'$$,
  '23514', 'new row for relation "experiment_exports" violates check constraint "experiment_exports_completed_check"',
  'A completed export without completed_at is rejected.');
select lives_ok(
  $$update public.experiment_exports set status = 'completed', storage_path = tests.get_user_id('owner@lab.test') || '/f0000000-0000-4000-8000-000000000001.csv',
      byte_size = 2048, experiment_count = 2, response_count = 6, completed_at = now()
     where id = 'f0000000-0000-4000-8000-000000000001'$$,
  'A running export completes with its path, size, counts and completion time.');
select throws_ok(
  $$update public.experiment_exports set status = 'running' where id = 'f0000000-0000-4000-8000-000000000001'$$,
  '23514', 'Invalid export status change: completed -> running', 'A completed export cannot go back to running.');
select throws_ok(
  $$update public.experiment_exports set status = 'failed', error = 'late' where id = 'f0000000-0000-4000-8000-000000000001'$$,
  '23514', 'Invalid export status change: completed -> failed', 'A completed export cannot fail afterwards.');
select throws_ok(
  $$update public.experiment_exports set byte_size = 1 where id = 'f0000000-0000-4000-8000-000000000001'$$,
  '23514', 'A finished export cannot be changed', 'A completed export''s size cannot be changed.');
select throws_ok(
  $$update public.experiment_exports set storage_path = tests.get_user_id('owner@lab.test') || '/other.csv'
     where id = 'f0000000-0000-4000-8000-000000000001'$$,
  '23514', 'A finished export cannot be changed', 'A completed export''s file cannot be swapped.');
select throws_ok(
  $$update public.experiment_exports set completed_at = now() - interval '1 day'
     where id = 'f0000000-0000-4000-8000-000000000001'$$,
  '23514', 'A finished export cannot be changed', 'A completed export''s completion time cannot be rewritten.');
select lives_ok(
  $$update public.experiment_exports set file_url = 'https://example.test/signed', url_expires_at = now() + interval '1 hour'
     where id = 'f0000000-0000-4000-8000-000000000001'$$,
  'A completed export''s signed URL can be refreshed.');

select throws_ok(
  $$update public.experiment_exports set status = 'failed' where id = 'f0000000-0000-4000-8000-000000000002'$$,
  '23514', 'new row for relation "experiment_exports" violates check constraint "experiment_exports_failed_check"',
  'A failed export needs an error.');
select lives_ok(
  $$update public.experiment_exports set status = 'failed', error = 'No experiments matched the filter.'
     where id = 'f0000000-0000-4000-8000-000000000002'$$,
  'A pending export can fail directly, with its error.');
select throws_ok(
  $$update public.experiment_exports set status = 'pending' where id = 'f0000000-0000-4000-8000-000000000002'$$,
  '23514', 'Invalid export status change: failed -> pending', 'A failed export cannot be retried in place.');
select throws_ok(
  $$update public.experiment_exports set error = 'Something else.' where id = 'f0000000-0000-4000-8000-000000000002'$$,
  '23514', 'A finished export cannot be changed', 'A failed export''s error cannot be rewritten.');

select throws_ok(
  $$update public.experiment_exports set status = 'completed', storage_path = tests.get_user_id('stranger@lab.test') || '/x.csv',
      byte_size = 1, experiment_count = 1, response_count = 1, completed_at = now()
     where status = 'running' and request = '{}'$$,
  '23514', null,
  'An export''s storage_path must lie in its owner''s folder (<user id>/...), never another user''s.');

select throws_ok(
  $$update public.experiment_exports set user_id = tests.get_user_id('stranger@lab.test') where id = 'f0000000-0000-4000-8000-000000000002'$$,
  '42501', 'permission denied for table experiment_exports', 'The owner cannot hand an export to another user.');
select throws_ok($$delete from public.experiment_exports where id = 'f0000000-0000-4000-8000-000000000002'$$,
  '42501', 'permission denied for table experiment_exports', 'The owner cannot delete an export.');

-- Stranger -------------------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@lab.test'));

select is_empty($$select * from public.experiment_exports$$, 'A stranger sees none of the owner''s exports.');
select throws_ok(
  $$insert into public.experiment_exports (user_id, file_format) values (tests.get_user_id('owner@lab.test'), 'csv')$$,
  '42501', 'permission denied for table experiment_exports', 'A stranger cannot request an export in the owner''s name.');
select is_empty(
  $$update public.experiment_exports set file_url = 'https://evil.test/' where id = 'f0000000-0000-4000-8000-000000000001' returning id$$,
  'A stranger''s update of the owner''s export affects no row.');
select throws_ok($$delete from public.experiment_exports where id = 'f0000000-0000-4000-8000-000000000001'$$,
  '42501', 'permission denied for table experiment_exports', 'A stranger cannot delete the owner''s export.');

select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select results_eq(
  $$select file_url from public.experiment_exports where id = 'f0000000-0000-4000-8000-000000000001'$$,
  $$values ('https://example.test/signed')$$,
  'The owner''s export is unchanged after the stranger''s attempts.');

-- Anonymous -------------------------------------------------------------------------------------------
select tests.authenticate_as_anon();

select throws_ok($$select * from public.experiment_exports$$, '42501', 'permission denied for table experiment_exports',
  'Anonymous callers cannot read exports.');
select throws_ok($$insert into public.experiment_exports (file_format) values ('csv')$$,
  '42501', 'permission denied for table experiment_exports', 'Anonymous callers cannot request exports.');
select throws_ok($$update public.experiment_exports set file_url = null$$,
  '42501', 'permission denied for table experiment_exports', 'Anonymous callers cannot update exports.');
select throws_ok($$delete from public.experiment_exports$$,
  '42501', 'permission denied for table experiment_exports', 'Anonymous callers cannot delete exports.');

-- service_role ------------------------------------------------------------------------------------------
select tests.authenticate_as_service_role();

select results_eq($$select count(*)::int from public.experiment_exports$$, array[4], 'service_role reads every export.');
select lives_ok(
  $$insert into public.experiment_exports (id, user_id, file_format) values ('f0000000-0000-4000-8000-000000000003', tests.get_user_id('stranger@lab.test'), 'json')$$,
  'service_role can create an export for any user.');
select results_eq(
  $$update public.experiment_exports set status = 'running' where id = 'f0000000-0000-4000-8000-000000000003' returning status$$,
  $$values ('running')$$,
  'service_role can move any export forward.');
select results_eq(
  $$delete from public.experiment_exports where id = 'f0000000-0000-4000-8000-000000000002' returning id$$,
  $$values ('f0000000-0000-4000-8000-000000000002'::uuid)$$,
  'service_role can delete an export.');

select * from finish();
rollback;

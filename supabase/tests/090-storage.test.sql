-- Storage: the private `exports` bucket and its policies. A user may upload
-- and read objects only under <their uid>/ in that bucket; strangers and
-- anonymous callers see nothing.

begin;
select plan(23);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');

-- The bucket ----------------------------------------------------------------------------
select results_eq(
  $$select name, public, file_size_limit, allowed_mime_types from storage.buckets where id = 'exports'$$,
  $$values ('exports', false, 524288000::bigint, array['text/csv', 'application/json', 'application/zip'])$$,
  'The exports bucket exists, is private, takes files up to 500 MiB and only CSV, JSON and ZIP.');
select lives_ok(
  $$insert into storage.buckets (id, name, public) values ('avatars', 'avatars', false)$$,
  'Another bucket exists for comparison.');

-- Owner ---------------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));

select lives_ok(
  $$insert into storage.objects (bucket_id, name, owner_id)
    values ('exports', tests.get_user_id('owner@lab.test') || '/f1.csv', tests.get_user_id('owner@lab.test'))$$,
  'The owner can upload an export into their own folder.');
select lives_ok(
  $$insert into storage.objects (bucket_id, name) values ('exports', tests.get_user_id('owner@lab.test') || '/nested/f2.json')$$,
  'The owner can upload into a subfolder of their own folder.');
select throws_ok(
  $$insert into storage.objects (bucket_id, name) values ('exports', tests.get_user_id('stranger@lab.test') || '/x.csv')$$,
  '42501', 'new row violates row-level security policy for table "objects"',
  'The owner cannot upload into another user''s folder.');
select throws_ok(
  $$insert into storage.objects (bucket_id, name) values ('exports', 'x.csv')$$,
  '42501', 'new row violates row-level security policy for table "objects"',
  'The owner cannot upload to the bucket root.');
select throws_ok(
  $$insert into storage.objects (bucket_id, name) values ('exports', 'shared/' || tests.get_user_id('owner@lab.test') || '/x.csv')$$,
  '42501', 'new row violates row-level security policy for table "objects"',
  'The user id must be the first folder, not a deeper one.');
select throws_ok(
  $$insert into storage.objects (bucket_id, name) values ('avatars', tests.get_user_id('owner@lab.test') || '/x.png')$$,
  '42501', 'new row violates row-level security policy for table "objects"',
  'The exports policies grant nothing in other buckets.');
select results_eq(
  $$select name from storage.objects order by name$$,
  $$select tests.get_user_id('owner@lab.test') || suffix from (values ('/f1.csv'), ('/nested/f2.json')) v(suffix) order by 1$$,
  'The owner reads exactly their two exports.');

-- Stranger ---------------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@lab.test'));

select lives_ok(
  $$insert into storage.objects (bucket_id, name) values ('exports', tests.get_user_id('stranger@lab.test') || '/s1.csv')$$,
  'The stranger can upload into their own folder.');
select results_eq(
  $$select name from storage.objects$$,
  $$values (tests.get_user_id('stranger@lab.test') || '/s1.csv')$$,
  'The stranger reads only their own export, none of the owner''s.');
select throws_ok(
  $$insert into storage.objects (bucket_id, name) values ('exports', tests.get_user_id('owner@lab.test') || '/planted.csv')$$,
  '42501', 'new row violates row-level security policy for table "objects"',
  'The stranger cannot plant a file in the owner''s folder.');
select is_empty(
  $$update storage.objects set metadata = '{"tampered": true}'
     where name like tests.get_user_id('owner@lab.test') || '/%' returning name$$,
  'The stranger''s update of the owner''s objects affects no row.');
select is(set_config('storage.allow_delete_query', 'true', true), 'true', 'Deletes are let through as the Storage API lets them through.');
select is_empty(
  $$delete from storage.objects where name like tests.get_user_id('owner@lab.test') || '/%' returning name$$,
  'The stranger''s delete of the owner''s objects (even through the Storage API) affects no row.');

select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select results_eq(
  $$select count(*)::int, count(*) filter (where metadata is not null)::int from storage.objects$$,
  $$values (2, 0)$$,
  'The owner''s exports are still there, unchanged.');

-- Anonymous -----------------------------------------------------------------------------------------
select tests.authenticate_as_anon();

select is_empty($$select * from storage.objects$$, 'Anonymous callers see no objects.');
select throws_ok(
  $$insert into storage.objects (bucket_id, name) values ('exports', tests.get_user_id('owner@lab.test') || '/anon.csv')$$,
  '42501', 'new row violates row-level security policy for table "objects"',
  'Anonymous callers cannot upload exports.');
select is_empty($$select * from storage.buckets where id = 'exports'$$,
  'Anonymous callers cannot even see the exports bucket.');

-- service_role ------------------------------------------------------------------------------------------
select tests.authenticate_as_service_role();

select results_eq($$select count(*)::int from storage.objects where bucket_id = 'exports'$$, array[3],
  'service_role (the functions'' admin client) reads every export.');
select lives_ok(
  $$insert into storage.objects (bucket_id, name) values ('exports', tests.get_user_id('stranger@lab.test') || '/by-server.zip')$$,
  'service_role can store an export in any user''s folder.');

select * from finish();
rollback;

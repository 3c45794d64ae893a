-- Roles: the access token hook puts user_role into the claims; admins (by
-- that claim) read all telemetry and audit events and manage roles, and still
-- read nobody else's calibrations, prompts, responses or scores. Actors: the
-- admin, the owner of some data, a stranger, anonymous and service_role.

begin;
select plan(53);

select lives_ok($$select tests.create_user('admin@lab.test')$$, 'The admin can be created.');
select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');

-- The hook ------------------------------------------------------------------------------
select ok(has_function_privilege('supabase_auth_admin', 'public.custom_access_token_hook(jsonb)', 'execute'),
  'supabase_auth_admin may execute the access token hook.');
select is_empty(
  $$select r from unnest(array['anon', 'authenticated', 'service_role', 'public']) as r
     where r <> 'public' and has_function_privilege(r, 'public.custom_access_token_hook(jsonb)', 'execute')$$,
  'anon, authenticated and service_role may not execute the access token hook.');
select ok(has_table_privilege('supabase_auth_admin', 'public.user_roles', 'select')
          and not has_table_privilege('supabase_auth_admin', 'public.user_roles', 'insert'),
  'supabase_auth_admin may read user_roles and nothing more.');
select policy_roles_are('public', 'user_roles', 'Supabase Auth reads roles to issue tokens', array['supabase_auth_admin'],
  'Only supabase_auth_admin passes the hook''s read policy.');

select is(
  public.custom_access_token_hook(jsonb_build_object('user_id', tests.get_user_id('owner@lab.test'),
    'claims', '{"sub": "x", "role": "authenticated", "aal": "aal1"}'::jsonb)) -> 'claims',
  '{"sub": "x", "role": "authenticated", "aal": "aal1", "user_role": null}'::jsonb,
  'The hook keeps every claim and sets user_role to null for a user without a role.');

-- service_role grants the first admin --------------------------------------------------
select tests.authenticate_as_service_role();
select tests.set_correlation_id('a0000000-0000-4000-8000-000000000170');
select lives_ok(
  $$insert into public.user_roles (user_id, role) values (tests.get_user_id('admin@lab.test'), 'admin')$$,
  'service_role can grant the admin role.');
select results_eq(
  $$select user_id, event_data, source, correlation_id from public.audit_logs where event_type = 'role_granted'$$,
  $$values (tests.get_user_id('admin@lab.test'), '{"role": "admin", "actorId": null, "actorRole": "service_role"}'::jsonb,
            'database', 'a0000000-0000-4000-8000-000000000170'::uuid)$$,
  'The grant is audited: whose role, which, by whom, with the request''s correlation id.');
select tests.clear_authentication();
select is(
  public.custom_access_token_hook(jsonb_build_object('user_id', tests.get_user_id('admin@lab.test'),
    'claims', '{"role": "authenticated"}'::jsonb)) #>> '{claims,user_role}',
  'admin',
  'The hook puts user_role = admin into an admin''s claims.');

-- Fixtures: the owner's data and telemetry of everyone ---------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select lives_ok(
  $$select tests.create_experiment(tests.get_user_id('owner@lab.test'),
      tests.create_calibration(tests.get_user_id('owner@lab.test'), '17000000-0000-4000-8000-000000000001'),
      tests.make_responses('[[0.8, 0.6, 0.7, 0.9]]'), 900, '17000000-0000-4000-8000-000000000002')$$,
  'The owner stores a calibration and an experiment.');
select lives_ok($$insert into public.audit_logs (event_type) values ('page_viewed')$$,
  'The owner adds a client audit event.');
select lives_ok(
  $$insert into public.ratings (experiment_id, response_index, config_id, source, value)
    values ('17000000-0000-4000-8000-000000000002', 0, '00000000-0000-4000-8000-00000000c001', 'human', 5)$$,
  'The owner rates their response.');
select tests.authenticate_as_service_role();
select lives_ok(
  $$insert into public.system_metrics (user_id, route, method, status_code, latency_ms)
    values (tests.get_user_id('owner@lab.test'), '/generate', 'POST', 200, 900),
           (tests.get_user_id('stranger@lab.test'), '/calibration', 'POST', 400, 10),
           (null, '/health', 'GET', 200, 1)$$,
  'service_role records telemetry of the owner, the stranger and an anonymous caller.');

-- Admin ------------------------------------------------------------------------------------
select tests.authenticate_with_hook(tests.get_user_id('admin@lab.test'));

select results_eq($$select count(*)::int from public.system_metrics$$, array[3],
  'The admin reads all telemetry, anonymous requests included.');
select ok((select count(*) from public.audit_logs where event_type in ('page_viewed', 'role_granted')) = 2,
  'The admin reads every user''s audit events.');
select results_eq($$select count(*)::int from public.user_roles$$, array[1], 'The admin reads every role.');
select is_empty($$select * from public.experiments$$, 'The admin cannot read the owner''s experiments (prompts, responses, scores).');
select is_empty($$select * from public.calibrations$$, 'The admin cannot read the owner''s calibrations.');
select is_empty($$select * from public.analytics_summaries$$, 'The admin cannot read the owner''s analytics.');
select is_empty($$select * from public.experiment_exports$$, 'The admin cannot read the owner''s exports.');
select is_empty($$select * from public.ratings$$, 'The admin cannot read the owner''s ratings.');
select is_empty($$select * from public.rating_revisions$$, 'The admin cannot read the owner''s rating history.');
select throws_ok($$update public.system_metrics set latency_ms = 0$$,
  '42501', 'permission denied for table system_metrics', 'The admin cannot rewrite telemetry.');
select throws_ok($$delete from public.audit_logs$$,
  '42501', 'permission denied for table audit_logs', 'The admin cannot delete audit events.');

select tests.set_correlation_id('a0000000-0000-4000-8000-000000000171');
select lives_ok(
  $$insert into public.user_roles (user_id, role) values (tests.get_user_id('owner@lab.test'), 'admin')$$,
  'An admin can grant the admin role to another user.');
select results_eq(
  $$select granted_by from public.user_roles where user_id = tests.get_user_id('owner@lab.test')$$,
  $$values (tests.get_user_id('admin@lab.test'))$$,
  'The grant records the admin who made it.');
select results_eq(
  $$delete from public.user_roles where user_id = tests.get_user_id('owner@lab.test') returning role::text$$,
  $$values ('admin')$$,
  'An admin can revoke a role.');
select results_eq(
  $$select event_type, event_data ->> 'actorId' from public.audit_logs
     where user_id = tests.get_user_id('owner@lab.test') and event_type like 'role_%' order by event_type$$,
  $$values ('role_granted', tests.get_user_id('admin@lab.test')::text), ('role_revoked', tests.get_user_id('admin@lab.test')::text)$$,
  'Both changes are audited with the admin as the actor.');
select throws_ok(
  $$update public.user_roles set role = 'admin'$$,
  '42501', 'permission denied for table user_roles', 'Not even an admin can rewrite a role in place.');
select throws_ok(
  $$insert into public.user_roles (user_id, role, granted_by)
    values (tests.get_user_id('stranger@lab.test'), 'admin', tests.get_user_id('owner@lab.test'))$$,
  '42501', 'permission denied for table user_roles', 'An admin cannot put someone else''s name on a grant.');

-- Owner (not an admin) ------------------------------------------------------------------------
select tests.authenticate_with_hook(tests.get_user_id('owner@lab.test'));

select results_eq($$select count(*)::int from public.system_metrics$$, array[1],
  'The owner still reads only the telemetry of their own requests.');
select ok((select count(*) from public.audit_logs where user_id <> tests.get_user_id('owner@lab.test')) = 0,
  'The owner reads only their own audit events.');
select results_eq($$select count(*)::int from public.experiments$$, array[1], 'The owner reads their own experiment.');
select is_empty($$select * from public.user_roles$$, 'The owner has no role and sees nobody else''s.');

-- Stranger ---------------------------------------------------------------------------------------
select tests.authenticate_with_hook(tests.get_user_id('stranger@lab.test'));

select throws_ok(
  $$insert into public.user_roles (user_id, role) values (tests.get_user_id('stranger@lab.test'), 'admin')$$,
  '42501', 'new row violates row-level security policy for table "user_roles"',
  'A stranger cannot make themselves an admin.');
select is_empty(
  $$delete from public.user_roles where user_id = tests.get_user_id('admin@lab.test') returning user_id$$,
  'A stranger cannot revoke the admin''s role (no row matches).');
select is_empty($$select * from public.user_roles$$, 'A stranger cannot see who the admins are.');
select results_eq($$select count(*)::int from public.system_metrics$$, array[1],
  'A stranger reads only their own telemetry.');

-- A forged claim in user_metadata is ignored --------------------------------------------------
select lives_ok(
  $$select set_config('request.jwt.claims',
      jsonb_build_object('sub', tests.get_user_id('stranger@lab.test'), 'role', 'authenticated',
                         'user_metadata', '{"user_role": "admin"}'::jsonb,
                         'app_metadata', '{"user_role": "admin"}'::jsonb)::text,
      true)$$,
  'The stranger forges user_role in user and app metadata.');
select results_eq($$select count(*)::int from public.system_metrics$$, array[1],
  'Only the top-level user_role claim the hook signs counts, not user or app metadata.');

-- Anonymous ----------------------------------------------------------------------------------------
select tests.authenticate_as_anon();

select throws_ok($$select * from public.user_roles$$, '42501', 'permission denied for table user_roles',
  'Anonymous callers cannot read roles.');
select throws_ok(
  $$insert into public.user_roles (user_id, role) values (tests.get_user_id('stranger@lab.test'), 'admin')$$,
  '42501', 'permission denied for table user_roles', 'Anonymous callers cannot grant roles.');
select throws_ok($$select public.custom_access_token_hook('{}')$$, '42501',
  'permission denied for function custom_access_token_hook', 'Anonymous callers cannot run the hook.');

-- service_role ---------------------------------------------------------------------------------------
select tests.authenticate_as_service_role();

select results_eq($$select count(*)::int from public.user_roles$$, array[1], 'service_role reads every role.');
select throws_ok($$select public.custom_access_token_hook('{}')$$, '42501',
  'permission denied for function custom_access_token_hook', 'service_role cannot run the hook.');
select results_eq(
  $$delete from public.user_roles where user_id = tests.get_user_id('admin@lab.test') returning role::text$$,
  $$values ('admin')$$,
  'service_role can revoke a role.');
select results_eq(
  $$select count(*)::int from public.audit_logs where event_type = 'role_revoked' and event_data ->> 'actorRole' = 'service_role'$$,
  array[1],
  'The service role''s revocation is audited too.');

-- Authenticated users cannot run the hook to mint claims --------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select throws_ok($$select public.custom_access_token_hook('{}')$$, '42501',
  'permission denied for function custom_access_token_hook', 'A signed-in user cannot run the hook.');

-- A deleted account's roles go with it ------------------------------------------------------------
select tests.clear_authentication();
select lives_ok(
  $$insert into public.user_roles (user_id, role) values (tests.get_user_id('stranger@lab.test'), 'admin')$$,
  'The database owner can grant a role too (the dashboard''s SQL editor).');
select lives_ok($$delete from auth.users where id = tests.get_user_id('stranger@lab.test')$$,
  'The stranger''s account can be deleted.');
select is_empty($$select * from public.user_roles where role = 'admin'$$,
  'Deleting an account deletes its roles.');

select * from finish();
rollback;

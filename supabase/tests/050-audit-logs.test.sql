-- audit_logs: append-only for every role. Users read their own events and
-- may add `client` events of their own; private.record_audit_event writes
-- server events for the caller (any user for service_role) with the request
-- correlation id.

begin;
select plan(44);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');

-- Owner: client events ----------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select tests.set_correlation_id('a0000000-0000-4000-8000-000000000001');

select lives_ok(
  $$insert into public.audit_logs (event_type, event_data) values ('export_button_clicked', '{"format": "csv"}')$$,
  'The owner can add a client event without naming a user or source.');
select results_eq(
  $$select user_id, source, correlation_id, event_data from public.audit_logs where event_type = 'export_button_clicked'$$,
  $$values (tests.get_user_id('owner@lab.test'), 'client', 'a0000000-0000-4000-8000-000000000001'::uuid, '{"format": "csv"}'::jsonb)$$,
  'A client event belongs to the caller, has source client and the request correlation id.');
select throws_ok(
  $$insert into public.audit_logs (event_type, source) values ('experiment_generated', 'server')$$,
  '42501', 'new row violates row-level security policy for table "audit_logs"',
  'The owner cannot forge a server event.');
select throws_ok(
  $$insert into public.audit_logs (event_type, source) values ('analytics_updated', 'database')$$,
  '42501', 'new row violates row-level security policy for table "audit_logs"',
  'The owner cannot forge a database event.');
select throws_ok(
  $$insert into public.audit_logs (user_id, event_type) values (tests.get_user_id('owner@lab.test'), 'page_viewed')$$,
  '42501', 'permission denied for table audit_logs',
  'The owner cannot name user_id at all (column grant), not even their own.');

-- Owner: record_audit_event --------------------------------------------------------------
select isnt(
  private.record_audit_event('calibration_completed', '{"calibrationId": "x"}'),
  null,
  'The owner can record a server event through private.record_audit_event.');
select results_eq(
  $$select user_id, source, correlation_id from public.audit_logs where event_type = 'calibration_completed'$$,
  $$values (tests.get_user_id('owner@lab.test'), 'server', 'a0000000-0000-4000-8000-000000000001'::uuid)$$,
  'record_audit_event writes the caller''s own event with the correlation id from app.correlation_id.');
select lives_ok(
  $$select private.record_audit_event('generation_started', '{}', 'database', tests.get_user_id('owner@lab.test'),
                                      'a0000000-0000-4000-8000-000000000002')$$,
  'The owner may name themselves and an explicit correlation id.');
select results_eq(
  $$select source, correlation_id from public.audit_logs where event_type = 'generation_started'$$,
  $$values ('database', 'a0000000-0000-4000-8000-000000000002'::uuid)$$,
  'An explicit correlation id wins over app.correlation_id.');
select throws_ok(
  $$select private.record_audit_event('experiment_generated', '{}', 'server', tests.get_user_id('stranger@lab.test'))$$,
  '42501', 'Cannot record an audit event for another user',
  'record_audit_event refuses another user''s id for an authenticated caller.');
select throws_ok(
  $$select private.record_audit_event('experiment_generated', '{}', 'client')$$,
  '22023', 'Invalid audit source: client',
  'record_audit_event only writes server and database events.');
select results_eq($$select count(*)::int from public.audit_logs$$, array[3], 'The owner reads their three events.');
select is(set_config('app.correlation_id', 'not-a-uuid', true), 'not-a-uuid', 'A request can carry a malformed correlation id.');
select is(private.current_correlation_id(), null::uuid, 'A malformed correlation id reads as null rather than failing the request.');

-- Owner: append-only ------------------------------------------------------------------------
select throws_ok($$update public.audit_logs set event_data = '{}'$$,
  '42501', 'permission denied for table audit_logs', 'The owner cannot update their events.');
select throws_ok($$delete from public.audit_logs$$,
  '42501', 'permission denied for table audit_logs', 'The owner cannot delete their events.');
select throws_ok($$truncate public.audit_logs$$,
  '42501', 'permission denied for table audit_logs', 'The owner cannot truncate the audit trail.');

-- Stranger ---------------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@lab.test'));

select is_empty($$select * from public.audit_logs$$, 'A stranger sees none of the owner''s events.');
select throws_ok(
  $$insert into public.audit_logs (user_id, event_type) values (tests.get_user_id('owner@lab.test'), 'page_viewed')$$,
  '42501', 'permission denied for table audit_logs', 'A stranger cannot add an event in the owner''s name.');
select throws_ok($$update public.audit_logs set event_data = '{}'$$,
  '42501', 'permission denied for table audit_logs', 'A stranger cannot update the owner''s events.');
select throws_ok($$delete from public.audit_logs$$,
  '42501', 'permission denied for table audit_logs', 'A stranger cannot delete the owner''s events.');
select throws_ok(
  $$select private.record_audit_event('page_viewed', '{}', 'server', tests.get_user_id('owner@lab.test'))$$,
  '42501', 'Cannot record an audit event for another user',
  'A stranger cannot record a server event for the owner.');

-- Anonymous -----------------------------------------------------------------------------------------
select tests.authenticate_as_anon();

select throws_ok($$select * from public.audit_logs$$, '42501', 'permission denied for table audit_logs',
  'Anonymous callers cannot read audit events.');
select throws_ok($$insert into public.audit_logs (event_type) values ('page_viewed')$$,
  '42501', 'permission denied for table audit_logs', 'Anonymous callers cannot add audit events.');
select throws_ok($$update public.audit_logs set event_data = '{}'$$,
  '42501', 'permission denied for table audit_logs', 'Anonymous callers cannot update audit events.');
select throws_ok($$delete from public.audit_logs$$,
  '42501', 'permission denied for table audit_logs', 'Anonymous callers cannot delete audit events.');
select throws_ok($$select private.record_audit_event('page_viewed')$$,
  '42501', 'permission denied for schema private', 'Anonymous callers cannot call record_audit_event.');

-- service_role ----------------------------------------------------------------------------------------
select tests.authenticate_as_service_role();
select tests.set_correlation_id('a0000000-0000-4000-8000-000000000003');

select lives_ok(
  $$select private.record_audit_event('experiment_generated', '{"responses": 3}', 'server', tests.get_user_id('stranger@lab.test'))$$,
  'service_role can record a server event for any user.');
select lives_ok($$select private.record_audit_event('request_failed', '{"code": "unauthorized"}')$$,
  'service_role can record an event that concerns no user.');
select results_eq(
  $$select user_id, source from public.audit_logs where correlation_id = 'a0000000-0000-4000-8000-000000000003' order by event_type$$,
  $$values (tests.get_user_id('stranger@lab.test'), 'server'), (null::uuid, 'server')$$,
  'service_role''s events carry the named user (or none) and the request correlation id.');
select lives_ok(
  $$insert into public.audit_logs (user_id, event_type, source) values (tests.get_user_id('owner@lab.test'), 'realtime_joined', 'realtime')$$,
  'service_role can insert any event directly.');
select results_eq($$select count(*)::int from public.audit_logs$$, array[6], 'service_role reads every event.');
select throws_ok($$update public.audit_logs set event_data = '{}'$$,
  '42501', 'permission denied for table audit_logs', 'service_role cannot update audit events.');
select throws_ok($$delete from public.audit_logs$$,
  '42501', 'permission denied for table audit_logs', 'service_role cannot delete audit events.');
select throws_ok($$truncate public.audit_logs$$,
  '42501', 'permission denied for table audit_logs', 'service_role cannot truncate the audit trail.');

-- The table owner (lab_postgres) --------------------------------------------------------------------------
select tests.clear_authentication();

select throws_ok($$update public.audit_logs set event_data = '{"edited": true}'$$,
  '42501', 'audit_logs is append-only: update is not allowed', 'Not even the table owner can update an audit event.');
select throws_ok($$delete from public.audit_logs$$,
  '42501', 'audit_logs is append-only: delete is not allowed', 'Not even the table owner can delete an audit event.');
select throws_ok($$truncate public.audit_logs$$,
  '42501', 'audit_logs is append-only: truncate is not allowed', 'Not even the table owner can truncate the audit trail.');
select results_eq(
  $$select count(*)::int, count(*) filter (where event_data ? 'edited')::int from public.audit_logs$$,
  $$values (6, 0)$$,
  'Every event is still there, unchanged.');
select lives_ok($$select private.record_audit_event('maintenance_run')$$,
  'The database itself (no JWT claims) can record an event like service_role.');

select lives_ok($$delete from auth.users where id = tests.get_user_id('owner@lab.test')$$,
  'The owner''s account can be deleted.');
select results_eq(
  $$select count(*)::int from public.audit_logs where event_type in ('export_button_clicked', 'calibration_completed', 'realtime_joined')$$,
  array[3],
  'The owner''s audit trail outlives the account.');

select * from finish();
rollback;

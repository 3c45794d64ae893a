-- Live feeds (20261202004000_live_feeds.sql): the realtime.messages policy
-- that Realtime Authorization evaluates for a private join, per actor, and
-- the triggers that send experiments, analytics and export progress to
-- their owner's private topics.

begin;
select plan(24);

/**
 * Realtime's join check, as supabase/realtime tenants/authorization.ex runs
 * it: a probe broadcast row of the topic is inserted by the server's own
 * role, then read back as the joining actor with realtime.topic set.
 */
create function tests.can_join(actor uuid, topic text, actor_role text default 'authenticated')
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  probe uuid := pg_catalog.gen_random_uuid();
  visible boolean;
begin
  perform tests.clear_authentication();
  insert into realtime.messages (id, topic, extension, private)
  values (probe, can_join.topic, 'broadcast', true);
  perform pg_catalog.set_config('realtime.topic', can_join.topic, true);
  if can_join.actor_role = 'anon' then
    perform tests.authenticate_as_anon();
  elsif can_join.actor_role = 'service_role' then
    perform tests.authenticate_as_service_role();
  else
    perform tests.authenticate_as(can_join.actor);
  end if;
  select exists (select 1 from realtime.messages m where m.id = probe) into visible;
  perform tests.clear_authentication();
  delete from realtime.messages m where m.id = probe;
  return visible;
end
$$;
grant execute on function tests.can_join(uuid, text, text) to anon, authenticated, service_role;

select tests.create_user('feeds-owner@test.local');
select tests.create_user('feeds-stranger@test.local');
select tests.create_calibration(tests.get_user_id('feeds-owner@test.local'), 'ca1b0000-0000-4000-8000-00000000f001');

-- the owner --------------------------------------------------------------------
select ok(tests.can_join(tests.get_user_id('feeds-owner@test.local'),
            'experiments:' || tests.get_user_id('feeds-owner@test.local')),
  'The owner may join their experiments topic.');
select ok(tests.can_join(tests.get_user_id('feeds-owner@test.local'),
            'analytics:' || tests.get_user_id('feeds-owner@test.local')),
  'The owner may join their analytics topic.');

insert into public.experiment_exports (id, user_id, file_format)
values ('e0000000-0000-4000-8000-00000000f001', tests.get_user_id('feeds-owner@test.local'), 'csv');
select ok(tests.can_join(tests.get_user_id('feeds-owner@test.local'), 'job:e0000000-0000-4000-8000-00000000f001'),
  'The owner may join the topic of their export job.');
select ok(not tests.can_join(tests.get_user_id('feeds-owner@test.local'), 'job:e0000000-0000-4000-8000-00000000f002'),
  'Nobody may join the topic of a job that does not exist.');
select ok(not tests.can_join(tests.get_user_id('feeds-owner@test.local'), 'job:not-a-uuid'),
  'A job topic that is not a uuid is refused, not an error.');
select ok(not tests.can_join(tests.get_user_id('feeds-owner@test.local'), 'experiments:*'),
  'A wildcard-looking topic is just another topic, and refused.');
select ok(not tests.can_join(tests.get_user_id('feeds-owner@test.local'),
            'Experiments:' || tests.get_user_id('feeds-owner@test.local')),
  'Topics are case-sensitive: a differently cased topic is refused.');

-- the stranger -----------------------------------------------------------------
select ok(not tests.can_join(tests.get_user_id('feeds-stranger@test.local'),
            'experiments:' || tests.get_user_id('feeds-owner@test.local')),
  'A stranger may not join the owner''s experiments topic.');
select ok(not tests.can_join(tests.get_user_id('feeds-stranger@test.local'),
            'analytics:' || tests.get_user_id('feeds-owner@test.local')),
  'A stranger may not join the owner''s analytics topic.');
select ok(not tests.can_join(tests.get_user_id('feeds-stranger@test.local'), 'job:e0000000-0000-4000-8000-00000000f001'),
  'A stranger may not join the topic of the owner''s export job.');
select ok(tests.can_join(tests.get_user_id('feeds-stranger@test.local'),
            'experiments:' || tests.get_user_id('feeds-stranger@test.local')),
  'A stranger may join their own experiments topic.');

-- anonymous and service_role ---------------------------------------------------
select ok(not tests.can_join(null, 'experiments:' || tests.get_user_id('feeds-owner@test.local'), 'anon'),
  'Anonymous callers may not join an experiments topic.');
select ok(not tests.can_join(null, 'job:e0000000-0000-4000-8000-00000000f001', 'anon'),
  'Anonymous callers may not join a job topic.');
select ok(tests.can_join(null, 'experiments:' || tests.get_user_id('feeds-owner@test.local'), 'service_role'),
  'service_role bypasses RLS and may join any topic, as on Supabase.');

-- no client writes to the feeds ------------------------------------------------
select tests.authenticate_as(tests.get_user_id('feeds-owner@test.local'));
select set_config('realtime.topic', 'experiments:' || tests.get_user_id('feeds-owner@test.local'), true);
select throws_ok(
  format($$insert into realtime.messages (topic, extension, event, payload, private)
           values ('experiments:%s', 'broadcast', 'INSERT', '{}', true)$$, tests.get_user_id('feeds-owner@test.local')),
  '42501', 'new row violates row-level security policy for table "messages"',
  'The owner may not broadcast on their own feed: only the triggers do.');
select tests.authenticate_as_anon();
select throws_ok(
  $$insert into realtime.messages (topic, extension, event, payload, private)
    values ('experiments:x', 'broadcast', 'INSERT', '{}', true)$$,
  '42501', 'new row violates row-level security policy for table "messages"',
  'Anonymous callers may not write realtime.messages.');
select tests.clear_authentication();

-- the triggers -----------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('feeds-owner@test.local'));
select tests.create_experiment(tests.get_user_id('feeds-owner@test.local'), 'ca1b0000-0000-4000-8000-00000000f001',
  tests.make_responses('[[0.8, 0.6, 0.7, 0.9]]'), 1200, 'e1000000-0000-4000-8000-00000000f001');
select tests.clear_authentication();

select is(
  (select m.payload -> 'record' ->> 'id' from realtime.messages m
    where m.topic = 'experiments:' || tests.get_user_id('feeds-owner@test.local') and m.event = 'INSERT'),
  'e1000000-0000-4000-8000-00000000f001',
  'A new experiment is sent to its owner''s experiments topic as event INSERT with the row as record.');
select is(
  (select pg_catalog.jsonb_build_array(m.private, m.extension, m.payload ->> 'operation', m.payload ->> 'table',
                                       m.payload ->> 'schema', m.payload -> 'old_record')
     from realtime.messages m
    where m.topic = 'experiments:' || tests.get_user_id('feeds-owner@test.local') and m.event = 'INSERT'),
  '[true, "broadcast", "INSERT", "experiments", "public", null]'::jsonb,
  'The experiment message is private and shaped as realtime.broadcast_changes makes it.');
select is(
  (select m.payload -> 'record' -> 'metrics_summary' ->> 'count' from realtime.messages m
    where m.topic = 'analytics:' || tests.get_user_id('feeds-owner@test.local') and m.event = 'INSERT'),
  '1',
  'The analytics summary the experiment created is sent to the owner''s analytics topic.');
select is(
  (select count(*)::int from realtime.messages m
    where m.topic like '%' || tests.get_user_id('feeds-stranger@test.local') || '%'),
  0,
  'Nothing of the owner''s goes to a topic of the stranger.');

update public.experiments set saved = true where id = 'e1000000-0000-4000-8000-00000000f001';
select is(
  (select m.payload -> 'old_record' ->> 'saved' from realtime.messages m
    where m.topic = 'experiments:' || tests.get_user_id('feeds-owner@test.local') and m.event = 'UPDATE'),
  'false',
  'An update is sent as event UPDATE with the old row.');

select is(
  (select m.payload ->> 'status' from realtime.messages m
    where m.topic = 'job:e0000000-0000-4000-8000-00000000f001' and m.event = 'progress'),
  'pending',
  'A new export job sends its pending state to its job topic.');
update public.experiment_exports set status = 'running' where id = 'e0000000-0000-4000-8000-00000000f001';
update public.experiment_exports set error = 'x' where id = 'e0000000-0000-4000-8000-00000000f001';
select is(
  (select pg_catalog.array_agg(m.payload ->> 'status' order by m.payload ->> 'status')
     from realtime.messages m where m.topic = 'job:e0000000-0000-4000-8000-00000000f001'),
  array['pending', 'running'],
  'Each status change sends one progress message; other updates send none.');

-- what a user reads through their join -----------------------------------------
select tests.authenticate_as(tests.get_user_id('feeds-stranger@test.local'));
select set_config('realtime.topic', 'experiments:' || tests.get_user_id('feeds-owner@test.local'), true);
select is_empty(
  $$select 1 from realtime.messages$$,
  'A stranger who sets the owner''s topic still reads none of its messages.');
select tests.clear_authentication();

select * from finish();
rollback;

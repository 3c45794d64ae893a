-- Test helpers shared by every pgTAP file: create users, switch the actor
-- (owner, stranger, anonymous, service_role) the way PostgREST does, set the
-- request correlation id and build experiment responses with known metrics.
-- This file commits: the `tests` schema outlives it, the other files roll back.

begin;
select plan(17);

create schema if not exists tests;
comment on schema tests is 'pgTAP helpers: users, actor switching and fixtures. Never deployed.';
grant usage on schema tests to anon, authenticated, service_role;

/** Creates a confirmed-looking email user in auth.users and returns its id. */
create or replace function tests.create_user(email text) returns uuid
language plpgsql
set search_path = ''
as $$
declare
  new_id uuid := pg_catalog.gen_random_uuid();
begin
  insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  values (new_id, 'authenticated', 'authenticated', create_user.email,
          '{"provider":"email"}'::jsonb, '{}'::jsonb, pg_catalog.now(), pg_catalog.now());
  return new_id;
end
$$;
comment on function tests.create_user(text) is 'Inserts an email user into auth.users and returns its id.';

/** The id of the test user with this email, readable whoever the current actor is. */
create or replace function tests.get_user_id(email text) returns uuid
language plpgsql stable
security definer
set search_path = ''
as $$
declare
  found_id uuid;
begin
  select u.id into found_id from auth.users as u where u.email = get_user_id.email;
  if found_id is null then
    raise exception 'No test user with email %', get_user_id.email;
  end if;
  return found_id;
end
$$;
comment on function tests.get_user_id(text) is 'Looks up a test user''s id by email (security definer so any actor can call it).';

/** Back to the session user (lab_postgres) with no JWT claims. */
create or replace function tests.clear_authentication() returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('role', 'none', true);
  perform pg_catalog.set_config('request.jwt.claims', '', true);
end
$$;
comment on function tests.clear_authentication() is 'Resets the role to the session user and clears request.jwt.claims for the rest of the transaction.';

/** Acts as the given user: role authenticated with that user's JWT claims, as PostgREST sets them. */
create or replace function tests.authenticate_as(user_id uuid) returns void
language plpgsql
set search_path = ''
as $$
declare
  claims jsonb;
begin
  perform tests.clear_authentication();
  select pg_catalog.jsonb_build_object('sub', u.id, 'role', 'authenticated', 'aud', 'authenticated', 'email', u.email)
    into claims
    from auth.users as u
   where u.id = authenticate_as.user_id;
  if claims is null then
    raise exception 'No test user with id %', authenticate_as.user_id;
  end if;
  perform pg_catalog.set_config('request.jwt.claims', claims::text, true);
  perform pg_catalog.set_config('role', 'authenticated', true);
end
$$;
comment on function tests.authenticate_as(uuid) is 'Switches to role authenticated with the claims {sub, role, aud, email} of the given user.';

/**
 * Acts as the given user with the claims Supabase Auth would sign for them:
 * {sub, role, aud, email} passed through public.custom_access_token_hook
 * (which adds user_role), then role authenticated.
 */
create or replace function tests.authenticate_with_hook(user_id uuid) returns void
language plpgsql
set search_path = ''
as $$
declare
  claims jsonb;
begin
  perform tests.clear_authentication();
  select public.custom_access_token_hook(pg_catalog.jsonb_build_object(
           'user_id', u.id,
           'authentication_method', 'password',
           'claims', pg_catalog.jsonb_build_object('sub', u.id, 'role', 'authenticated', 'aud', 'authenticated',
                                                   'email', u.email))) -> 'claims'
    into claims
    from auth.users as u
   where u.id = authenticate_with_hook.user_id;
  if claims is null then
    raise exception 'No test user with id %', authenticate_with_hook.user_id;
  end if;
  perform pg_catalog.set_config('request.jwt.claims', claims::text, true);
  perform pg_catalog.set_config('role', 'authenticated', true);
end
$$;
comment on function tests.authenticate_with_hook(uuid) is 'Switches to role authenticated with the claims the access token hook gives the user (user_role included).';

/** Acts as an anonymous API caller: role anon, claims {role: anon}. */
create or replace function tests.authenticate_as_anon() returns void
language plpgsql
set search_path = ''
as $$
begin
  perform tests.clear_authentication();
  perform pg_catalog.set_config('request.jwt.claims', '{"role":"anon"}', true);
  perform pg_catalog.set_config('role', 'anon', true);
end
$$;
comment on function tests.authenticate_as_anon() is 'Switches to role anon with the claims of the anon key.';

/** Acts as the service role (functions' admin client): role service_role, claims without sub. */
create or replace function tests.authenticate_as_service_role() returns void
language plpgsql
set search_path = ''
as $$
begin
  perform tests.clear_authentication();
  perform pg_catalog.set_config('request.jwt.claims', '{"role":"service_role"}', true);
  perform pg_catalog.set_config('role', 'service_role', true);
end
$$;
comment on function tests.authenticate_as_service_role() is 'Switches to role service_role with the claims of the service key (no sub).';

/** Sets app.correlation_id for the rest of the transaction, as the functions do per request. */
create or replace function tests.set_correlation_id(correlation_id uuid) returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('app.correlation_id', coalesce(set_correlation_id.correlation_id::text, ''), true);
end
$$;
comment on function tests.set_correlation_id(uuid) is 'Sets (or with null clears) app.correlation_id locally.';

/**
 * Builds an experiment's responses array. scores is a JSON array with one item
 * per response: [creativity, coherence, structure, completeness] for a
 * succeeded response, null for a failed one (which has an error, no metrics).
 */
create or replace function tests.make_responses(scores jsonb) returns jsonb
language sql immutable
set search_path = ''
as $$
  select coalesce(pg_catalog.jsonb_agg(
    case when s.score = 'null'::jsonb then
      pg_catalog.jsonb_build_object(
        'index', s.i - 1, 'status', 'failed', 'text', '',
        'parameters', pg_catalog.jsonb_build_object('temperature', 0.7, 'top_p', 0.9, 'max_tokens', 256, 'frequency_penalty', 0),
        'error', pg_catalog.jsonb_build_object('code', 'upstream_error', 'message', 'The model call failed.'))
    else
      pg_catalog.jsonb_build_object(
        'index', s.i - 1, 'status', 'succeeded', 'text', 'Response ' || s.i,
        'parameters', pg_catalog.jsonb_build_object('temperature', 0.7, 'top_p', 0.9, 'max_tokens', 256, 'frequency_penalty', 0),
        'metrics', pg_catalog.jsonb_build_object(
          'creativity', s.score -> 0, 'coherence', s.score -> 1,
          'structure', s.score -> 2, 'completeness', s.score -> 3))
    end order by s.i), '[]'::jsonb)
  from pg_catalog.jsonb_array_elements(scores) with ordinality as s(score, i)
$$;
comment on function tests.make_responses(jsonb) is 'Builds a responses array from [[creativity, coherence, structure, completeness] | null, ...].';

/** Inserts a valid calibration for user_id as the current actor and returns its id. */
create or replace function tests.create_calibration(user_id uuid, id uuid default null) returns uuid
language plpgsql
set search_path = ''
as $$
declare
  new_id uuid := coalesce(create_calibration.id, pg_catalog.gen_random_uuid());
begin
  insert into public.calibrations (
    id, user_id, mode, questionnaire_version, answers,
    temperature_min, temperature_max, top_p_min, top_p_max,
    max_tokens_min, max_tokens_max, frequency_penalty_min, frequency_penalty_max)
  values (new_id, create_calibration.user_id, 'quick', 'v1', '{"q1":"a"}'::jsonb,
          0.2, 1.2, 0.5, 0.95, 128, 1024, 0, 0.5);
  return new_id;
end
$$;
comment on function tests.create_calibration(uuid, uuid) is 'Fixture: a valid quick calibration for the user, inserted as the current actor.';

/** Inserts an experiment as the current actor and returns its id. */
create or replace function tests.create_experiment(
  user_id uuid, calibration_id uuid, responses jsonb,
  latency_ms integer default 1000, id uuid default null, discarded boolean default false
) returns uuid
language plpgsql
set search_path = ''
as $$
declare
  new_id uuid := coalesce(create_experiment.id, pg_catalog.gen_random_uuid());
begin
  insert into public.experiments (id, user_id, calibration_id, prompt, model, parameters, responses, status, latency_ms, discarded)
  values (new_id, create_experiment.user_id, create_experiment.calibration_id, 'Write a haiku about tides.', 'test-model',
          '{"seed": 7}'::jsonb, create_experiment.responses, 'completed', create_experiment.latency_ms,
          create_experiment.discarded);
  return new_id;
end
$$;
comment on function tests.create_experiment(uuid, uuid, jsonb, integer, uuid, boolean) is 'Fixture: an experiment with the given responses, inserted as the current actor.';

revoke all on all functions in schema tests from public;
grant execute on all functions in schema tests to anon, authenticated, service_role;

select has_schema('tests', 'The tests schema exists.');
select has_function('tests', 'create_user', array['text'], 'tests.create_user(email) exists.');
select has_function('tests', 'get_user_id', array['text'], 'tests.get_user_id(email) exists.');
select has_function('tests', 'authenticate_as', array['uuid'], 'tests.authenticate_as(user_id) exists.');
select has_function('tests', 'authenticate_with_hook', array['uuid'], 'tests.authenticate_with_hook(user_id) exists.');
select has_function('tests', 'authenticate_as_anon', array[]::text[], 'tests.authenticate_as_anon() exists.');
select has_function('tests', 'authenticate_as_service_role', array[]::text[], 'tests.authenticate_as_service_role() exists.');
select has_function('tests', 'clear_authentication', array[]::text[], 'tests.clear_authentication() exists.');
select has_function('tests', 'set_correlation_id', array['uuid'], 'tests.set_correlation_id(uuid) exists.');
select has_function('tests', 'make_responses', array['jsonb'], 'tests.make_responses(scores) exists.');
select has_function('tests', 'create_calibration', array['uuid', 'uuid'], 'tests.create_calibration(user_id, id) exists.');
select has_function('tests', 'create_experiment', array['uuid', 'uuid', 'jsonb', 'integer', 'uuid', 'boolean'],
  'tests.create_experiment(user_id, calibration_id, responses, latency_ms, id, discarded) exists.');

select is_empty(
  $$select p.proname from pg_catalog.pg_proc p
     where p.pronamespace = 'tests'::regnamespace
       and not coalesce('search_path=""' = any (p.proconfig), false)$$,
  'Every test helper has a fixed, empty search_path.');

select is_empty(
  $$select p.proname, r.rolname from pg_catalog.pg_proc p
     cross join (values ('anon'), ('authenticated'), ('service_role')) as r(rolname)
     where p.pronamespace = 'tests'::regnamespace
       and not pg_catalog.has_function_privilege(r.rolname, p.oid, 'execute')$$,
  'anon, authenticated and service_role may execute every test helper.');

select is(
  (select count(*)::int from jsonb_array_elements(tests.make_responses('[[0.8, 0.6, 0.7, 0.9], null]')) r where r ? 'metrics'),
  1,
  'make_responses gives metrics to succeeded responses only.');

select is(
  tests.make_responses('[null]') -> 0 ->> 'status',
  'failed',
  'make_responses marks a null score as a failed response.');

select is(
  tests.make_responses('[[0.8, 0.6, 0.7, 0.9]]') -> 0 -> 'metrics',
  '{"creativity": 0.8, "coherence": 0.6, "structure": 0.7, "completeness": 0.9}'::jsonb,
  'make_responses maps the four scores to creativity, coherence, structure and completeness.');

select * from finish();
commit;

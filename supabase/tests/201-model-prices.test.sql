-- Model prices and cost per response: every signed-in user reads the lab's
-- list and their own prices, adds and deletes only their own, never
-- rewrites one; the service role extends the lab's list; an experiment's
-- succeeded responses are priced by trigger with the price in force when it
-- is stored (the user's own before the lab's), and an unknown model's cost
-- is null and counted as unpriced, never zero. Anonymous callers see nothing.

begin;
select plan(24);

select lives_ok($$select tests.create_user('owner@prices.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@prices.test')$$, 'The stranger can be created.');
select lives_ok($$select tests.create_calibration(tests.get_user_id('owner@prices.test'), 'ca200000-0000-4000-8000-000000000001')$$,
  'The owner has a calibration.');

/** Responses with the given usage: [[promptTokens, completionTokens, cachedTokens|null] | null (failed)]. */
create function pg_temp.responses_with_usage(usages jsonb) returns jsonb
language sql immutable set search_path = '' as $$
  select pg_catalog.jsonb_agg(
           case when u.usage = 'null'::jsonb then r.item
                else r.item || pg_catalog.jsonb_build_object('usage', pg_catalog.jsonb_strip_nulls(
                  pg_catalog.jsonb_build_object('promptTokens', u.usage -> 0, 'completionTokens', u.usage -> 1,
                    'totalTokens', (u.usage ->> 0)::int + (u.usage ->> 1)::int, 'cachedTokens', u.usage -> 2)))
           end order by u.i)
    from pg_catalog.jsonb_array_elements(usages) with ordinality as u(usage, i)
    join pg_catalog.jsonb_array_elements(tests.make_responses(
           (select pg_catalog.jsonb_agg(case when x = 'null'::jsonb then 'null'::jsonb else '[0.5,0.5,0.5,0.5]'::jsonb end)
              from pg_catalog.jsonb_array_elements(usages) as x)))
           with ordinality as r(item, i) on r.i = u.i
$$;
grant execute on function pg_temp.responses_with_usage(jsonb) to authenticated;

-- The lab's list ----------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@prices.test'));
select ok(
  (select count(*) from public.model_prices where user_id is null and model = 'gpt-4o') >= 1,
  'A signed-in user reads the lab''s prices.');
select throws_ok(
  $$insert into public.model_prices (user_id, model, input_per_million, output_per_million, effective_from)
    values (null, 'gpt-4o', 0, 0, now())$$,
  '42501', 'new row violates row-level security policy for table "model_prices"',
  'A user cannot add to the lab''s list.');
select throws_ok(
  $$update public.model_prices set input_per_million = 0 where model = 'gpt-4o'$$,
  '42501', 'permission denied for table model_prices',
  'Prices are never rewritten: a new price gets a new effective date.');
select is_empty(
  $$delete from public.model_prices where user_id is null returning 1$$,
  'A user cannot delete the lab''s prices.');

-- Pricing on insert ---------------------------------------------------------------------
select lives_ok(
  $$insert into public.experiments (id, calibration_id, prompt, model, parameters, responses, status, latency_ms, cost_usd)
    values ('e2000000-0000-4000-8000-000000000001', 'ca200000-0000-4000-8000-000000000001', 'Price me.', 'gpt-4o', '{}',
            pg_temp.responses_with_usage('[[1000, 500, null], [2000, 1000, 1000], null]'), 'partial', 10, 0)$$,
  'The owner stores an experiment on gpt-4o with two priced responses and a failed one.');
select results_eq(
  $$select (r.item -> 'cost' ->> 'usd')::numeric, r.item -> 'cost' ? 'priceId'
      from public.experiments as e, jsonb_array_elements(e.responses) with ordinality as r(item, i)
     where e.id = 'e2000000-0000-4000-8000-000000000001' and r.item ->> 'status' = 'succeeded' order by r.i$$,
  $$values (0.0075::numeric, true), (0.01375::numeric, true)$$,
  'Each succeeded response costs its input, cached input and output tokens at the price per million.');
select is(
  (select responses -> 2 ? 'cost' from public.experiments where id = 'e2000000-0000-4000-8000-000000000001'),
  false,
  'A failed response has no cost.');
select results_eq(
  $$select cost_usd, unpriced_responses from public.experiments where id = 'e2000000-0000-4000-8000-000000000001'$$,
  $$values (0.02125::numeric, 0)$$,
  'The experiment''s cost is the sum of its responses'' costs, whatever the client sent.');

select lives_ok(
  $$insert into public.experiments (id, calibration_id, prompt, model, parameters, responses, status, latency_ms)
    values ('e2000000-0000-4000-8000-000000000002', 'ca200000-0000-4000-8000-000000000001', 'Price me.', 'home-made-7b', '{}',
            pg_temp.responses_with_usage('[[1000, 500, null], [10, 10, null]]'), 'completed', 10)$$,
  'The owner stores an experiment on a model without a price.');
select results_eq(
  $$select cost_usd, unpriced_responses, responses -> 0 -> 'cost' from public.experiments
     where id = 'e2000000-0000-4000-8000-000000000002'$$,
  $$values (null::numeric, 2, 'null'::jsonb)$$,
  'An unknown model''s cost is null and flagged as unpriced, never zero.');

select lives_ok(
  $$insert into public.model_prices (model, input_per_million, output_per_million, effective_from, note)
    values ('home-made-7b', 1, 2, now() - interval '1 day', 'Our GPU hours')$$,
  'The owner adds a price of their own without naming a user.');
select lives_ok(
  $$insert into public.model_prices (model, input_per_million, output_per_million, effective_from)
    values ('gpt-4o', 1, 1, now() - interval '1 hour'), ('gpt-4o', 100, 100, now() + interval '1 day')$$,
  'The owner adds a negotiated gpt-4o price in force now and one from tomorrow.');
select lives_ok(
  $$insert into public.experiments (id, calibration_id, prompt, model, parameters, responses, status, latency_ms)
    values ('e2000000-0000-4000-8000-000000000003', 'ca200000-0000-4000-8000-000000000001', 'Price me.', 'home-made-7b', '{}',
            pg_temp.responses_with_usage('[[1000000, 1000000, null]]'), 'completed', 10),
           ('e2000000-0000-4000-8000-000000000004', 'ca200000-0000-4000-8000-000000000001', 'Price me.', 'gpt-4o', '{}',
            pg_temp.responses_with_usage('[[1000000, 1000000, null]]'), 'completed', 10)$$,
  'The owner stores experiments on both models after adding the prices.');
select results_eq(
  $$select id, cost_usd from public.experiments
     where id in ('e2000000-0000-4000-8000-000000000003', 'e2000000-0000-4000-8000-000000000004') order by id$$,
  $$values ('e2000000-0000-4000-8000-000000000003'::uuid, 3::numeric), ('e2000000-0000-4000-8000-000000000004'::uuid, 2::numeric)$$,
  'The user''s own price in force wins over the lab''s; a future price does not apply yet.');
select is(
  (select cost_usd from public.experiments where id = 'e2000000-0000-4000-8000-000000000002'),
  null,
  'A stored experiment keeps the cost it was stored with when prices change later.');

-- Stranger --------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@prices.test'));
select is_empty($$select 1 from public.model_prices where user_id is not null$$,
  'A stranger does not see the owner''s prices.');
select is(
  (private.price_in_force(tests.get_user_id('owner@prices.test'), 'home-made-7b', now())).id,
  null,
  'A stranger cannot price with the owner''s rates even by naming the owner.');
select is_empty(
  $$delete from public.model_prices where model = 'home-made-7b' returning 1$$,
  'A stranger cannot delete the owner''s prices.');

-- Service role ----------------------------------------------------------------------------
select tests.authenticate_as_service_role();
select lives_ok(
  $$insert into public.model_prices (model, input_per_million, output_per_million, effective_from, note)
    values ('gpt-5-nano', 0.05, 0.4, '2025-08-07T00:00:00Z', 'added by the project owner')$$,
  'The service role extends the lab''s list.');
select is(
  (select user_id from public.model_prices where model = 'gpt-5-nano'),
  null,
  'A service-role price belongs to the lab''s list.');

-- Anonymous -------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select 1 from public.model_prices$$, '42501', 'permission denied for table model_prices',
  'Anonymous callers cannot read prices.');

select * from finish();
rollback;

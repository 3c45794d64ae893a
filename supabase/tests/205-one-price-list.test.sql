-- One price list: models carry no prices; admins extend and prune the lab's
-- list in model_prices (audited as model settings) but cannot touch a
-- user's own prices; users still add only their own; the service role
-- manages the lab's list too; anonymous callers see nothing.

begin;
select plan(14);

select lives_ok($$select tests.create_user('admin@one-price.test')$$, 'The admin can be created.');
select lives_ok($$select tests.create_user('user@one-price.test')$$, 'A user can be created.');
select tests.authenticate_as_service_role();
select lives_ok(
  $$insert into public.user_roles (user_id, role) values (tests.get_user_id('admin@one-price.test'), 'admin')$$,
  'service_role makes the admin.');
select hasnt_column('public', 'models', 'input_usd_per_million_tokens', 'models has no input price of its own.');
select hasnt_column('public', 'models', 'output_usd_per_million_tokens', 'models has no output price of its own.');

-- A user ------------------------------------------------------------------------------------
select tests.authenticate_with_hook(tests.get_user_id('user@one-price.test'));
select lives_ok(
  $$insert into public.model_prices (model, input_per_million, output_per_million, effective_from)
    values ('own-7b', 1, 2, now())$$,
  'A user adds a price of their own.');
select throws_ok(
  $$insert into public.model_prices (user_id, model, input_per_million, output_per_million, effective_from)
    values (null, 'gpt-4o', 0, 0, now())$$,
  '42501', 'new row violates row-level security policy for table "model_prices"',
  'A user cannot add to the lab''s list.');

-- Admin ------------------------------------------------------------------------------------
select tests.authenticate_with_hook(tests.get_user_id('admin@one-price.test'));
select tests.set_correlation_id('a0000000-0000-4000-8000-000000000205');
select lives_ok(
  $$insert into public.model_prices (user_id, model, input_per_million, output_per_million, effective_from, note)
    values (null, 'gpt-4o', 2, 8, now() - interval '1 minute', 'new list price')$$,
  'The admin adds a price to the lab''s list.');
select is(
  (private.price_in_force(tests.get_user_id('admin@one-price.test'), 'gpt-4o', now())).input_per_million,
  2.000000::numeric(14, 6),
  'The admin''s lab price is the one in force from its date.');
select is_empty(
  $$delete from public.model_prices where model = 'own-7b' returning 1$$,
  'The admin cannot remove a user''s own price.');
select results_eq(
  $$delete from public.model_prices where user_id is null and note = 'new list price' returning model$$,
  $$values ('gpt-4o')$$,
  'The admin removes a price from the lab''s list.');
select results_eq(
  $$select event_data ->> 'table', event_data ->> 'operation', event_data ->> 'name', user_id
      from public.audit_logs
     where event_type = 'model_setting_changed' and correlation_id = 'a0000000-0000-4000-8000-000000000205'
     order by event_data ->> 'operation' desc$$,
  $$values ('model_prices', 'insert', 'gpt-4o', tests.get_user_id('admin@one-price.test')),
           ('model_prices', 'delete', 'gpt-4o', tests.get_user_id('admin@one-price.test'))$$,
  'Changes to the lab''s list are audited with the admin and the model.');

-- Service role and anonymous ------------------------------------------------------------------
select tests.authenticate_as_service_role();
select lives_ok(
  $$delete from public.model_prices where user_id is null and model = 'gpt-4.1-mini'$$,
  'service_role prunes the lab''s list.');
select tests.authenticate_as_anon();
select throws_ok($$select 1 from public.model_prices$$, '42501', 'permission denied for table model_prices',
  'Anonymous callers cannot read prices.');

select * from finish();
rollback;

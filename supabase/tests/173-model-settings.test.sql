-- Model providers and models: admins add, change and remove them, every
-- signed-in user reads them, anonymous callers see nothing. A provider names
-- its key's secret; a key or credentials in the table are refused.

begin;
select plan(24);

select lives_ok($$select tests.create_user('admin@lab.test')$$, 'The admin can be created.');
select lives_ok($$select tests.create_user('user@lab.test')$$, 'A user can be created.');
select tests.authenticate_as_service_role();
select lives_ok(
  $$insert into public.user_roles (user_id, role) values (tests.get_user_id('admin@lab.test'), 'admin')$$,
  'service_role makes the admin.');

-- Admin ------------------------------------------------------------------------------------
select tests.authenticate_with_hook(tests.get_user_id('admin@lab.test'));
select tests.set_correlation_id('a0000000-0000-4000-8000-000000000173');
select lives_ok(
  $$insert into public.model_providers (id, name, base_url, api_key_secret)
    values ('17300000-0000-4000-8000-000000000001', 'openai', 'https://api.openai.com/v1', 'OPENAI_API_KEY')$$,
  'The admin adds a provider by naming its key''s secret.');
select lives_ok(
  $$insert into public.models (id, provider_id, name, context_window)
    values ('17300000-0000-4000-8000-000000000002', '17300000-0000-4000-8000-000000000001', 'gpt-4o', 128000)$$,
  'The admin adds a model with its context window (its prices are in model_prices).');
select results_eq(
  $$update public.models set enabled = true where name = 'gpt-4o' returning enabled$$,
  $$values (true)$$,
  'The admin changes a model.');
select results_eq(
  $$select event_data ->> 'table', event_data ->> 'operation', event_data ->> 'name', user_id, correlation_id
      from public.audit_logs where event_type = 'model_setting_changed' order by event_data ->> 'table' collate "C", event_data ->> 'operation'$$,
  $$values ('model_providers', 'insert', 'openai', tests.get_user_id('admin@lab.test'), 'a0000000-0000-4000-8000-000000000173'::uuid),
           ('models', 'insert', 'gpt-4o', tests.get_user_id('admin@lab.test'), 'a0000000-0000-4000-8000-000000000173'::uuid),
           ('models', 'update', 'gpt-4o', tests.get_user_id('admin@lab.test'), 'a0000000-0000-4000-8000-000000000173'::uuid)$$,
  'Every change is audited with the admin and the request''s correlation id.');
select throws_ok(
  $$insert into public.model_providers (name, base_url, api_key_secret) values ('leaky', 'https://api.example.com/v1', 'sk-live-123')$$,
  '23514', 'new row for relation "model_providers" violates check constraint "model_providers_api_key_secret_format"',
  'A key in place of the secret''s name is refused.');
select throws_ok(
  $$insert into public.model_providers (name, base_url, api_key_secret) values ('leaky', 'https://user:pw@api.example.com/v1', 'EXAMPLE_KEY')$$,
  '23514', 'new row for relation "model_providers" violates check constraint "model_providers_base_url_format"',
  'Credentials in the base URL are refused.');
select throws_ok(
  $$insert into public.model_providers (name, base_url, api_key_secret) values ('leaky', 'https://api.example.com/v1?key=abc', 'EXAMPLE_KEY')$$,
  '23514', 'new row for relation "model_providers" violates check constraint "model_providers_base_url_format"',
  'A key in the base URL''s query is refused.');
select throws_ok(
  $$insert into public.model_providers (name, base_url, api_key_secret) values ('shadow', 'https://api.example.com/v1', 'SUPABASE_SERVICE_ROLE_KEY')$$,
  '23514', 'new row for relation "model_providers" violates check constraint "model_providers_api_key_secret_format"',
  'A provider cannot point at a SUPABASE_ secret.');
select throws_ok(
  $$delete from public.model_providers where name = 'openai'$$,
  '23503', 'update or delete on table "model_providers" violates foreign key constraint "models_provider_id_fkey" on table "models"',
  'A provider with models cannot be removed.');

-- A signed-in user ------------------------------------------------------------------------------
select tests.authenticate_with_hook(tests.get_user_id('user@lab.test'));
select results_eq($$select p.name, m.name, m.context_window from public.models m join public.model_providers p on p.id = m.provider_id$$,
  $$values ('openai', 'gpt-4o', 128000)$$, 'A user reads providers and models.');
select throws_ok(
  $$insert into public.model_providers (name, base_url, api_key_secret) values ('mine', 'https://api.example.com/v1', 'MY_KEY')$$,
  '42501', 'new row violates row-level security policy for table "model_providers"', 'A user cannot add a provider.');
select throws_ok(
  $$insert into public.models (provider_id, name, context_window) values ('17300000-0000-4000-8000-000000000001', 'cheap', 1000)$$,
  '42501', 'new row violates row-level security policy for table "models"', 'A user cannot add a model.');
select is_empty($$update public.model_providers set base_url = 'https://evil.example.com/v1' returning id$$,
  'A user cannot redirect a provider (no row is changed).');
select is_empty($$update public.models set context_window = 1 returning id$$,
  'A user cannot change a model.');
select is_empty($$delete from public.models returning id$$, 'A user cannot remove a model.');

-- Anonymous and service_role -----------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select * from public.model_providers$$, '42501', 'permission denied for table model_providers',
  'Anonymous callers cannot read providers.');
select throws_ok($$select * from public.models$$, '42501', 'permission denied for table models',
  'Anonymous callers cannot read models.');

select tests.authenticate_as_service_role();
select lives_ok($$update public.models set enabled = false where name = 'gpt-4o'$$, 'service_role manages models too.');
select results_eq(
  $$select event_data ->> 'operation' from public.audit_logs
     where event_type = 'model_setting_changed' and event_data ->> 'actorRole' = 'service_role'$$,
  $$values ('update')$$, 'service_role''s changes are audited too.');

select tests.authenticate_with_hook(tests.get_user_id('admin@lab.test'));
select lives_ok($$delete from public.models where name = 'gpt-4o'$$, 'The admin removes a model.');
select lives_ok($$delete from public.model_providers where name = 'openai'$$, 'The admin removes a provider without models.');

select * from finish();
rollback;

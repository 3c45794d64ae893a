-- Prompt templates, versions and labels: the owner creates a template,
-- saves versions that the trigger numbers 1, 2, … and whose variables it
-- derives, never rewrites a version, and moves labels between versions;
-- strangers and anonymous callers see and change nothing; generate's
-- resolution step (private.resolve_prompt_template) finds versions by id or
-- name and version, label or latest, only among the caller's own.

begin;
select plan(41);

select lives_ok($$select tests.create_user('owner@templates.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('stranger@templates.test')$$, 'The stranger can be created.');

create temporary table claims_of (email text primary key, claims jsonb not null) on commit drop;
insert into claims_of
select u.email, pg_catalog.jsonb_build_object('sub', u.id, 'role', 'authenticated', 'email', u.email)
  from auth.users as u
 where u.email in ('owner@templates.test', 'stranger@templates.test');

-- Owner -------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@templates.test'));
select lives_ok(
  $$insert into public.prompt_templates (id, name, description)
    values ('70000000-0000-4000-8000-000000000001', 'summarise', 'Summaries for the newsletter')$$,
  'The owner can create a template without naming a user.');
select is(
  (select user_id from public.prompt_templates where id = '70000000-0000-4000-8000-000000000001'),
  tests.get_user_id('owner@templates.test'),
  'A new template belongs to the caller.');
select throws_ok(
  $$insert into public.prompt_templates (name) values ('summarise')$$,
  '23505', 'duplicate key value violates unique constraint "prompt_templates_user_id_name_key"',
  'Template names are unique per owner.');
select throws_ok(
  $$insert into public.prompt_templates (name) values ('')$$,
  '23514', 'new row for relation "prompt_templates" violates check constraint "prompt_templates_name_format"',
  'A template needs a name.');

select lives_ok(
  $$insert into public.prompt_template_versions (template_id, body, system_prompt, commit_message, version, variables)
    values ('70000000-0000-4000-8000-000000000001', 'Summarise {{ text }} for {{audience}}; keep {{text}} short.',
            'You write for {{audience}} in {{tone}}.', 'First draft', 99, array['forged'])$$,
  'The owner can save a first version.');
select results_eq(
  $$select version, variables from public.prompt_template_versions
     where template_id = '70000000-0000-4000-8000-000000000001'$$,
  $$values (1, array['text', 'audience', 'tone'])$$,
  'The trigger numbers the first version 1 and derives its distinct variables in order of appearance, ignoring what the client sent.');
select lives_ok(
  $$insert into public.prompt_template_versions (template_id, body, default_parameters, commit_message)
    values ('70000000-0000-4000-8000-000000000001', 'In one line: {{text}}',
            '{"temperature": 0.3, "top_p": 0.9, "max_tokens": 64, "frequency_penalty": 0}', 'Shorter')$$,
  'The owner can save a second version with default parameters.');
select results_eq(
  $$select version, variables from public.prompt_template_versions
     where template_id = '70000000-0000-4000-8000-000000000001' order by version$$,
  $$values (1, array['text', 'audience', 'tone']), (2, array['text'])$$,
  'The second version is numbered 2.');
select throws_ok(
  $$insert into public.prompt_template_versions (template_id, body, default_parameters)
    values ('70000000-0000-4000-8000-000000000001', 'x', '{"temperature": 5, "top_p": 0.9, "max_tokens": 64, "frequency_penalty": 0}')$$,
  '23514',
  'new row for relation "prompt_template_versions" violates check constraint "prompt_template_versions_default_parameters_shape"',
  'Default parameters outside the provider''s bounds are refused.');
select throws_ok(
  $$insert into public.prompt_template_versions (template_id, body, default_parameters)
    values ('70000000-0000-4000-8000-000000000001', 'x', '{"temperature": 1, "top_p": 0.9, "max_tokens": 64}')$$,
  '23514',
  'new row for relation "prompt_template_versions" violates check constraint "prompt_template_versions_default_parameters_shape"',
  'Default parameters must be a full parameter set.');
select throws_ok(
  $$update public.prompt_template_versions set body = 'Rewritten' where version = 1$$,
  '42501', 'permission denied for table prompt_template_versions',
  'A version is never rewritten.');
select throws_ok(
  $$delete from public.prompt_template_versions where version = 1$$,
  '42501', 'permission denied for table prompt_template_versions',
  'A version is never deleted on its own.');

select lives_ok(
  $$insert into public.prompt_template_labels (template_id, label, version)
    values ('70000000-0000-4000-8000-000000000001', 'production', 1),
           ('70000000-0000-4000-8000-000000000001', 'staging', 2)$$,
  'The owner can point production at version 1 and staging at version 2.');
select throws_ok(
  $$insert into public.prompt_template_labels (template_id, label, version)
    values ('70000000-0000-4000-8000-000000000001', 'canary', 3)$$,
  '23503', 'insert or update on table "prompt_template_labels" violates foreign key constraint "prompt_template_labels_version_fkey"',
  'A label can only point at an existing version of its template.');
select throws_ok(
  $$insert into public.prompt_template_labels (template_id, label, version)
    values ('70000000-0000-4000-8000-000000000001', 'latest', 1)$$,
  '23514', 'new row for relation "prompt_template_labels" violates check constraint "prompt_template_labels_label_format"',
  '"latest" is reserved for the newest version.');
select results_eq(
  $$update public.prompt_template_labels set version = 2
     where template_id = '70000000-0000-4000-8000-000000000001' and label = 'production' returning version$$,
  $$values (2)$$,
  'The owner can move production to version 2.');
select throws_ok(
  $$update public.prompt_template_labels set label = 'prod'
     where template_id = '70000000-0000-4000-8000-000000000001' and label = 'production'$$,
  '42501', 'permission denied for table prompt_template_labels',
  'A label is moved, not renamed.');
select results_eq(
  $$update public.prompt_templates set description = 'For the weekly letter'
     where id = '70000000-0000-4000-8000-000000000001' returning description$$,
  $$values ('For the weekly letter'::text)$$,
  'The owner can edit the template''s description.');

-- Resolution (generate's step) -------------------------------------------------------
select tests.clear_authentication();
select is(
  private.resolve_prompt_template((select claims from claims_of where email = 'owner@templates.test'), null,
    p_name => 'summarise', p_label => 'production') ->> 'version',
  '2',
  'The production label resolves to the version it points at.');
select tests.clear_authentication();
select is(
  private.resolve_prompt_template((select claims from claims_of where email = 'owner@templates.test'), null,
    p_template_id => '70000000-0000-4000-8000-000000000001', p_version => 1)
    - 'id',
  '{"templateId":"70000000-0000-4000-8000-000000000001","name":"summarise","version":1,
    "body":"Summarise {{ text }} for {{audience}}; keep {{text}} short.",
    "systemPrompt":"You write for {{audience}} in {{tone}}.","variables":["text","audience","tone"],
    "defaultParameters":null}'::jsonb,
  'A version resolves by template id and number with its text, system prompt and variables.');
select tests.clear_authentication();
select is(
  private.resolve_prompt_template((select claims from claims_of where email = 'owner@templates.test'), null,
    p_name => 'summarise') ->> 'version',
  '2',
  'Without a version or label the newest version resolves.');
select tests.clear_authentication();
select throws_ok(
  $$select private.resolve_prompt_template((select claims from claims_of where email = 'owner@templates.test'), null,
      p_name => 'summarise', p_label => 'canary')$$,
  'LB404', 'Prompt template not found: summarise label canary',
  'A missing label answers 404.');
select tests.clear_authentication();
select throws_ok(
  $$select private.resolve_prompt_template((select claims from claims_of where email = 'stranger@templates.test'), null,
      p_template_id => '70000000-0000-4000-8000-000000000001')$$,
  'LB404', 'Prompt template not found: 70000000-0000-4000-8000-000000000001',
  'A stranger''s claims resolve nothing of the owner''s.');
select tests.clear_authentication();
select is_empty(
  $$select r.rolname from (values ('anon'), ('authenticated'), ('service_role')) as r(rolname)
     where pg_catalog.has_function_privilege(r.rolname,
             'private.resolve_prompt_template(jsonb, uuid, uuid, text, integer, text)', 'execute')$$,
  'No API role may resolve templates with claims of its choosing.');

-- Stranger ----------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@templates.test'));
select is_empty($$select 1 from public.prompt_templates$$, 'A stranger sees no template of the owner.');
select is_empty($$select 1 from public.prompt_template_versions$$, 'A stranger sees no version of the owner.');
select is_empty($$select 1 from public.prompt_template_labels$$, 'A stranger sees no label of the owner.');
select throws_ok(
  $$insert into public.prompt_template_versions (template_id, user_id, body)
    values ('70000000-0000-4000-8000-000000000001', tests.get_user_id('owner@templates.test'), 'Hijack {{x}}')$$,
  '23503', 'insert or update on table "prompt_template_versions" violates foreign key constraint "prompt_template_versions_template_fkey"',
  'A stranger cannot add a version to the owner''s template in the owner''s name (the template is not theirs to see).');
select throws_ok(
  $$insert into public.prompt_template_versions (template_id, body)
    values ('70000000-0000-4000-8000-000000000001', 'Hijack {{x}}')$$,
  '23503', 'insert or update on table "prompt_template_versions" violates foreign key constraint "prompt_template_versions_template_fkey"',
  'A stranger cannot add a version in their own name to the owner''s template.');
select is_empty(
  $$update public.prompt_template_labels set version = 1 where label = 'production' returning 1$$,
  'A stranger cannot move the owner''s labels.');
select is_empty(
  $$delete from public.prompt_templates returning 1$$,
  'A stranger cannot delete the owner''s template.');
select lives_ok(
  $$insert into public.prompt_templates (name) values ('summarise')$$,
  'A stranger may use the same template name for their own.');

-- Anonymous ---------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select 1 from public.prompt_templates$$, '42501', 'permission denied for table prompt_templates',
  'Anonymous callers cannot read templates.');
select throws_ok($$select 1 from public.prompt_template_versions$$, '42501',
  'permission denied for table prompt_template_versions', 'Anonymous callers cannot read versions.');
select throws_ok($$select 1 from public.prompt_template_labels$$, '42501',
  'permission denied for table prompt_template_labels', 'Anonymous callers cannot read labels.');
select throws_ok($$insert into public.prompt_templates (name) values ('x')$$, '42501',
  'permission denied for table prompt_templates', 'Anonymous callers cannot create templates.');

-- Deleting ----------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@templates.test'));
select results_eq(
  $$delete from public.prompt_template_labels where label = 'staging' returning version$$,
  $$values (2)$$,
  'The owner can remove a label.');
select lives_ok(
  $$delete from public.prompt_templates where id = '70000000-0000-4000-8000-000000000001'$$,
  'The owner can delete an unused template.');
select is(
  (select count(*)::int from public.prompt_template_versions),
  0,
  'Deleting a template deletes its versions and labels.');

select * from finish();
rollback;

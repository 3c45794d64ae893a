-- Review queues and ratings, per actor: the owner shares responses and rates
-- their own; an invited reviewer sees only the shared texts and the configs,
-- takes items under a lease and rates them; a reviewer of another queue, a
-- stranger and anonymous callers see and change nothing. Ratings obey their
-- config and keep every revision.

begin;
select plan(54);

select lives_ok($$select tests.create_user('owner@lab.test')$$, 'The owner can be created.');
select lives_ok($$select tests.create_user('reviewer@lab.test')$$, 'The reviewer can be created.');
select lives_ok($$select tests.create_user('second@lab.test')$$, 'A second reviewer of the same queue can be created.');
select lives_ok($$select tests.create_user('other@lab.test')$$, 'A reviewer of another queue can be created.');
select lives_ok($$select tests.create_user('stranger@lab.test')$$, 'The stranger can be created.');

-- Owner -------------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select tests.set_correlation_id('0e000000-0000-4000-8000-000000000211');
select lives_ok($$select tests.create_calibration(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000211')$$,
  'The owner has a calibration.');
select lives_ok(
  $$select tests.create_experiment(tests.get_user_id('owner@lab.test'), 'c0000000-0000-4000-8000-000000000211',
      tests.make_responses('[[0.8, 0.6, 0.7, 0.9], [0.5, 0.5, 0.5, 0.5], null]'), id => 'e0000000-0000-4000-8000-000000000211')$$,
  'The owner has an experiment with two succeeded responses and a failed one.');
select lives_ok(
  $$insert into public.score_configs (id, name, data_type, min_value, max_value, step)
    values ('5c000000-0000-4000-8000-000000000211', 'old_scale', 'numeric', 1, 5, 1)$$,
  'The owner has a config of their own.');
select lives_ok(
  $$update public.score_configs set archived = true where id = '5c000000-0000-4000-8000-000000000211'$$,
  'The owner archives it.');

select lives_ok(
  $$insert into public.ratings (experiment_id, response_index, config_id, source, value, comment)
    values ('e0000000-0000-4000-8000-000000000211', 0, '00000000-0000-4000-8000-00000000c001', 'human', 5, 'Plausible.')$$,
  'The owner can rate their own response on a built-in config.');
select results_eq(
  $$select owner_id, rater_id, revision, correlation_id from public.ratings
     where experiment_id = 'e0000000-0000-4000-8000-000000000211' and response_index = 0$$,
  $$values (tests.get_user_id('owner@lab.test'), tests.get_user_id('owner@lab.test'), 1,
            '0e000000-0000-4000-8000-000000000211'::uuid)$$,
  'A rating belongs to the experiment''s owner, names its rater, is revision 1 and carries the correlation id.');
select throws_ok(
  $$insert into public.ratings (experiment_id, response_index, config_id, source, value)
    values ('e0000000-0000-4000-8000-000000000211', 1, '00000000-0000-4000-8000-00000000c001', 'human', 8)$$,
  'LB400', 'Cannot accept rating: "value" must be between 1 and 7 for "realism"',
  'A value outside the config''s range is refused, naming the field.');
select throws_ok(
  $$insert into public.ratings (experiment_id, response_index, config_id, source, value)
    values ('e0000000-0000-4000-8000-000000000211', 1, '00000000-0000-4000-8000-00000000c001', 'human', 4.5)$$,
  'LB400', 'Cannot accept rating: "value" must be 1 plus a multiple of 1 for "realism"',
  'A value off the config''s step is refused.');
select throws_ok(
  $$insert into public.ratings (experiment_id, response_index, config_id, source, value)
    values ('e0000000-0000-4000-8000-000000000211', 2, '00000000-0000-4000-8000-00000000c001', 'human', 3)$$,
  'LB404', 'Response not found',
  'A failed response cannot be rated.');
select throws_ok(
  $$insert into public.ratings (experiment_id, response_index, config_id, source, value)
    values ('e0000000-0000-4000-8000-000000000211', 1, '5c000000-0000-4000-8000-000000000211', 'human', 3)$$,
  'LB409', 'Cannot rate "old_scale": the score config is archived',
  'An archived config cannot be rated.');
select results_eq(
  $$update public.ratings set value = 6 where experiment_id = 'e0000000-0000-4000-8000-000000000211'
      and response_index = 0 returning value, revision$$,
  $$values (6::numeric, 2)$$,
  'The owner can revise their rating; the revision number grows.');
select results_eq(
  $$select r.revision, r.value from public.rating_revisions r join public.ratings x on x.id = r.rating_id
     where x.experiment_id = 'e0000000-0000-4000-8000-000000000211' order by r.revision$$,
  $$values (1, 5::numeric), (2, 6::numeric)$$,
  'Every revision is kept.');
select throws_ok(
  $$update public.ratings set owner_id = tests.get_user_id('stranger@lab.test')$$,
  '42501', 'permission denied for table ratings', 'A rating cannot be moved to another owner.');
select throws_ok(
  $$delete from public.ratings$$, '42501', 'permission denied for table ratings', 'Ratings cannot be deleted.');

select lives_ok(
  $$insert into public.review_queues (id, name, config_ids)
    values ('9e000000-0000-4000-8000-000000000001', 'Realism pass',
            array['00000000-0000-4000-8000-00000000c001', '00000000-0000-4000-8000-00000000c002']::uuid[])$$,
  'The owner can create a review queue.');
select lives_ok(
  $$insert into public.review_queues (id, name, config_ids)
    values ('9e000000-0000-4000-8000-000000000002', 'Other pass', array['00000000-0000-4000-8000-00000000c002']::uuid[])$$,
  'The owner can create a second queue.');
select lives_ok(
  $$insert into public.review_queue_reviewers (queue_id, email) values
      ('9e000000-0000-4000-8000-000000000001', 'reviewer@lab.test'),
      ('9e000000-0000-4000-8000-000000000001', 'second@lab.test'),
      ('9e000000-0000-4000-8000-000000000002', 'other@lab.test')$$,
  'The owner can invite reviewers by email.');
select is(
  public.share_responses('9e000000-0000-4000-8000-000000000001', array['e0000000-0000-4000-8000-000000000211']::uuid[]),
  2, 'Sharing an experiment adds its two succeeded responses.');
select is(
  public.share_responses('9e000000-0000-4000-8000-000000000001', p_calibration_id => 'c0000000-0000-4000-8000-000000000211'),
  0, 'Sharing the same responses again adds nothing.');
select results_eq(
  $$select count(*)::int, count(prompt)::int, count(parameters)::int from public.review_queue_items
     where queue_id = '9e000000-0000-4000-8000-000000000001'$$,
  $$values (2, 2, 0)$$,
  'Shared items carry the prompt but not the parameters, as the queue says.');

-- Reviewer ----------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('reviewer@lab.test'));
select results_eq(
  $$select name from public.review_queues$$, $$values ('Realism pass')$$,
  'The reviewer sees the queue they are invited to, and no other.');
select is((select count(*)::int from public.review_queue_items), 2, 'The reviewer sees the queue''s shared items.');
select is_empty($$select id from public.experiments$$, 'The reviewer cannot read the owner''s experiments.');
select is_empty($$select id from public.calibrations$$, 'The reviewer cannot read the owner''s calibrations.');
select is_empty(
  $$select id from public.ratings where rater_id = tests.get_user_id('owner@lab.test')$$,
  'The reviewer cannot read the owner''s own ratings.');
select isnt_empty(
  $$select item_id from public.next_review_item('9e000000-0000-4000-8000-000000000001')$$,
  'The reviewer is handed an item.');
select isnt(
  set_config('tests.first_item',
    (select item_id::text from public.review_leases where reviewer_id = tests.get_user_id('reviewer@lab.test')), true),
  null, 'The reviewer holds exactly one lease.');
select results_eq(
  $$select item_id from public.next_review_item('9e000000-0000-4000-8000-000000000001')$$,
  $$select item_id from public.review_leases l where l.reviewer_id = tests.get_user_id('reviewer@lab.test')$$,
  'Asking again while the lease holds hands out the same item.');
select throws_ok(
  $$select public.submit_review(
      (select item_id from public.review_leases limit 1),
      '[{"configId": "00000000-0000-4000-8000-00000000c001", "value": 9}]')$$,
  'LB400', 'Cannot accept rating: "value" must be between 1 and 7 for "realism"',
  'A reviewer''s out-of-range value is refused.');
select throws_ok(
  $$select public.submit_review(
      (select item_id from public.review_leases limit 1),
      '[{"configId": "00000000-0000-4000-8000-00000000c101", "value": 0.5}]')$$,
  'LB400', 'Cannot accept rating: "configId" must be one of the queue''s configs',
  'A reviewer can rate only the queue''s configs.');
select lives_ok(
  $$select public.submit_review(
      (select item_id from public.review_leases limit 1),
      '[{"configId": "00000000-0000-4000-8000-00000000c001", "value": 3}, {"configId": "00000000-0000-4000-8000-00000000c002", "value": 4}]')$$,
  'The reviewer rates the item they hold on both configs.');
select results_eq(
  $$select config_id, value, source from public.ratings order by config_id$$,
  $$values ('00000000-0000-4000-8000-00000000c001'::uuid, 3::numeric, 'human'),
           ('00000000-0000-4000-8000-00000000c002'::uuid, 4::numeric, 'human')$$,
  'The reviewer sees their own ratings.');
select lives_ok(
  $$select public.submit_review(
      (select item_id from public.review_leases limit 1),
      '[{"configId": "00000000-0000-4000-8000-00000000c001", "value": 2}]')$$,
  'The reviewer can revise a rating of an item they rated.');
select is(
  (select revision from public.ratings where config_id = '00000000-0000-4000-8000-00000000c001'), 2,
  'The revision is numbered.');
select throws_ok(
  $$insert into public.ratings (experiment_id, owner_id, response_index, config_id, source, value)
    values ('e0000000-0000-4000-8000-000000000211', tests.get_user_id('owner@lab.test'), 1,
            '00000000-0000-4000-8000-00000000c001', 'human', 3)$$,
  '42501', 'new row violates row-level security policy for table "ratings"',
  'A reviewer cannot rate the owner''s responses outside the queue.');
select throws_ok(
  $$insert into public.review_queue_reviewers (queue_id, user_id, email)
    values ('9e000000-0000-4000-8000-000000000001', tests.get_user_id('owner@lab.test'), 'friend@lab.test')$$,
  '42501', 'new row violates row-level security policy for table "review_queue_reviewers"',
  'A reviewer cannot invite others to the owner''s queue.');

-- Second reviewer of the same queue -----------------------------------------------------
select tests.authenticate_as(tests.get_user_id('second@lab.test'));
select isnt(
  (select item_id from public.next_review_item('9e000000-0000-4000-8000-000000000001')),
  current_setting('tests.first_item')::uuid,
  'A second reviewer is handed the item nobody has rated, not the one already rated.');
select is(
  (select count(*)::int from public.next_review_item('9e000000-0000-4000-8000-000000000001')), 1,
  'and keeps it while the lease holds.');

-- Reviewer of another queue ---------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('other@lab.test'));
select results_eq($$select name from public.review_queues$$, $$values ('Other pass')$$,
  'A reviewer of another queue sees only that queue.');
select is_empty($$select id from public.review_queue_items$$, 'and none of this queue''s items.');
select throws_ok(
  $$select * from public.next_review_item('9e000000-0000-4000-8000-000000000001')$$,
  'LB404', 'Review queue not found', 'and cannot take items from it.');
select throws_ok(
  $$select public.submit_review((select id from public.review_queue_items limit 1), '[]')$$,
  'LB404', 'Review item not found', 'and cannot rate its items.');

-- Stranger ----------------------------------------------------------------------------
select tests.authenticate_as(tests.get_user_id('stranger@lab.test'));
select is_empty($$select id from public.review_queues$$, 'A stranger sees no queues.');
select is_empty($$select id from public.ratings$$, 'A stranger sees no ratings.');
select is_empty($$select id from public.rating_revisions$$, 'A stranger sees no rating revisions.');
select throws_ok(
  $$select public.share_responses('9e000000-0000-4000-8000-000000000001', array['e0000000-0000-4000-8000-000000000211']::uuid[])$$,
  'LB404', 'Review queue not found', 'A stranger cannot share into another user''s queue.');

-- Owner again: sees every rating of their responses -----------------------------------------
select tests.authenticate_as(tests.get_user_id('owner@lab.test'));
select is(
  (select count(*)::int from public.ratings where rater_id = tests.get_user_id('reviewer@lab.test')), 2,
  'The owner sees the reviewer''s ratings of their responses.');

-- Anonymous ---------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select id from public.ratings$$, '42501', 'permission denied for table ratings',
  'Anonymous callers cannot read ratings.');
select throws_ok($$select * from public.next_review_item('9e000000-0000-4000-8000-000000000001')$$,
  '42501', 'permission denied for function next_review_item', 'Anonymous callers cannot take review items.');

select * from finish();
rollback;

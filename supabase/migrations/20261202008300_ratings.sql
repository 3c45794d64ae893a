-- Ratings: one row per (response, config, rater), where the rater is a person
-- or a judge version. A person may revise their rating; every revision is
-- kept in rating_revisions and the row holds the latest. Values are checked
-- against the config here, so a rating written through the Data API obeys the
-- same rules as one written through the functions. The heuristic scores stay
-- on the experiment and are read as ratings through public.response_scores.

create table public.ratings (
  id uuid primary key default gen_random_uuid(),
  experiment_id uuid not null,
  owner_id uuid not null default auth.uid(),
  response_index smallint not null,
  config_id uuid not null references public.score_configs (id),
  source text not null,
  rater_id uuid default auth.uid() references auth.users (id) on delete cascade,
  judge_version_id uuid references public.judge_versions (id) on delete cascade,
  queue_id uuid references public.review_queues (id) on delete set null,
  value numeric not null,
  label text,
  comment text,
  revision integer not null default 1,
  correlation_id uuid default private.current_correlation_id(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint ratings_experiment_fkey foreign key (experiment_id, owner_id)
    references public.experiments (id, user_id) on delete cascade,
  constraint ratings_response_index_check check (response_index between 0 and 9),
  constraint ratings_source_check check (source in ('human', 'judge')),
  constraint ratings_rater_check check (
    (source = 'human' and rater_id is not null and judge_version_id is null)
    or (source = 'judge' and rater_id is null and judge_version_id is not null)),
  constraint ratings_comment_length check (comment is null or char_length(comment) <= 2000)
);

comment on table public.ratings is 'The latest rating of a response on a score config by one person or one judge version.';
comment on column public.ratings.id is 'Primary key.';
comment on column public.ratings.experiment_id is 'The experiment holding the response.';
comment on column public.ratings.owner_id is 'Owner of the experiment (auth.users.id), who sees every rating of it.';
comment on column public.ratings.response_index is 'Index of the response in the experiment''s responses.';
comment on column public.ratings.config_id is 'The score config rated.';
comment on column public.ratings.source is 'human (a person) or judge (an LLM judge version); heuristic scores are read from response_scores.';
comment on column public.ratings.rater_id is 'The person who rated (auth.users.id), for human ratings.';
comment on column public.ratings.judge_version_id is 'The judge version that rated, for judge ratings.';
comment on column public.ratings.queue_id is 'The review queue the rating was given through, if any.';
comment on column public.ratings.value is 'The value: the number, 0/1 for booleans, the label''s 1-based position for categorical configs.';
comment on column public.ratings.label is 'The chosen label, for categorical configs.';
comment on column public.ratings.comment is 'The rater''s comment.';
comment on column public.ratings.revision is 'How many times the rating was given; each is kept in rating_revisions.';
comment on column public.ratings.correlation_id is 'Correlation id of the request that gave the latest revision.';
comment on column public.ratings.created_at is 'When the rating was first given.';
comment on column public.ratings.updated_at is 'When the latest revision was given.';

create unique index ratings_one_per_rater on public.ratings (
  experiment_id, response_index, config_id, coalesce(rater_id, judge_version_id));
create index ratings_owner_id_idx on public.ratings (owner_id);
create index ratings_rater_id_idx on public.ratings (rater_id);
create index ratings_experiment_id_owner_id_idx on public.ratings (experiment_id, owner_id);
create index ratings_config_id_idx on public.ratings (config_id);
create index ratings_judge_version_id_idx on public.ratings (judge_version_id);
create index ratings_queue_id_idx on public.ratings (queue_id);

revoke all on table public.ratings from anon, authenticated, service_role;
grant select, insert on table public.ratings to authenticated, service_role;
grant update (value, label, comment) on table public.ratings to authenticated, service_role;

create table public.rating_revisions (
  id uuid primary key default gen_random_uuid(),
  rating_id uuid not null references public.ratings (id) on delete cascade,
  owner_id uuid not null,
  rater_id uuid,
  revision integer not null,
  value numeric not null,
  label text,
  comment text,
  correlation_id uuid,
  created_at timestamptz not null default now(),
  constraint rating_revisions_rating_id_revision_key unique (rating_id, revision)
);

comment on table public.rating_revisions is 'Every revision of every rating, append-only; the rating row holds the latest.';
comment on column public.rating_revisions.id is 'Primary key.';
comment on column public.rating_revisions.rating_id is 'The rating revised.';
comment on column public.rating_revisions.owner_id is 'Owner of the experiment (auth.users.id).';
comment on column public.rating_revisions.rater_id is 'The person who rated, for human ratings.';
comment on column public.rating_revisions.revision is 'Revision number, from 1.';
comment on column public.rating_revisions.value is 'The value given in this revision.';
comment on column public.rating_revisions.label is 'The label given in this revision.';
comment on column public.rating_revisions.comment is 'The comment given in this revision.';
comment on column public.rating_revisions.correlation_id is 'Correlation id of the request that gave it.';
comment on column public.rating_revisions.created_at is 'When it was given.';

create index rating_revisions_owner_id_idx on public.rating_revisions (owner_id);
create index rating_revisions_rater_id_idx on public.rating_revisions (rater_id);

revoke all on table public.rating_revisions from anon, authenticated, service_role;
grant select on table public.rating_revisions to authenticated, service_role;

/**
 * Checks a rating against its config and its response, and numbers its
 * revision. Security definer because a reviewer may rate a response of an
 * experiment and a config they cannot read themselves.
 */
create or replace function private.check_rating()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  config public.score_configs;
  response jsonb;
begin
  if tg_op = 'UPDATE' then
    new.revision := old.revision + 1;
    new.updated_at := now();
    new.correlation_id := private.current_correlation_id();
  end if;
  select * into config from public.score_configs c where c.id = new.config_id;
  if config.archived then
    perform private.raise_http_error(409, 'config_archived',
      format('Cannot rate "%s": the score config is archived', config.name));
  end if;
  select r.value into response from public.experiments e
   cross join lateral pg_catalog.jsonb_array_elements(e.responses) r
   where e.id = new.experiment_id and (r.value ->> 'index')::integer = new.response_index;
  if response is null or response ->> 'status' <> 'succeeded' then
    perform private.raise_http_error(404, 'response_not_found', 'Response not found');
  end if;
  if new.source = 'judge' and not exists (
    select 1 from public.judge_versions v
     where v.id = new.judge_version_id and v.config_id = new.config_id and v.user_id = new.owner_id) then
    perform private.raise_http_error(400, 'invalid_rating',
      'Cannot accept rating: the judge version does not rate this config');
  end if;
  if config.data_type <> 'categorical' and new.value is null then
    perform private.raise_http_error(400, 'invalid_rating',
      format('Cannot accept rating: "value" is required for "%s"', config.name));
  end if;
  if config.data_type = 'numeric' then
    if new.label is not null then
      perform private.raise_http_error(400, 'invalid_rating',
        format('Cannot accept rating: "label" is not allowed for "%s"', config.name));
    end if;
    if new.value < config.min_value or new.value > config.max_value then
      perform private.raise_http_error(400, 'invalid_rating',
        format('Cannot accept rating: "value" must be between %s and %s for "%s"',
               config.min_value, config.max_value, config.name));
    end if;
    if config.step is not null and mod(new.value - config.min_value, config.step) <> 0 then
      perform private.raise_http_error(400, 'invalid_rating',
        format('Cannot accept rating: "value" must be %s plus a multiple of %s for "%s"',
               config.min_value, config.step, config.name));
    end if;
  elsif config.data_type = 'categorical' then
    if new.label is null or not (new.label = any (config.categories)) then
      perform private.raise_http_error(400, 'invalid_rating',
        format('Cannot accept rating: "label" must be one of %s for "%s"',
               pg_catalog.array_to_string(config.categories, ', '), config.name));
    end if;
    new.value := pg_catalog.array_position(config.categories, new.label);
  else
    if new.label is not null or new.value not in (0, 1) then
      perform private.raise_http_error(400, 'invalid_rating',
        format('Cannot accept rating: "value" must be 0 or 1 for "%s"', config.name));
    end if;
  end if;
  return new;
end
$$;
comment on function private.check_rating() is 'Validates a rating against its config and response, and numbers revisions.';
revoke execute on function private.check_rating() from public;

create trigger ratings_check before insert or update on public.ratings
  for each row execute function private.check_rating();

/** Keeps every revision of a rating. */
create or replace function private.record_rating_revision()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.rating_revisions (rating_id, owner_id, rater_id, revision, value, label, comment, correlation_id)
  values (new.id, new.owner_id, new.rater_id, new.revision, new.value, new.label, new.comment, new.correlation_id);
  return null;
end
$$;
comment on function private.record_rating_revision() is 'Appends the rating''s new revision to rating_revisions.';
revoke execute on function private.record_rating_revision() from public;

create trigger ratings_record_revision after insert or update on public.ratings
  for each row execute function private.record_rating_revision();

alter table public.ratings enable row level security;
alter table public.rating_revisions enable row level security;

create policy "Owners and raters can read ratings" on public.ratings
  for select to authenticated
  using ((select auth.uid()) = owner_id or (select auth.uid()) = rater_id);
create policy "Owners can rate their own responses" on public.ratings
  for insert to authenticated
  with check ((select auth.uid()) = owner_id
              and ((source = 'human' and (select auth.uid()) = rater_id) or source = 'judge'));
create policy "Raters can revise their own ratings" on public.ratings
  for update to authenticated
  using ((select auth.uid()) = rater_id) with check ((select auth.uid()) = rater_id);

create policy "Owners and raters can read rating revisions" on public.rating_revisions
  for select to authenticated
  using ((select auth.uid()) = owner_id or (select auth.uid()) = rater_id);

/** The configs of the queues the caller reviews, so they can see what they rate. */
create or replace function private.reviewable_config_ids()
returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select distinct pg_catalog.unnest(q.config_ids) from public.review_queues q
   where q.id in (select private.reviewable_queue_ids())
$$;
comment on function private.reviewable_config_ids() is 'Ids of the score configs of the queues the caller is invited to.';
revoke execute on function private.reviewable_config_ids() from public;
grant execute on function private.reviewable_config_ids() to authenticated;

-- One select policy per table and role (the advisors flag several permissive
-- ones): the built-in and own configs, and now those of queues one reviews.
alter policy "Users can read built-in and their own score configs" on public.score_configs
  using (user_id is null or (select auth.uid()) = user_id or id in (select private.reviewable_config_ids()));
alter policy "Users can read built-in and their own score configs" on public.score_configs
  rename to "Users can read built-in, their own and their queues' score configs";

/**
 * A reviewer's ratings of a queue item they hold (or have rated before, to
 * revise): one per config of the queue, given as [{configId, value?, label?,
 * comment?}]. Marks the item done for them. Returns the ratings' ids.
 */
create or replace function public.submit_review(p_item_id uuid, p_ratings jsonb)
returns setof uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  item public.review_queue_items;
  queue public.review_queues;
  entry jsonb;
  v_config_id uuid;
  v_rating_id uuid;
begin
  select * into item from public.review_queue_items i where i.id = p_item_id;
  if not found or caller is null or item.queue_id not in (select private.reviewable_queue_ids()) then
    perform private.raise_http_error(404, 'item_not_found', 'Review item not found');
  end if;
  select * into queue from public.review_queues q where q.id = item.queue_id;
  if queue.closed then
    perform private.raise_http_error(409, 'queue_closed', 'Review queue is closed');
  end if;
  if not exists (select 1 from public.review_leases l
                  where l.item_id = p_item_id and l.reviewer_id = caller
                    and (l.completed_at is not null or l.leased_until > now())) then
    perform private.raise_http_error(409, 'item_not_leased',
      'Cannot rate this item: take it with next_review_item first (or its lease expired)');
  end if;
  if pg_catalog.jsonb_typeof(p_ratings) <> 'array' or pg_catalog.jsonb_array_length(p_ratings) = 0 then
    perform private.raise_http_error(400, 'invalid_rating', 'Cannot accept ratings: "ratings" must be a non-empty array');
  end if;
  for entry in select value from pg_catalog.jsonb_array_elements(p_ratings) loop
    v_config_id := case when entry ->> 'configId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                      then (entry ->> 'configId')::uuid end;
    if v_config_id is null or not (v_config_id = any (queue.config_ids)) then
      perform private.raise_http_error(400, 'invalid_rating',
        'Cannot accept rating: "configId" must be one of the queue''s configs');
    end if;
    insert into public.ratings as r (experiment_id, owner_id, response_index, config_id, source, rater_id,
                                     queue_id, value, label, comment)
    values (item.experiment_id, item.user_id, item.response_index, v_config_id, 'human', caller, queue.id,
            (entry ->> 'value')::numeric, entry ->> 'label', entry ->> 'comment')
    on conflict (experiment_id, response_index, config_id, coalesce(rater_id, judge_version_id))
    do update set value = excluded.value, label = excluded.label, comment = excluded.comment
    returning r.id into v_rating_id;
    return next v_rating_id;
  end loop;
  update public.review_leases set completed_at = now()
   where item_id = p_item_id and reviewer_id = caller and completed_at is null;
end
$$;
comment on function public.submit_review(uuid, jsonb) is
  'Stores a reviewer''s ratings of a leased queue item (one per queue config) and marks it done for them.';
revoke execute on function public.submit_review(uuid, jsonb) from public, anon;
grant execute on function public.submit_review(uuid, jsonb) to authenticated;

-- Every score of a response read the same way: people's and judges' ratings,
-- and the heuristic scores stored with each response as built-in configs.
create view public.response_scores with (security_invoker = true) as
  select r.experiment_id, r.response_index, r.config_id, r.source, r.rater_id, r.judge_version_id,
         r.value, r.label, r.updated_at as rated_at
    from public.ratings r
  union all
  select e.id, (resp.value ->> 'index')::smallint, private.heuristic_config_id(m.key), 'heuristic',
         null::uuid, null::uuid, (m.value)::numeric, null::text, e.created_at
    from public.experiments e
   cross join lateral pg_catalog.jsonb_array_elements(e.responses) resp
   cross join lateral pg_catalog.jsonb_each(resp.value -> 'metrics') m
   where resp.value ? 'metrics' and private.heuristic_config_id(m.key) is not null;

comment on view public.response_scores is 'Every score of every response the caller can see: human, judge and heuristic, one row each.';

revoke all on table public.response_scores from anon, authenticated, service_role;
grant select on table public.response_scores to authenticated, service_role;

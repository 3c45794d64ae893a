-- Review queues: an experiment owner shares chosen responses with reviewers
-- invited by email. Items hold a copy of what reviewers may see (the response
-- text, and the prompt and parameters only when the owner allows it), so a
-- reviewer never needs, and never gets, read access to the owner's
-- experiments. A reviewer takes the next item under a lease, so two reviewers
-- are not handed the same item at once beyond the ratings it still needs.

create table public.review_queues (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  name text not null,
  config_ids uuid[] not null,
  ratings_per_item integer not null default 1,
  lease_seconds integer not null default 600,
  show_prompt boolean not null default true,
  show_parameters boolean not null default false,
  closed boolean not null default false,
  created_at timestamptz not null default now(),
  constraint review_queues_name_length check (char_length(name) between 1 and 200),
  constraint review_queues_config_ids_check check (cardinality(config_ids) between 1 and 10),
  constraint review_queues_ratings_per_item_check check (ratings_per_item between 1 and 10),
  constraint review_queues_lease_seconds_check check (lease_seconds between 30 and 86400),
  constraint review_queues_id_user_id_key unique (id, user_id)
);

comment on table public.review_queues is 'Responses an owner shares with invited reviewers, and the configs they rate.';
comment on column public.review_queues.id is 'Primary key.';
comment on column public.review_queues.user_id is 'Owner (auth.users.id) of the queue and of the shared experiments.';
comment on column public.review_queues.name is 'Name shown to reviewers.';
comment on column public.review_queues.config_ids is 'The score configs reviewers rate each item on.';
comment on column public.review_queues.ratings_per_item is 'How many reviewers should rate each item.';
comment on column public.review_queues.lease_seconds is 'How long an item handed to a reviewer is held for them.';
comment on column public.review_queues.show_prompt is 'Whether reviewers see the prompt beside the response.';
comment on column public.review_queues.show_parameters is 'Whether reviewers see the sampling parameters of each response.';
comment on column public.review_queues.closed is 'A closed queue hands out no more items.';
comment on column public.review_queues.created_at is 'When the queue was created.';

create index review_queues_user_id_idx on public.review_queues (user_id);

revoke all on table public.review_queues from anon, authenticated, service_role;
grant select, insert, delete on table public.review_queues to authenticated, service_role;
grant update (closed) on table public.review_queues to authenticated, service_role;

create table public.review_queue_reviewers (
  queue_id uuid not null,
  user_id uuid not null default auth.uid(),
  email text not null,
  created_at timestamptz not null default now(),
  primary key (queue_id, email),
  constraint review_queue_reviewers_queue_fkey foreign key (queue_id, user_id)
    references public.review_queues (id, user_id) on delete cascade,
  constraint review_queue_reviewers_email_check check (email = lower(email) and email ~ '^[^@\s]+@[^@\s]+$')
);

comment on table public.review_queue_reviewers is 'Who is invited to review a queue, by email (lowercase).';
comment on column public.review_queue_reviewers.queue_id is 'The queue.';
comment on column public.review_queue_reviewers.user_id is 'Owner of the queue (auth.users.id).';
comment on column public.review_queue_reviewers.email is 'The invited reviewer''s email, lowercase; matched against the token''s email claim.';
comment on column public.review_queue_reviewers.created_at is 'When the reviewer was invited.';

create index review_queue_reviewers_email_idx on public.review_queue_reviewers (email);
create index review_queue_reviewers_user_id_idx on public.review_queue_reviewers (user_id);
create index review_queue_reviewers_queue_id_user_id_idx on public.review_queue_reviewers (queue_id, user_id);

revoke all on table public.review_queue_reviewers from anon, authenticated, service_role;
grant select, insert, delete on table public.review_queue_reviewers to authenticated, service_role;

create table public.review_queue_items (
  id uuid primary key default gen_random_uuid(),
  queue_id uuid not null,
  user_id uuid not null default auth.uid(),
  experiment_id uuid not null,
  response_index smallint not null,
  prompt text,
  response_text text not null,
  parameters jsonb,
  created_at timestamptz not null default now(),
  constraint review_queue_items_queue_fkey foreign key (queue_id, user_id)
    references public.review_queues (id, user_id) on delete cascade,
  constraint review_queue_items_experiment_fkey foreign key (experiment_id, user_id)
    references public.experiments (id, user_id) on delete cascade,
  constraint review_queue_items_one_per_response unique (queue_id, experiment_id, response_index),
  constraint review_queue_items_response_index_check check (response_index between 0 and 9)
);

comment on table public.review_queue_items is 'One shared response: a copy of what reviewers may see of it.';
comment on column public.review_queue_items.id is 'Primary key; what reviewers rate by.';
comment on column public.review_queue_items.queue_id is 'The queue.';
comment on column public.review_queue_items.user_id is 'Owner of the queue and the experiment (auth.users.id).';
comment on column public.review_queue_items.experiment_id is 'The experiment holding the response.';
comment on column public.review_queue_items.response_index is 'Index of the response in the experiment''s responses.';
comment on column public.review_queue_items.prompt is 'The prompt, when the queue shows it.';
comment on column public.review_queue_items.response_text is 'The response''s text.';
comment on column public.review_queue_items.parameters is 'The response''s sampling parameters, when the queue shows them.';
comment on column public.review_queue_items.created_at is 'When the response was shared.';

create index review_queue_items_queue_id_idx on public.review_queue_items (queue_id, created_at, id);
create index review_queue_items_experiment_id_user_id_idx on public.review_queue_items (experiment_id, user_id);
create index review_queue_items_user_id_idx on public.review_queue_items (user_id);
create index review_queue_items_queue_id_user_id_idx on public.review_queue_items (queue_id, user_id);

revoke all on table public.review_queue_items from anon, authenticated, service_role;
grant select, delete on table public.review_queue_items to authenticated, service_role;

create table public.review_leases (
  item_id uuid not null references public.review_queue_items (id) on delete cascade,
  reviewer_id uuid not null references auth.users (id) on delete cascade,
  leased_until timestamptz not null,
  completed_at timestamptz,
  primary key (item_id, reviewer_id)
);

comment on table public.review_leases is 'Which reviewer holds or has finished which item; written only by the queue functions.';
comment on column public.review_leases.item_id is 'The item.';
comment on column public.review_leases.reviewer_id is 'The reviewer (auth.users.id).';
comment on column public.review_leases.leased_until is 'The item is held for the reviewer until then, unless completed.';
comment on column public.review_leases.completed_at is 'When the reviewer submitted their ratings of the item.';

create index review_leases_reviewer_id_idx on public.review_leases (reviewer_id);

revoke all on table public.review_leases from anon, authenticated, service_role;
grant select on table public.review_leases to authenticated, service_role;

/**
 * The queues the caller is invited to, by the token's email claim. Security
 * definer so policies can ask without each table's policy reading the others
 * (which would recurse).
 */
create or replace function private.reviewable_queue_ids()
returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select r.queue_id from public.review_queue_reviewers r
   where r.email = lower(coalesce((select auth.jwt()) ->> 'email', ''))
     and coalesce((select auth.jwt()) ->> 'email', '') <> ''
$$;
comment on function private.reviewable_queue_ids() is 'Ids of the queues whose reviewer list holds the caller''s email claim.';
revoke execute on function private.reviewable_queue_ids() from public;
grant execute on function private.reviewable_queue_ids() to authenticated;

alter table public.review_queues enable row level security;
alter table public.review_queue_reviewers enable row level security;
alter table public.review_queue_items enable row level security;
alter table public.review_leases enable row level security;

create policy "Owners and invited reviewers can read a queue" on public.review_queues
  for select to authenticated
  using ((select auth.uid()) = user_id or id in (select private.reviewable_queue_ids()));
create policy "Users can create their own queues" on public.review_queues
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Owners can close their queues" on public.review_queues
  for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);
create policy "Owners can delete their queues" on public.review_queues
  for delete to authenticated using ((select auth.uid()) = user_id);

create policy "Owners and the invited reviewer can read an invitation" on public.review_queue_reviewers
  for select to authenticated
  using ((select auth.uid()) = user_id
         or email = lower(coalesce((select auth.jwt()) ->> 'email', '')));
create policy "Owners can invite reviewers to their queues" on public.review_queue_reviewers
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Owners can withdraw invitations" on public.review_queue_reviewers
  for delete to authenticated using ((select auth.uid()) = user_id);

create policy "Owners and invited reviewers can read shared items" on public.review_queue_items
  for select to authenticated
  using ((select auth.uid()) = user_id or queue_id in (select private.reviewable_queue_ids()));
create policy "Owners can withdraw shared items" on public.review_queue_items
  for delete to authenticated using ((select auth.uid()) = user_id);

create policy "Reviewers can read their own leases" on public.review_leases
  for select to authenticated using ((select auth.uid()) = reviewer_id);

/**
 * Shares responses of the caller's experiments with a queue: the given
 * experiments, or those of a calibration, newest first, up to p_limit
 * responses. Only succeeded responses are shared; sharing one twice is a
 * no-op. Security definer because items are written only here; every read
 * is limited to the caller's own queue and experiments.
 */
create or replace function public.share_responses(
  p_queue_id uuid,
  p_experiment_ids uuid[] default null,
  p_calibration_id uuid default null,
  p_limit integer default 500
) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  queue public.review_queues;
  added integer;
begin
  select * into queue from public.review_queues q
   where q.id = p_queue_id and q.user_id = (select auth.uid());
  if not found then
    perform private.raise_http_error(404, 'queue_not_found', 'Review queue not found');
  end if;
  if p_experiment_ids is null and p_calibration_id is null then
    perform private.raise_http_error(400, 'invalid_request',
      'Cannot share responses: give "experimentIds" or "calibrationId"');
  end if;
  insert into public.review_queue_items (queue_id, user_id, experiment_id, response_index, prompt, response_text, parameters)
  select queue.id, queue.user_id, e.id, (r.value ->> 'index')::smallint,
         case when queue.show_prompt then e.prompt end,
         r.value ->> 'text',
         case when queue.show_parameters then r.value -> 'parameters' end
    from (select * from public.experiments x
           where x.user_id = queue.user_id
             and (p_experiment_ids is null or x.id = any (p_experiment_ids))
             and (p_calibration_id is null or x.calibration_id = p_calibration_id)
             and not x.discarded
           order by x.created_at desc) e
   cross join lateral pg_catalog.jsonb_array_elements(e.responses) r
   where r.value ->> 'status' = 'succeeded'
   limit greatest(1, least(coalesce(p_limit, 500), 5000))
  on conflict (queue_id, experiment_id, response_index) do nothing;
  get diagnostics added = row_count;
  return added;
end
$$;
comment on function public.share_responses(uuid, uuid[], uuid, integer) is
  'Shares the caller''s succeeded responses (by experiment ids or calibration) with their review queue; returns how many were added.';
revoke execute on function public.share_responses(uuid, uuid[], uuid, integer) from public, anon;
grant execute on function public.share_responses(uuid, uuid[], uuid, integer) to authenticated;

/**
 * Hands the caller the next item of a queue they are invited to: one they
 * have not rated, whose ratings done plus leases held by others are fewer
 * than the queue asks for. The item is leased to the caller; asking again
 * while the lease holds returns the same item. Null when nothing is left.
 */
create or replace function public.next_review_item(p_queue_id uuid)
returns table (
  item_id uuid, queue_id uuid, prompt text, response_text text, parameters jsonb,
  config_ids uuid[], leased_until timestamptz
)
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  queue public.review_queues;
  picked uuid;
  candidate uuid;
  passed uuid[] := '{}';
  attempts integer := 0;
  until timestamptz;
begin
  if caller is null or p_queue_id not in (select private.reviewable_queue_ids()) then
    perform private.raise_http_error(404, 'queue_not_found', 'Review queue not found');
  end if;
  select * into queue from public.review_queues q where q.id = p_queue_id;
  if queue.closed then
    perform private.raise_http_error(409, 'queue_closed', 'Review queue is closed');
  end if;
  -- A lease the caller still holds comes first, so asking twice is stable.
  select l.item_id into picked from public.review_leases l
    join public.review_queue_items i on i.id = l.item_id
   where i.queue_id = p_queue_id and l.reviewer_id = caller
     and l.completed_at is null and l.leased_until > now()
   limit 1;
  -- The item row is locked while its leases are counted again, so two
  -- reviewers asking at once cannot both take its last place.
  while picked is null and attempts < 5 loop
    attempts := attempts + 1;
    select i.id into candidate from public.review_queue_items i
     where i.queue_id = p_queue_id
       and i.id <> all (passed)
       and not exists (select 1 from public.review_leases mine
                        where mine.item_id = i.id and mine.reviewer_id = caller and mine.completed_at is not null)
       and (select count(*) from public.review_leases l
             where l.item_id = i.id and l.reviewer_id <> caller
               and (l.completed_at is not null or l.leased_until > now())) < queue.ratings_per_item
     order by i.created_at, i.id
     limit 1
     for update of i skip locked;
    exit when candidate is null;
    if (select count(*) from public.review_leases l
         where l.item_id = candidate and l.reviewer_id <> caller
           and (l.completed_at is not null or l.leased_until > now())) < queue.ratings_per_item then
      picked := candidate;
    else
      passed := passed || candidate;
    end if;
  end loop;
  if picked is null then
    return;
  end if;
  until := now() + pg_catalog.make_interval(secs => queue.lease_seconds);
  insert into public.review_leases (item_id, reviewer_id, leased_until)
  values (picked, caller, until)
  on conflict on constraint review_leases_pkey do update set leased_until = excluded.leased_until;
  return query
    select i.id, i.queue_id, i.prompt, i.response_text, i.parameters, queue.config_ids, until
      from public.review_queue_items i where i.id = picked;
end
$$;
comment on function public.next_review_item(uuid) is
  'Leases the next item of a queue the caller reviews and returns what they may see of it; no row when none is left.';
revoke execute on function public.next_review_item(uuid) from public, anon;
grant execute on function public.next_review_item(uuid) to authenticated;

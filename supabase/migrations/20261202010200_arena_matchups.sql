-- Arena hand-outs without counting: every (prompt, arm pair) an arena can
-- hand out is a row of private.arena_matchups, made when the second arm's
-- answer to a prompt is stored, with how often it was handed out. A hand-out
-- reads that one table instead of joining every pair of answers and counting
-- arena_pairs for each (work that grew with every pair handed out, and made
-- hand-outs under 50 concurrent testers about 10x slower than the counter
-- update itself). Internal: the table lives in `private`, has RLS on and no
-- grants to the API roles; only the trigger below and public.next_arena_pair
-- write it.

create table private.arena_matchups (
  prompt_id uuid not null references public.arena_prompts (id) on delete cascade,
  arm_low uuid not null references public.arena_arms (id) on delete cascade,
  arm_high uuid not null references public.arena_arms (id) on delete cascade,
  arena_id uuid not null references public.arenas (id) on delete cascade,
  shown integer not null default 0,
  primary key (prompt_id, arm_low, arm_high),
  constraint arena_matchups_ordered check (arm_low < arm_high),
  constraint arena_matchups_shown_check check (shown >= 0)
);

comment on table private.arena_matchups is 'How many times each (prompt, arm pair) of an arena was handed out; written only by public.next_arena_pair.';
comment on column private.arena_matchups.prompt_id is 'The prompt both responses answer.';
comment on column private.arena_matchups.arm_low is 'The arm with the lower id.';
comment on column private.arena_matchups.arm_high is 'The arm with the higher id.';
comment on column private.arena_matchups.arena_id is 'The arena.';
comment on column private.arena_matchups.shown is 'Pairs of this matchup handed out so far, to any tester.';

create index arena_matchups_arena_id_idx on private.arena_matchups (arena_id);
create index arena_matchups_arm_low_idx on private.arena_matchups (arm_low);
create index arena_matchups_arm_high_idx on private.arena_matchups (arm_high);

revoke all on table private.arena_matchups from public, anon, authenticated, service_role;

alter table private.arena_matchups enable row level security;

-- Defence in depth: without a grant nobody reaches the table through this
-- policy; should a grant ever be added, only an arena's owner would see its counts.
create policy "Owners can read their arenas' matchup counts" on private.arena_matchups
  for select to authenticated
  using (arena_id in (select a.id from public.arenas a where a.user_id = (select auth.uid())));

/** Makes the matchups of a new answer: its prompt with every other arm that answered it. */
create or replace function private.add_arena_matchups()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.arena_matchups (prompt_id, arm_low, arm_high, arena_id)
  select new.prompt_id, least(new.arm_id, r.arm_id), greatest(new.arm_id, r.arm_id), new.arena_id
    from public.arena_responses r
   where r.prompt_id = new.prompt_id and r.arm_id <> new.arm_id
  on conflict do nothing;
  return null;
end
$$;
comment on function private.add_arena_matchups() is 'Adds the (prompt, arm pair) matchups a new arena answer makes possible.';
revoke execute on function private.add_arena_matchups() from public;

create trigger arena_responses_add_matchups after insert on public.arena_responses
  for each row execute function private.add_arena_matchups();

insert into private.arena_matchups (prompt_id, arm_low, arm_high, arena_id, shown)
select r1.prompt_id, r1.arm_id, r2.arm_id, r1.arena_id,
       (select count(*) from public.arena_pairs p
         where p.prompt_id = r1.prompt_id and p.arm_low = r1.arm_id and p.arm_high = r2.arm_id)
  from public.arena_responses r1
  join public.arena_responses r2 on r2.prompt_id = r1.prompt_id and r2.arm_id > r1.arm_id;

-- A tester's own pairs, found by tester (the unique key leads with the tester
-- but ends with the arms, and plans made on small tables chose the arm indexes).
create index arena_pairs_tester_id_arena_id_idx on public.arena_pairs (tester_id, arena_id);

/**
 * Hands the caller the next pair of an arena they may test: the prompt and
 * two responses in random order, nothing more. A pair handed out and not yet
 * voted on comes back first. Otherwise the least-shown (prompt, arm pair)
 * the caller has not had, whose arms are both under the cap; both counters
 * and the matchup's count rise in the statement that records the pair. No
 * row when none is left.
 */
create or replace function public.next_arena_pair(p_arena_id uuid)
returns table (pair_id uuid, prompt text, left_text text, right_text text, questions jsonb)
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  arena public.arenas;
  chosen record;
  handed uuid;
  attempts integer := 0;
begin
  select * into arena from public.arenas a where a.id = p_arena_id;
  -- private.testable_arena_ids' rule for this one arena, without listing every arena.
  if caller is null or not found
     or (arena.user_id <> caller and arena.visibility <> 'signed_in'
         and not exists (select 1 from public.arena_invites i
                          where i.arena_id = p_arena_id
                            and i.email = lower(coalesce((select auth.jwt()) ->> 'email', ''))
                            and coalesce((select auth.jwt()) ->> 'email', '') <> '')) then
    perform private.raise_http_error(404, 'arena_not_found', 'Arena not found');
  end if;
  if arena.user_id = caller and not arena.allow_owner_votes then
    perform private.raise_http_error(403, 'owner_cannot_vote', 'Owners cannot vote in their own arena');
  end if;
  if arena.status <> 'active' then
    perform private.raise_http_error(409, 'arena_closed', 'Arena is closed');
  end if;
  select p.id into handed from public.arena_pairs p
   where p.tester_id = caller and p.arena_id = p_arena_id
     and not exists (select 1 from public.arena_votes v where v.pair_id = p.id)
   limit 1;
  while handed is null and attempts < 5 loop
    attempts := attempts + 1;
    -- One table read by arena; the caller's pairs read once and hashed: shapes whose
    -- plan stays right when the statistics lag behind a growing arena.
    select m.prompt_id, m.arm_low, m.arm_high into chosen
      from private.arena_matchups m
      join public.arena_arms a1 on a1.id = m.arm_low
      join public.arena_arms a2 on a2.id = m.arm_high
     where m.arena_id = p_arena_id
       and a1.votes < arena.max_votes_per_arm and a2.votes < arena.max_votes_per_arm
       and (m.prompt_id, m.arm_low, m.arm_high) not in (
             select p.prompt_id, p.arm_low, p.arm_high from public.arena_pairs p
              where p.tester_id = caller and p.arena_id = p_arena_id)
     order by m.shown, pg_catalog.random()
     limit 1;
    exit when chosen is null;
    -- Both arms locked in id order, then counted again: the cap holds under concurrency.
    perform 1 from public.arena_arms a where a.id in (chosen.arm_low, chosen.arm_high) order by a.id for update;
    with bumped as (
      update public.arena_arms a set votes = a.votes + 1
       where a.id in (chosen.arm_low, chosen.arm_high)
         and (select count(*) from public.arena_arms c
               where c.id in (chosen.arm_low, chosen.arm_high) and c.votes < arena.max_votes_per_arm) = 2
      returning a.id
    ), counted as (
      update private.arena_matchups m set shown = m.shown + 1
       where m.prompt_id = chosen.prompt_id and m.arm_low = chosen.arm_low and m.arm_high = chosen.arm_high
         and (select count(*) from bumped) = 2
      returning 1
    )
    insert into public.arena_pairs (arena_id, tester_id, prompt_id, arm_low, arm_high, left_arm)
    select p_arena_id, caller, chosen.prompt_id, chosen.arm_low, chosen.arm_high,
           case when pg_catalog.random() < 0.5 then chosen.arm_low else chosen.arm_high end
     where (select count(*) from bumped) = 2 and (select count(*) from counted) = 1
    returning id into handed;
  end loop;
  if handed is null then
    return;
  end if;
  return query
    select p.id, q.prompt,
           (select r.text from public.arena_responses r where r.prompt_id = p.prompt_id and r.arm_id = p.left_arm),
           (select r.text from public.arena_responses r
             where r.prompt_id = p.prompt_id
               and r.arm_id = case when p.left_arm = p.arm_low then p.arm_high else p.arm_low end),
           arena.questions
      from public.arena_pairs p join public.arena_prompts q on q.id = p.prompt_id
     where p.id = handed;
end
$$;
comment on function public.next_arena_pair(uuid) is
  'Hands the caller the next blind pair of an arena (prompt, left and right texts, questions); no row when none is left.';
revoke execute on function public.next_arena_pair(uuid) from public, anon;
grant execute on function public.next_arena_pair(uuid) to authenticated;

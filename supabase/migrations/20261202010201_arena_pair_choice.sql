-- Arena hand-outs choose without a lookup per matchup, and record in one
-- statement: the arms under the cap are read once per choice and each
-- matchup is checked against that list, instead of joining both of its arms
-- (1 800 index lookups per call for 900 matchups, most of the choice's time
-- under load); the arms are locked, raised under the cap and the pair
-- recorded in a single statement, so the locks are held for one statement
-- and the commit rather than two.

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
  open_arms uuid[];
  raised uuid[];
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
    -- The arms under the cap read once; then one table read by arena, the caller's pairs
    -- read once and hashed: no lookup per matchup, and plans that stay right when the
    -- statistics lag behind a growing arena.
    open_arms := array(select a.id from public.arena_arms a
                        where a.arena_id = p_arena_id and a.votes < arena.max_votes_per_arm);
    select m.prompt_id, m.arm_low, m.arm_high into chosen
      from private.arena_matchups m
     where m.arena_id = p_arena_id
       and m.arm_low = any (open_arms) and m.arm_high = any (open_arms)
       and (m.prompt_id, m.arm_low, m.arm_high) not in (
             select p.prompt_id, p.arm_low, p.arm_high from public.arena_pairs p
              where p.tester_id = caller and p.arena_id = p_arena_id)
     order by m.shown, pg_catalog.random()
     limit 1;
    exit when chosen is null;
    -- One statement: both arms locked in id order, each raised only while under the cap as
    -- it stands once locked, and the pair recorded when both were. Should only one have
    -- been (another tester took the last place meanwhile), it is put back and another
    -- matchup is tried.
    with locked as (
      select a.id from public.arena_arms a
       where a.id in (chosen.arm_low, chosen.arm_high) order by a.id for update
    ), bumped as (
      update public.arena_arms a set votes = a.votes + 1
        from locked l
       where a.id = l.id and a.votes < arena.max_votes_per_arm
      returning a.id
    ), counted as (
      update private.arena_matchups m set shown = m.shown + 1
       where m.prompt_id = chosen.prompt_id and m.arm_low = chosen.arm_low and m.arm_high = chosen.arm_high
         and (select count(*) from bumped) = 2
      returning 1
    ), paired as (
      insert into public.arena_pairs (arena_id, tester_id, prompt_id, arm_low, arm_high, left_arm)
      select p_arena_id, caller, chosen.prompt_id, chosen.arm_low, chosen.arm_high,
             case when pg_catalog.random() < 0.5 then chosen.arm_low else chosen.arm_high end
       where (select count(*) from bumped) = 2
      returning id
    )
    -- (counted runs too: a data-modifying WITH runs whether or not it is read.)
    select array(select b.id from bumped b), (select p.id from paired p) into raised, handed;
    if pg_catalog.cardinality(raised) = 1 then
      update public.arena_arms a set votes = a.votes - 1 where a.id = raised[1];
    end if;
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

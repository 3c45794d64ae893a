-- Blind pairwise arenas: an owner pits two or more arms (a model and its
-- sampling parameters) against each other on a pool of prompts; testers are
-- handed two responses to the same prompt in random order and vote. Testers
-- never read arms, responses or pairs: what they see comes only from
-- next_arena_pair, which returns the two texts and nothing that tells which
-- arm wrote which (random pair ids, random sides). Each arm's vote counter is
-- raised, under its cap, in the same statement that hands out the pair.

create table public.arenas (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  name text not null,
  visibility text not null default 'signed_in',
  status text not null default 'active',
  max_votes_per_arm integer not null default 1000,
  allow_owner_votes boolean not null default false,
  questions jsonb not null default '[]'::jsonb,
  seed integer not null default 1,
  created_at timestamptz not null default now(),
  constraint arenas_name_length check (char_length(name) between 1 and 200),
  constraint arenas_visibility_check check (visibility in ('signed_in', 'invited')),
  constraint arenas_status_check check (status in ('active', 'closed')),
  constraint arenas_max_votes_check check (max_votes_per_arm between 1 and 1000000),
  constraint arenas_questions_array check (jsonb_typeof(questions) = 'array' and jsonb_array_length(questions) <= 20),
  constraint arenas_seed_check check (seed >= 0),
  constraint arenas_id_user_id_key unique (id, user_id)
);

comment on table public.arenas is 'A blind pairwise comparison of arms on a pool of prompts.';
comment on column public.arenas.id is 'Primary key.';
comment on column public.arenas.user_id is 'Owner (auth.users.id).';
comment on column public.arenas.name is 'Name shown to testers.';
comment on column public.arenas.visibility is 'signed_in (every signed-in user may test) or invited (only invited emails).';
comment on column public.arenas.status is 'active (votes accepted) or closed.';
comment on column public.arenas.max_votes_per_arm is 'Cap on the pairs each arm is handed out in.';
comment on column public.arenas.allow_owner_votes is 'Whether the owner may vote in their own arena.';
comment on column public.arenas.questions is 'Questions testers answer about each response: [{id, type: select|text, prompt, options?}].';
comment on column public.arenas.seed is 'Seed of the arms'' generations and of the ranking''s bootstrap.';
comment on column public.arenas.created_at is 'When the arena was created.';

create index arenas_user_id_idx on public.arenas (user_id);

create table public.arena_invites (
  arena_id uuid not null,
  user_id uuid not null default auth.uid(),
  email text not null,
  primary key (arena_id, email),
  constraint arena_invites_arena_fkey foreign key (arena_id, user_id)
    references public.arenas (id, user_id) on delete cascade,
  constraint arena_invites_email_check check (email = lower(email) and email ~ '^[^@\s]+@[^@\s]+$')
);

comment on table public.arena_invites is 'Who may test an invited-only arena, by email (lowercase).';
comment on column public.arena_invites.arena_id is 'The arena.';
comment on column public.arena_invites.user_id is 'Owner of the arena.';
comment on column public.arena_invites.email is 'The invited tester''s email; matched against the token''s email claim.';

create index arena_invites_email_idx on public.arena_invites (email);
create index arena_invites_arena_id_user_id_idx on public.arena_invites (arena_id, user_id);
create index arena_invites_user_id_idx on public.arena_invites (user_id);

create table public.arena_arms (
  id uuid primary key default gen_random_uuid(),
  arena_id uuid not null,
  user_id uuid not null default auth.uid(),
  label text not null,
  model text not null,
  parameters jsonb not null,
  votes integer not null default 0,
  created_at timestamptz not null default now(),
  constraint arena_arms_arena_fkey foreign key (arena_id, user_id)
    references public.arenas (id, user_id) on delete cascade,
  constraint arena_arms_label_key unique (arena_id, label),
  constraint arena_arms_label_length check (char_length(label) between 1 and 100),
  constraint arena_arms_model_length check (char_length(model) between 1 and 200),
  constraint arena_arms_parameters_object check (jsonb_typeof(parameters) = 'object'),
  constraint arena_arms_votes_check check (votes >= 0)
);

comment on table public.arena_arms is 'One contender: a model and its sampling parameters. Never visible to testers.';
comment on column public.arena_arms.id is 'Primary key.';
comment on column public.arena_arms.arena_id is 'The arena.';
comment on column public.arena_arms.user_id is 'Owner of the arena.';
comment on column public.arena_arms.label is 'The owner''s name for the arm, unique in the arena.';
comment on column public.arena_arms.model is 'Model name sent to the OpenAI-compatible endpoint.';
comment on column public.arena_arms.parameters is 'temperature, top_p, max_tokens and frequency_penalty of the arm''s calls.';
comment on column public.arena_arms.votes is 'Pairs this arm has been handed out in; at most the arena''s max_votes_per_arm.';
comment on column public.arena_arms.created_at is 'When the arm was added.';

create index arena_arms_arena_id_user_id_idx on public.arena_arms (arena_id, user_id);
create index arena_arms_user_id_idx on public.arena_arms (user_id);

create table public.arena_prompts (
  id uuid primary key default gen_random_uuid(),
  arena_id uuid not null,
  user_id uuid not null default auth.uid(),
  prompt text not null,
  position integer not null,
  constraint arena_prompts_arena_fkey foreign key (arena_id, user_id)
    references public.arenas (id, user_id) on delete cascade,
  constraint arena_prompts_position_key unique (arena_id, position),
  constraint arena_prompts_prompt_length check (char_length(prompt) between 1 and 32000)
);

comment on table public.arena_prompts is 'The prompts every arm answers.';
comment on column public.arena_prompts.id is 'Primary key.';
comment on column public.arena_prompts.arena_id is 'The arena.';
comment on column public.arena_prompts.user_id is 'Owner of the arena.';
comment on column public.arena_prompts.prompt is 'The prompt text.';
comment on column public.arena_prompts.position is 'Order in the pool, from 0.';

create index arena_prompts_arena_id_user_id_idx on public.arena_prompts (arena_id, user_id);
create index arena_prompts_user_id_idx on public.arena_prompts (user_id);

create table public.arena_responses (
  id uuid primary key default gen_random_uuid(),
  arena_id uuid not null,
  user_id uuid not null default auth.uid(),
  prompt_id uuid not null references public.arena_prompts (id) on delete cascade,
  arm_id uuid not null references public.arena_arms (id) on delete cascade,
  text text not null,
  seed integer not null,
  created_at timestamptz not null default now(),
  constraint arena_responses_arena_fkey foreign key (arena_id, user_id)
    references public.arenas (id, user_id) on delete cascade,
  constraint arena_responses_one_per_arm unique (prompt_id, arm_id)
);

comment on table public.arena_responses is 'An arm''s answer to a prompt, generated with the arena''s seed. Never visible to testers.';
comment on column public.arena_responses.id is 'Primary key.';
comment on column public.arena_responses.arena_id is 'The arena.';
comment on column public.arena_responses.user_id is 'Owner of the arena.';
comment on column public.arena_responses.prompt_id is 'The prompt answered.';
comment on column public.arena_responses.arm_id is 'The arm that answered.';
comment on column public.arena_responses.text is 'The response text.';
comment on column public.arena_responses.seed is 'The seed sent with the call (the same for every arm of a prompt).';
comment on column public.arena_responses.created_at is 'When it was generated.';

create index arena_responses_arena_id_user_id_idx on public.arena_responses (arena_id, user_id);
create index arena_responses_arm_id_idx on public.arena_responses (arm_id);
create index arena_responses_user_id_idx on public.arena_responses (user_id);

create table public.arena_pairs (
  id uuid primary key default gen_random_uuid(),
  arena_id uuid not null references public.arenas (id) on delete cascade,
  tester_id uuid not null references auth.users (id) on delete cascade,
  prompt_id uuid not null references public.arena_prompts (id) on delete cascade,
  arm_low uuid not null references public.arena_arms (id) on delete cascade,
  arm_high uuid not null references public.arena_arms (id) on delete cascade,
  left_arm uuid not null,
  created_at timestamptz not null default now(),
  constraint arena_pairs_ordered check (arm_low < arm_high and left_arm in (arm_low, arm_high)),
  constraint arena_pairs_once_per_tester unique (tester_id, prompt_id, arm_low, arm_high)
);

comment on table public.arena_pairs is 'A pair handed to a tester: a prompt, two arms, and which arm''s response was shown on the left.';
comment on column public.arena_pairs.id is 'Primary key; random, so it says nothing about order or arms.';
comment on column public.arena_pairs.arena_id is 'The arena.';
comment on column public.arena_pairs.tester_id is 'The tester it was handed to.';
comment on column public.arena_pairs.prompt_id is 'The prompt both responses answer.';
comment on column public.arena_pairs.arm_low is 'The arm with the lower id (the pair unordered).';
comment on column public.arena_pairs.arm_high is 'The arm with the higher id.';
comment on column public.arena_pairs.left_arm is 'The arm whose response was shown first (left), chosen at random.';
comment on column public.arena_pairs.created_at is 'When it was handed out.';

create index arena_pairs_arena_id_idx on public.arena_pairs (arena_id);
create index arena_pairs_prompt_id_arms_idx on public.arena_pairs (prompt_id, arm_low, arm_high);
create index arena_pairs_arm_low_idx on public.arena_pairs (arm_low);
create index arena_pairs_arm_high_idx on public.arena_pairs (arm_high);

create table public.arena_votes (
  pair_id uuid primary key references public.arena_pairs (id) on delete cascade,
  arena_id uuid not null references public.arenas (id) on delete cascade,
  tester_id uuid not null references auth.users (id) on delete cascade,
  verdict text not null,
  reason text,
  answers jsonb not null default '{}'::jsonb,
  correlation_id uuid default private.current_correlation_id(),
  created_at timestamptz not null default now(),
  constraint arena_votes_verdict_check check (verdict in ('left', 'right', 'tie', 'both_bad')),
  constraint arena_votes_reason_length check (reason is null or char_length(reason) <= 2000),
  constraint arena_votes_answers_object check (jsonb_typeof(answers) = 'object')
);

comment on table public.arena_votes is 'A tester''s final vote on a pair they were handed.';
comment on column public.arena_votes.pair_id is 'The pair voted on; one vote per pair.';
comment on column public.arena_votes.arena_id is 'The arena.';
comment on column public.arena_votes.tester_id is 'Who voted.';
comment on column public.arena_votes.verdict is 'left, right, tie or both_bad (a tie for the ranking).';
comment on column public.arena_votes.reason is 'The tester''s reason.';
comment on column public.arena_votes.answers is 'Answers to the arena''s questions: {left: {...}, right: {...}}.';
comment on column public.arena_votes.correlation_id is 'Correlation id of the request that voted.';
comment on column public.arena_votes.created_at is 'When the vote was cast.';

create index arena_votes_arena_id_idx on public.arena_votes (arena_id);
create index arena_votes_tester_id_idx on public.arena_votes (tester_id);

create table public.arena_judge_verdicts (
  id uuid primary key default gen_random_uuid(),
  arena_id uuid not null,
  user_id uuid not null default auth.uid(),
  prompt_id uuid not null references public.arena_prompts (id) on delete cascade,
  arm_low uuid not null references public.arena_arms (id) on delete cascade,
  arm_high uuid not null references public.arena_arms (id) on delete cascade,
  model text not null,
  low_first text not null,
  high_first text not null,
  created_at timestamptz not null default now(),
  constraint arena_judge_verdicts_arena_fkey foreign key (arena_id, user_id)
    references public.arenas (id, user_id) on delete cascade,
  constraint arena_judge_verdicts_once unique (prompt_id, arm_low, arm_high, model),
  constraint arena_judge_verdicts_low_first_check check (low_first in ('low', 'high', 'tie', 'unparsable')),
  constraint arena_judge_verdicts_high_first_check check (high_first in ('low', 'high', 'tie', 'unparsable'))
);

comment on table public.arena_judge_verdicts is 'An LLM judge''s verdict on one prompt and arm pair, asked in both orders.';
comment on column public.arena_judge_verdicts.id is 'Primary key.';
comment on column public.arena_judge_verdicts.arena_id is 'The arena.';
comment on column public.arena_judge_verdicts.user_id is 'Owner of the arena.';
comment on column public.arena_judge_verdicts.prompt_id is 'The prompt.';
comment on column public.arena_judge_verdicts.arm_low is 'The arm with the lower id.';
comment on column public.arena_judge_verdicts.arm_high is 'The arm with the higher id.';
comment on column public.arena_judge_verdicts.model is 'The judge model.';
comment on column public.arena_judge_verdicts.low_first is 'The winner (low, high, tie) when arm_low''s response was shown first, or unparsable.';
comment on column public.arena_judge_verdicts.high_first is 'The winner when arm_high''s response was shown first, or unparsable.';
comment on column public.arena_judge_verdicts.created_at is 'When the judge ran.';

create index arena_judge_verdicts_arena_id_user_id_idx on public.arena_judge_verdicts (arena_id, user_id);
create index arena_judge_verdicts_user_id_idx on public.arena_judge_verdicts (user_id);
create index arena_judge_verdicts_arm_low_idx on public.arena_judge_verdicts (arm_low);
create index arena_judge_verdicts_arm_high_idx on public.arena_judge_verdicts (arm_high);

revoke all on table public.arenas, public.arena_invites, public.arena_arms, public.arena_prompts,
  public.arena_responses, public.arena_pairs, public.arena_votes, public.arena_judge_verdicts
  from anon, authenticated, service_role;
grant select, insert, delete on table public.arenas to authenticated, service_role;
grant update (status) on table public.arenas to authenticated, service_role;
grant select, insert, delete on table public.arena_invites, public.arena_arms, public.arena_prompts
  to authenticated, service_role;
grant select, insert on table public.arena_responses, public.arena_judge_verdicts to authenticated, service_role;
grant select on table public.arena_pairs, public.arena_votes to authenticated, service_role;

/** The arenas the caller may test: open to everyone signed in, or inviting their email. */
create or replace function private.testable_arena_ids()
returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select a.id from public.arenas a where a.visibility = 'signed_in'
  union
  select i.arena_id from public.arena_invites i
   where i.email = lower(coalesce((select auth.jwt()) ->> 'email', ''))
     and coalesce((select auth.jwt()) ->> 'email', '') <> ''
$$;
comment on function private.testable_arena_ids() is 'Ids of the arenas the caller may test.';
revoke execute on function private.testable_arena_ids() from public;
grant execute on function private.testable_arena_ids() to authenticated;

alter table public.arenas enable row level security;
alter table public.arena_invites enable row level security;
alter table public.arena_arms enable row level security;
alter table public.arena_prompts enable row level security;
alter table public.arena_responses enable row level security;
alter table public.arena_pairs enable row level security;
alter table public.arena_votes enable row level security;
alter table public.arena_judge_verdicts enable row level security;

create policy "Owners and testers can read an arena" on public.arenas
  for select to authenticated
  using ((select auth.uid()) = user_id or id in (select private.testable_arena_ids()));
create policy "Users can create their own arenas" on public.arenas
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Owners can close their arenas" on public.arenas
  for update to authenticated using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);
create policy "Owners can delete their arenas" on public.arenas
  for delete to authenticated using ((select auth.uid()) = user_id);

create policy "Owners can read their invitations" on public.arena_invites
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Owners can invite testers" on public.arena_invites
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Owners can withdraw invitations" on public.arena_invites
  for delete to authenticated using ((select auth.uid()) = user_id);

create policy "Owners can read their arms" on public.arena_arms
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Owners can add arms" on public.arena_arms
  for insert to authenticated with check ((select auth.uid()) = user_id and votes = 0);
create policy "Owners can remove arms" on public.arena_arms
  for delete to authenticated using ((select auth.uid()) = user_id);

create policy "Owners can read their prompts" on public.arena_prompts
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Owners can add prompts" on public.arena_prompts
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Owners can remove prompts" on public.arena_prompts
  for delete to authenticated using ((select auth.uid()) = user_id);

create policy "Owners can read their arms' responses" on public.arena_responses
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Owners can store their arms' responses" on public.arena_responses
  for insert to authenticated with check ((select auth.uid()) = user_id);

create policy "Owners can read the pairs of their arenas" on public.arena_pairs
  for select to authenticated using (arena_id in (select a.id from public.arenas a where a.user_id = (select auth.uid())));

create policy "Owners can read votes, testers their own" on public.arena_votes
  for select to authenticated
  using ((select auth.uid()) = tester_id
         or arena_id in (select a.id from public.arenas a where a.user_id = (select auth.uid())));

create policy "Owners can read their judge verdicts" on public.arena_judge_verdicts
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Owners can store judge verdicts" on public.arena_judge_verdicts
  for insert to authenticated with check ((select auth.uid()) = user_id);

/**
 * Hands the caller the next pair of an arena they may test: the prompt and
 * two responses in random order, nothing more. A pair handed out and not yet
 * voted on comes back first. Otherwise the least-shown (prompt, arm pair)
 * the caller has not had, whose arms are both under the cap; both counters
 * rise in the statement that records the pair. No row when none is left.
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
  if caller is null or not found
     or (arena.user_id <> caller and p_arena_id not in (select private.testable_arena_ids())) then
    perform private.raise_http_error(404, 'arena_not_found', 'Arena not found');
  end if;
  if arena.user_id = caller and not arena.allow_owner_votes then
    perform private.raise_http_error(403, 'owner_cannot_vote', 'Owners cannot vote in their own arena');
  end if;
  if arena.status <> 'active' then
    perform private.raise_http_error(409, 'arena_closed', 'Arena is closed');
  end if;
  select p.id into handed from public.arena_pairs p
   where p.arena_id = p_arena_id and p.tester_id = caller
     and not exists (select 1 from public.arena_votes v where v.pair_id = p.id)
   limit 1;
  while handed is null and attempts < 5 loop
    attempts := attempts + 1;
    select r1.prompt_id, r1.arm_id as arm_low, r2.arm_id as arm_high into chosen
      from public.arena_responses r1
      join public.arena_responses r2 on r2.prompt_id = r1.prompt_id and r2.arm_id > r1.arm_id
      join public.arena_arms a1 on a1.id = r1.arm_id
      join public.arena_arms a2 on a2.id = r2.arm_id
     where r1.arena_id = p_arena_id
       and a1.votes < arena.max_votes_per_arm and a2.votes < arena.max_votes_per_arm
       and not exists (select 1 from public.arena_pairs p
                        where p.tester_id = caller and p.prompt_id = r1.prompt_id
                          and p.arm_low = r1.arm_id and p.arm_high = r2.arm_id)
     order by (select count(*) from public.arena_pairs p
                where p.prompt_id = r1.prompt_id and p.arm_low = r1.arm_id and p.arm_high = r2.arm_id),
              pg_catalog.random()
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
    )
    insert into public.arena_pairs (arena_id, tester_id, prompt_id, arm_low, arm_high, left_arm)
    select p_arena_id, caller, chosen.prompt_id, chosen.arm_low, chosen.arm_high,
           case when pg_catalog.random() < 0.5 then chosen.arm_low else chosen.arm_high end
     where (select count(*) from bumped) = 2
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

/**
 * The caller's final vote on a pair they were handed: left, right, tie or
 * both_bad, with an optional reason and answers. At most 60 votes a minute
 * per tester, so a script cannot flood an arena.
 */
create or replace function public.cast_arena_vote(
  p_pair_id uuid,
  p_verdict text,
  p_reason text default null,
  p_answers jsonb default '{}'::jsonb
) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  pair public.arena_pairs;
  wait integer;
begin
  select * into pair from public.arena_pairs p where p.id = p_pair_id and p.tester_id = caller;
  if not found then
    perform private.raise_http_error(409, 'pair_not_handed', 'Cannot vote: this pair was not handed to you');
  end if;
  if (select a.status from public.arenas a where a.id = pair.arena_id) <> 'active' then
    perform private.raise_http_error(409, 'arena_closed', 'Cannot vote: the arena is closed');
  end if;
  if exists (select 1 from public.arena_votes v where v.pair_id = p_pair_id) then
    perform private.raise_http_error(409, 'already_voted', 'Cannot vote: this pair has a vote already, and votes are final');
  end if;
  if p_verdict is null or p_verdict not in ('left', 'right', 'tie', 'both_bad') then
    perform private.raise_http_error(400, 'validation_failed',
      'Cannot accept vote: "verdict" must be left, right, tie or both_bad');
  end if;
  wait := private.consume_rate_limit('arena_vote', 60, 60);
  if wait > 0 then
    perform private.raise_http_error(429, 'rate_limited', 'Too many votes: try again shortly',
      pg_catalog.jsonb_build_object('retry-after', wait::text));
  end if;
  insert into public.arena_votes (pair_id, arena_id, tester_id, verdict, reason, answers)
  values (p_pair_id, pair.arena_id, caller, p_verdict, p_reason, coalesce(p_answers, '{}'::jsonb));
end
$$;
comment on function public.cast_arena_vote(uuid, text, text, jsonb) is
  'Records the caller''s final vote on a pair handed to them; refuses closed arenas, second votes and floods.';
revoke execute on function public.cast_arena_vote(uuid, text, text, jsonb) from public, anon;
grant execute on function public.cast_arena_vote(uuid, text, text, jsonb) to authenticated;

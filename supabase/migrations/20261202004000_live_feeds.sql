-- Live feeds over Realtime Broadcast from Database on private channels, the
-- path Supabase recommends for scale and security: triggers send each change
-- of a user's experiments and analytics, and each status change of an export
-- job, to a private topic, and policies on realtime.messages decide with
-- realtime.topic() who may join it. Topics:
--   experiments:<user id>  every insert/update/delete of the user's experiments
--   analytics:<user id>    every change of the user's analytics summaries
--   job:<job id>           progress of one export job (event "progress")
-- Applies unchanged on hosted Supabase, where the realtime schema exists.

/** The uuid after `prefix` in a topic, or null when the topic is not `prefix<uuid>`. */
create or replace function private.topic_uuid(topic text, prefix text) returns uuid
language sql immutable
set search_path = ''
as $$
  select case
    when topic_uuid.topic like topic_uuid.prefix || '%'
     and substr(topic_uuid.topic, length(topic_uuid.prefix) + 1)
         ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    then substr(topic_uuid.topic, length(topic_uuid.prefix) + 1)::uuid
  end
$$;
comment on function private.topic_uuid(text, text) is 'Parses <prefix><uuid> topics; null for anything else, so a policy never fails on a cast.';
revoke execute on function private.topic_uuid(text, text) from public;
grant execute on function private.topic_uuid(text, text) to authenticated;

/** Sends an experiment change to its owner's private topic. */
create or replace function private.broadcast_experiment_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.broadcast_changes(
    'experiments:' || coalesce(new.user_id, old.user_id)::text,
    tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
  return null;
end
$$;
comment on function private.broadcast_experiment_change() is 'Trigger: broadcasts the change to experiments:<owner> (security definer: users may not write realtime.messages).';
revoke execute on function private.broadcast_experiment_change() from public;

create trigger experiments_broadcast_change
  after insert or update or delete on public.experiments
  for each row execute function private.broadcast_experiment_change();

/** Sends an analytics summary change to its owner's private topic. */
create or replace function private.broadcast_analytics_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.broadcast_changes(
    'analytics:' || coalesce(new.user_id, old.user_id)::text,
    tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
  return null;
end
$$;
comment on function private.broadcast_analytics_change() is 'Trigger: broadcasts the change to analytics:<owner>.';
revoke execute on function private.broadcast_analytics_change() from public;

create trigger analytics_summaries_broadcast_change
  after insert or update or delete on public.analytics_summaries
  for each row execute function private.broadcast_analytics_change();

/** Sends an export job's state to job:<id> whenever it is created or its status changes. */
create or replace function private.broadcast_export_progress() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.status is not distinct from old.status then
    return null;
  end if;
  perform realtime.send(
    pg_catalog.jsonb_build_object(
      'job_id', new.id,
      'kind', 'export',
      'status', new.status,
      'progress', case new.status when 'completed' then 1 when 'pending' then 0 end,
      'error', new.error,
      'result', case when new.status = 'completed' then pg_catalog.jsonb_build_object(
        'experiment_count', new.experiment_count,
        'response_count', new.response_count,
        'byte_size', new.byte_size) end,
      'updated_at', new.updated_at),
    'progress',
    'job:' || new.id::text,
    true);
  return null;
end
$$;
comment on function private.broadcast_export_progress() is 'Trigger: broadcasts an export job''s status to job:<export id>.';
revoke execute on function private.broadcast_export_progress() from public;

create trigger experiment_exports_broadcast_progress
  after insert or update of status on public.experiment_exports
  for each row execute function private.broadcast_export_progress();

-- Who may join which topic: a private join is allowed when the joining user
-- can SELECT a broadcast row of that topic (Realtime Authorization). No
-- insert policy: clients never broadcast on these topics, only the triggers.
create policy "Users receive their own live feeds" on realtime.messages
  for select to authenticated
  using (
    realtime.messages.extension = 'broadcast'
    and (
      (select realtime.topic()) = 'experiments:' || (select auth.uid())::text
      or (select realtime.topic()) = 'analytics:' || (select auth.uid())::text
      or exists (
        select 1 from public.experiment_exports as e
         where e.id = private.topic_uuid((select realtime.topic()), 'job:')
           and e.user_id = (select auth.uid()))
    )
  );

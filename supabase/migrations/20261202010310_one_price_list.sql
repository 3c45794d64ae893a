-- One price list. model_prices (20261202007100) is what every response's
-- cost is computed from: prices per model from an effective date, with a
-- cached-input price, the lab's list and each user's own. The price columns
-- that models (20261202006300) carried had no date and nothing read them, so
-- two lists could disagree with no way to tell which one a cost came from.
-- This migration keeps model_prices as the one source: whatever complete
-- price an admin had put on a model moves into the lab's list (from when the
-- model row last changed, unless the lab's list already says the same), the
-- columns go, and admins, who manage models, now also extend and prune the
-- lab's list, audited like every other model setting. Safe on a hosted
-- project: it only copies rows the table owner can read and drops columns
-- no function, view or policy depends on.

insert into public.model_prices
  (user_id, model, input_per_million, output_per_million, effective_from, note)
select distinct on (m.name)
       null, m.name, m.input_usd_per_million_tokens, m.output_usd_per_million_tokens, m.updated_at,
       'Moved from the models settings'
  from public.models as m
 where m.input_usd_per_million_tokens is not null
   and m.output_usd_per_million_tokens is not null
   and not exists (
     select 1 from public.model_prices as p
      where p.user_id is null and p.model = m.name and p.effective_from <= m.updated_at
        and p.input_per_million = m.input_usd_per_million_tokens
        and p.output_per_million = m.output_usd_per_million_tokens)
 order by m.name, m.updated_at desc
on conflict (user_id, model, effective_from) do nothing;

alter table public.models
  drop constraint models_prices_check,
  drop column input_usd_per_million_tokens,
  drop column output_usd_per_million_tokens;

comment on table public.models is 'Models users may pick; what a response costs is in model_prices, by model name.';

-- One policy per operation (several permissive ones would each be evaluated for every row).
drop policy "Users can add prices of their own" on public.model_prices;
drop policy "Users can delete prices of their own" on public.model_prices;
create policy "Users add prices of their own, admins to the lab's list" on public.model_prices
  for insert to authenticated
  with check ((select auth.uid()) = user_id or (user_id is null and (select private.is_admin())));
create policy "Users delete prices of their own, admins from the lab's list" on public.model_prices
  for delete to authenticated
  using ((select auth.uid()) = user_id or (user_id is null and (select private.is_admin())));

/**
 * Audits each change of a model setting: which table, which row (its name,
 * or for a price its model), by whom.
 */
create or replace function private.audit_model_setting_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed jsonb;
begin
  if tg_op = 'DELETE' then
    changed := pg_catalog.to_jsonb(old);
  else
    changed := pg_catalog.to_jsonb(new);
  end if;
  insert into public.audit_logs (user_id, event_type, event_data, correlation_id, source)
  values (auth.uid(), 'model_setting_changed',
          pg_catalog.jsonb_build_object('table', tg_table_name, 'operation', pg_catalog.lower(tg_op),
                                        'id', changed ->> 'id',
                                        'name', coalesce(changed ->> 'name', changed ->> 'model'),
                                        'actorRole', coalesce(auth.role(), current_user::text)),
          private.current_correlation_id(), 'database');
  return null;
end
$$;
comment on function private.audit_model_setting_change() is 'Trigger: records model_setting_changed in audit_logs.';
revoke execute on function private.audit_model_setting_change() from public;

-- Only the lab's list is a setting; a user's own prices are their own data.
create trigger model_prices_audit_insert after insert on public.model_prices
  for each row when (new.user_id is null) execute function private.audit_model_setting_change();
create trigger model_prices_audit_delete after delete on public.model_prices
  for each row when (old.user_id is null) execute function private.audit_model_setting_change();

-- Cost per response: a price table per model (input, cached input and output
-- per million tokens, from an effective date), and every experiment's
-- responses priced by trigger from their token usage with the price in
-- force when the experiment was stored. A model without a price has an
-- unknown cost: null and counted as unpriced, never $0.
--
-- The lab's own list (user_id null) is written by the project owner with the
-- service role or in SQL; each user may add prices of their own (their own
-- models, or their negotiated rates), which win over the lab's list.

create table public.model_prices (
  id uuid primary key default private.uuid_v7(),
  user_id uuid default auth.uid() references auth.users (id) on delete cascade,
  model text not null,
  input_per_million numeric(14, 6) not null,
  cached_input_per_million numeric(14, 6),
  output_per_million numeric(14, 6) not null,
  currency text not null default 'USD',
  effective_from timestamptz not null,
  note text,
  created_at timestamptz not null default now(),
  constraint model_prices_user_id_model_effective_from_key
    unique nulls not distinct (user_id, model, effective_from),
  constraint model_prices_model_length check (char_length(model) between 1 and 200),
  constraint model_prices_input_nonnegative check (input_per_million >= 0),
  constraint model_prices_cached_input_nonnegative check (cached_input_per_million >= 0),
  constraint model_prices_output_nonnegative check (output_per_million >= 0),
  constraint model_prices_currency_usd check (currency = 'USD'),
  constraint model_prices_note_length check (char_length(note) <= 500)
);

comment on table public.model_prices is 'Token prices per model from an effective date: the lab''s list (user_id null) and each user''s own.';
comment on column public.model_prices.id is 'Primary key.';
comment on column public.model_prices.user_id is 'Owner of a user''s own price (defaults to the caller); null for the lab''s list.';
comment on column public.model_prices.model is 'Model name exactly as sent to the endpoint (experiments.model).';
comment on column public.model_prices.input_per_million is 'Price of one million prompt tokens, in USD.';
comment on column public.model_prices.cached_input_per_million is 'Price of one million cached prompt tokens, where the provider has one; null = the input price.';
comment on column public.model_prices.output_per_million is 'Price of one million completion tokens, in USD.';
comment on column public.model_prices.currency is 'Always USD.';
comment on column public.model_prices.effective_from is 'The price applies to experiments stored from this moment until a later price of the same model and owner.';
comment on column public.model_prices.note is 'Where the price comes from.';
comment on column public.model_prices.created_at is 'When the row was added.';

create index model_prices_model_effective_from_idx on public.model_prices (model, effective_from desc);
create index model_prices_user_id_idx on public.model_prices (user_id);

revoke all on table public.model_prices from anon, authenticated, service_role;
grant select, insert, delete on table public.model_prices to authenticated, service_role;

alter table public.model_prices enable row level security;

create policy "Users can read the lab's prices and their own" on public.model_prices
  for select to authenticated using (user_id is null or (select auth.uid()) = user_id);
create policy "Users can add prices of their own" on public.model_prices
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Users can delete prices of their own" on public.model_prices
  for delete to authenticated using ((select auth.uid()) = user_id);

insert into public.model_prices
  (user_id, model, input_per_million, cached_input_per_million, output_per_million, effective_from, note)
values
  (null, 'gpt-4o', 2.50, 1.25, 10.00, '2024-10-01T00:00:00Z', 'OpenAI list price (gpt-4o-2024-08-06)'),
  (null, 'gpt-4o-mini', 0.15, 0.075, 0.60, '2024-07-18T00:00:00Z', 'OpenAI list price'),
  (null, 'gpt-4.1', 2.00, 0.50, 8.00, '2025-04-14T00:00:00Z', 'OpenAI list price'),
  (null, 'gpt-4.1-mini', 0.40, 0.10, 1.60, '2025-04-14T00:00:00Z', 'OpenAI list price');

/**
 * The price of p_model in force at p_at for p_user_id: their own newest
 * price from before p_at if they have one, else the lab's; null when the
 * model has none. Runs as the caller, so RLS shows only those two lists.
 */
create or replace function private.price_in_force(p_user_id uuid, p_model text, p_at timestamptz)
returns public.model_prices
language sql
stable
set search_path = ''
as $$
  select p.*
    from public.model_prices as p
   where p.model = p_model and p.effective_from <= p_at
     and (p.user_id is null or p.user_id = p_user_id)
   order by (p.user_id is not null) desc, p.effective_from desc
   limit 1
$$;

comment on function private.price_in_force(uuid, text, timestamptz) is
  'The price of a model in force at a moment for a user: their own, else the lab''s; null when none.';
revoke execute on function private.price_in_force(uuid, text, timestamptz) from public;
grant execute on function private.price_in_force(uuid, text, timestamptz) to authenticated, service_role;

/**
 * The cost of one response's usage ({promptTokens, completionTokens,
 * cachedTokens?}) at a price: {"usd", "priceId"}, rounded to 10 decimals;
 * null when the price or the usage is missing (unknown, never zero).
 */
create or replace function private.usage_cost(p_price public.model_prices, p_usage jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select case
           when p_price.id is null or jsonb_typeof(p_usage) is distinct from 'object'
             or jsonb_typeof(p_usage -> 'promptTokens') is distinct from 'number'
             or jsonb_typeof(p_usage -> 'completionTokens') is distinct from 'number' then null
           else pg_catalog.jsonb_build_object(
             'usd', round((
               (greatest((p_usage ->> 'promptTokens')::numeric
                         - coalesce((p_usage ->> 'cachedTokens')::numeric, 0), 0)) * p_price.input_per_million
               + coalesce((p_usage ->> 'cachedTokens')::numeric, 0)
                 * coalesce(p_price.cached_input_per_million, p_price.input_per_million)
               + (p_usage ->> 'completionTokens')::numeric * p_price.output_per_million
             ) / 1000000, 10),
             'priceId', p_price.id)
         end
$$;

comment on function private.usage_cost(public.model_prices, jsonb) is
  'Cost of one response''s token usage at a price: {usd, priceId}, or null when either is missing.';
revoke execute on function private.usage_cost(public.model_prices, jsonb) from public;
grant execute on function private.usage_cost(public.model_prices, jsonb) to authenticated, service_role;

alter table public.experiments
  add column cost_usd numeric,
  add column unpriced_responses integer not null default 0,
  add constraint experiments_cost_nonnegative check (cost_usd >= 0),
  add constraint experiments_unpriced_responses_nonnegative check (unpriced_responses >= 0);

comment on column public.experiments.cost_usd is 'Sum of the succeeded responses'' costs in USD, set by trigger; null when any of them is unknown.';
comment on column public.experiments.unpriced_responses is 'Set by trigger: succeeded responses whose cost is unknown (no price for the model, or no usage).';

/**
 * Prices every succeeded response of a new experiment (response.cost =
 * {usd, priceId} or null) with the price in force at created_at, and sets
 * cost_usd and unpriced_responses; whatever the client sent is replaced.
 */
create or replace function private.price_experiment_responses()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  price public.model_prices := private.price_in_force(new.user_id, new.model, new.created_at);
begin
  if jsonb_typeof(new.responses) is distinct from 'array' then
    return new; -- the table's check constraint refuses it
  end if;
  select coalesce(pg_catalog.jsonb_agg(
           case when r.item ->> 'status' = 'succeeded'
                then r.item || pg_catalog.jsonb_build_object('cost', private.usage_cost(price, r.item -> 'usage'))
                else r.item end
           order by r.ordinality), '[]'::jsonb)
    into new.responses
    from pg_catalog.jsonb_array_elements(new.responses) with ordinality as r(item, ordinality);
  select case when count(*) filter (where c.cost is null) = 0 then coalesce(sum((c.cost ->> 'usd')::numeric), 0) end,
         count(*) filter (where c.cost is null)
    into new.cost_usd, new.unpriced_responses
    from (select nullif(r.item -> 'cost', 'null'::jsonb) as cost
            from pg_catalog.jsonb_array_elements(new.responses) as r(item)
           where r.item ->> 'status' = 'succeeded') as c;
  return new;
end
$$;

comment on function private.price_experiment_responses() is
  'Trigger: prices a new experiment''s succeeded responses and sets cost_usd and unpriced_responses.';
revoke execute on function private.price_experiment_responses() from public;

create trigger experiments_price_responses before insert on public.experiments
  for each row execute function private.price_experiment_responses();

-- Which part of a calibration's range people and judges prefer: the mean and
-- count of every config's scores per bin of one sampling parameter, human,
-- judge and heuristic side by side. Computed on read from one calibration's
-- experiments (found by experiments_calibration_id_user_id_idx) and their
-- ratings (ratings_experiment_id_owner_id_idx); runs as the caller, so RLS
-- decides what is counted.

/**
 * Per-bin score summary of a calibration: p_bins equal-width bins of
 * p_parameter across the calibration's range (the top edge in the last bin).
 */
create or replace function public.rating_bins(
  p_calibration_id uuid,
  p_parameter text default 'temperature',
  p_bins integer default 5
) returns table (
  bin integer, bin_from numeric, bin_to numeric, config_id uuid, source text,
  mean numeric, count bigint
)
language plpgsql stable
set search_path = ''
as $$
declare
  lo numeric;
  hi numeric;
begin
  if p_parameter is null or p_parameter not in ('temperature', 'top_p', 'max_tokens', 'frequency_penalty') then
    perform private.raise_http_error(400, 'invalid_request',
      'Cannot bin scores: "parameter" must be temperature, top_p, max_tokens or frequency_penalty');
  end if;
  if p_bins is null or p_bins < 1 or p_bins > 50 then
    perform private.raise_http_error(400, 'invalid_request', 'Cannot bin scores: "bins" must be between 1 and 50');
  end if;
  select case p_parameter
           when 'temperature' then c.temperature_min when 'top_p' then c.top_p_min
           when 'max_tokens' then c.max_tokens_min else c.frequency_penalty_min end,
         case p_parameter
           when 'temperature' then c.temperature_max when 'top_p' then c.top_p_max
           when 'max_tokens' then c.max_tokens_max else c.frequency_penalty_max end
    into lo, hi
    from public.calibrations c where c.id = p_calibration_id;
  if not found then
    perform private.raise_http_error(404, 'calibration_not_found', 'Calibration not found');
  end if;
  return query
  with responses as (
    select e.id as experiment_id, (r.value ->> 'index')::smallint as response_index,
           (r.value -> 'parameters' ->> p_parameter)::numeric as x, r.value -> 'metrics' as metrics
      from public.experiments e
     cross join lateral pg_catalog.jsonb_array_elements(e.responses) r
     where e.calibration_id = p_calibration_id and not e.discarded and r.value ->> 'status' = 'succeeded'
  ), binned as (
    select s.*, case when hi <= lo then 1
                     else least(p_bins, greatest(1, pg_catalog.width_bucket(s.x, lo, hi, p_bins))) end as b
      from responses s
  ), scores as (
    select b.b, ra.config_id, ra.source, ra.value
      from binned b
      join public.ratings ra on ra.experiment_id = b.experiment_id and ra.response_index = b.response_index
    union all
    select b.b, private.heuristic_config_id(m.key), 'heuristic', (m.value)::numeric
      from binned b
     cross join lateral pg_catalog.jsonb_each(b.metrics) m
     where private.heuristic_config_id(m.key) is not null
  )
  select sc.b, lo + (hi - lo) * (sc.b - 1) / p_bins, lo + (hi - lo) * sc.b / p_bins,
         sc.config_id, sc.source, pg_catalog.avg(sc.value), pg_catalog.count(*)
    from scores sc
   group by sc.b, sc.config_id, sc.source
   order by sc.b, sc.config_id, sc.source;
end
$$;
comment on function public.rating_bins(uuid, text, integer) is
  'Mean and count of every config''s human, judge and heuristic scores per bin of a sampling parameter across a calibration''s range.';
revoke execute on function public.rating_bins(uuid, text, integer) from public, anon;
grant execute on function public.rating_bins(uuid, text, integer) to authenticated;

-- Datasets from CSV: a named dataset per user, versions that each come from
-- one uploaded CSV file (rows are never rewritten; a new upload makes a new
-- version), the items an ingest saved and the rows it skipped with a reason
-- and the line number. An ingest works in batches through the step
-- functions below, which keep a checkpoint and counts in the same
-- statement as the rows, so a crashed or cancelled ingest resumes without
-- duplicating one. Users read everything of theirs through the Data API,
-- create and rename datasets, and may cancel a version; the rest is written
-- only by the step functions.

create table public.datasets (
  id uuid primary key default private.uuid_v7(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  name text not null,
  description text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint datasets_user_id_name_key unique (user_id, name),
  constraint datasets_id_user_id_key unique (id, user_id),
  constraint datasets_name_format check (name ~ '^[A-Za-z0-9][A-Za-z0-9 _.:/-]{0,99}$'),
  constraint datasets_description_length check (char_length(description) <= 2000)
);

comment on table public.datasets is 'A named collection of items (prompt variables), versioned by upload.';
comment on column public.datasets.id is 'Primary key.';
comment on column public.datasets.user_id is 'Owner (auth.users.id); defaults to the caller.';
comment on column public.datasets.name is 'Name, unique per owner: letters, digits, space and _ . : / -, at most 100 characters.';
comment on column public.datasets.description is 'Free text, at most 2000 characters.';
comment on column public.datasets.created_at is 'When the dataset was created.';
comment on column public.datasets.updated_at is 'Last change of name or description.';

create index datasets_user_id_idx on public.datasets (user_id);

revoke all on table public.datasets from anon, authenticated, service_role;
grant select, insert, delete on table public.datasets to authenticated, service_role;
grant update (name, description) on table public.datasets to authenticated, service_role;

create trigger datasets_set_updated_at before update on public.datasets
  for each row execute function private.set_updated_at();

alter table public.datasets enable row level security;

create policy "Users can read their own datasets" on public.datasets
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can create their own datasets" on public.datasets
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Users can update their own datasets" on public.datasets
  for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);
create policy "Users can delete their own datasets" on public.datasets
  for delete to authenticated using ((select auth.uid()) = user_id);

create table public.dataset_versions (
  id uuid primary key default private.uuid_v7(),
  dataset_id uuid not null,
  user_id uuid not null,
  version integer not null,
  source_path text not null,
  delimiter text not null default ',',
  column_map jsonb,
  status text not null default 'pending',
  columns text[],
  checkpoint_line integer not null default 0,
  saved_count integer not null default 0,
  skipped_count integer not null default 0,
  skipped_by_reason jsonb not null default '{}',
  error text,
  correlation_id uuid default private.current_correlation_id(),
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now(),
  constraint dataset_versions_dataset_fkey foreign key (dataset_id, user_id)
    references public.datasets (id, user_id) on delete cascade,
  constraint dataset_versions_dataset_id_version_key unique (dataset_id, version),
  constraint dataset_versions_id_user_id_key unique (id, user_id),
  constraint dataset_versions_source_path_own_folder check (split_part(source_path, '/', 1) = user_id::text),
  constraint dataset_versions_delimiter_one_character check (char_length(delimiter) = 1 and delimiter not in ('"', E'\n', E'\r')),
  constraint dataset_versions_column_map_object check (column_map is null or jsonb_typeof(column_map) = 'object'),
  constraint dataset_versions_status_check check (status in ('pending', 'running', 'completed', 'failed', 'cancelled')),
  constraint dataset_versions_counts_nonnegative check (checkpoint_line >= 0 and saved_count >= 0 and skipped_count >= 0),
  constraint dataset_versions_error_length check (char_length(error) <= 2000)
);

comment on table public.dataset_versions is 'One upload of a dataset: its CSV file, the ingest''s status, checkpoint and counts.';
comment on column public.dataset_versions.id is 'Primary key.';
comment on column public.dataset_versions.dataset_id is 'The dataset (same owner).';
comment on column public.dataset_versions.user_id is 'Owner (auth.users.id).';
comment on column public.dataset_versions.version is 'One more than the dataset''s newest version.';
comment on column public.dataset_versions.source_path is 'The CSV''s object path in the datasets bucket, under the owner''s folder.';
comment on column public.dataset_versions.delimiter is 'Field delimiter, one character (default a comma).';
comment on column public.dataset_versions.column_map is '{"variable": "CSV column"}: which columns become which variables; null keeps every column under its own name.';
comment on column public.dataset_versions.status is 'pending, running, completed, failed or cancelled; failed and cancelled versions may be resumed.';
comment on column public.dataset_versions.columns is 'The variables every item has (from the header and the column map), set when the header is read.';
comment on column public.dataset_versions.checkpoint_line is 'The last line of the file whose rows are stored; a resumed ingest skips up to it.';
comment on column public.dataset_versions.saved_count is 'Rows saved as items.';
comment on column public.dataset_versions.skipped_count is 'Rows skipped (see dataset_skips).';
comment on column public.dataset_versions.skipped_by_reason is 'Skipped rows per reason: {"empty": n, "duplicate": n, "too_long": n, "missing_column": n, "malformed": n}.';
comment on column public.dataset_versions.error is 'Why the ingest failed, naming the line where there is one.';
comment on column public.dataset_versions.correlation_id is 'Correlation id of the request that created the version.';
comment on column public.dataset_versions.created_at is 'When the version was created.';
comment on column public.dataset_versions.started_at is 'When its ingest first started.';
comment on column public.dataset_versions.finished_at is 'When its ingest completed, failed or was cancelled.';
comment on column public.dataset_versions.updated_at is 'Last change (progress).';

create index dataset_versions_user_id_idx on public.dataset_versions (user_id);
create index dataset_versions_dataset_id_user_id_idx on public.dataset_versions (dataset_id, user_id);

revoke all on table public.dataset_versions from anon, authenticated, service_role;
grant select, delete on table public.dataset_versions to authenticated, service_role;
grant update (status) on table public.dataset_versions to authenticated, service_role;

create trigger dataset_versions_set_updated_at before update on public.dataset_versions
  for each row execute function private.set_updated_at();

/**
 * The status machine of a dataset version: pending -> running | cancelled,
 * running -> completed | failed | cancelled, failed | cancelled -> running
 * (resume). A user (who may only update status) can only cancel.
 */
create or replace function private.check_dataset_version_transition()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status is distinct from old.status and not (
       (old.status = 'pending' and new.status in ('running', 'cancelled'))
    or (old.status = 'running' and new.status in ('completed', 'failed', 'cancelled'))
    or (old.status in ('failed', 'cancelled') and new.status = 'running')) then
    raise exception 'Invalid dataset version status change: % -> %', old.status, new.status
      using errcode = '23514';
  end if;
  if new.status is distinct from old.status and current_user in ('authenticated', 'anon')
     and new.status <> 'cancelled' then
    raise exception 'A dataset version can only be cancelled by its owner' using errcode = '42501';
  end if;
  if new.status in ('completed', 'failed', 'cancelled') and new.status is distinct from old.status then
    new.finished_at := pg_catalog.now();
  end if;
  return new;
end
$$;

comment on function private.check_dataset_version_transition() is
  'Trigger: enforces the dataset version status machine; users may only cancel.';
revoke execute on function private.check_dataset_version_transition() from public;

create trigger dataset_versions_check_transition before update on public.dataset_versions
  for each row execute function private.check_dataset_version_transition();

alter table public.dataset_versions enable row level security;

create policy "Users can read their own dataset versions" on public.dataset_versions
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can cancel their own dataset versions" on public.dataset_versions
  for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);
create policy "Users can delete their own dataset versions" on public.dataset_versions
  for delete to authenticated using ((select auth.uid()) = user_id);

create table public.dataset_items (
  id uuid primary key default private.uuid_v7(),
  dataset_version_id uuid not null,
  user_id uuid not null,
  line_number integer not null,
  item_values jsonb not null,
  content_hash text not null,
  created_at timestamptz not null default now(),
  constraint dataset_items_version_fkey foreign key (dataset_version_id, user_id)
    references public.dataset_versions (id, user_id) on delete cascade,
  constraint dataset_items_dataset_version_id_line_number_key unique (dataset_version_id, line_number),
  constraint dataset_items_dataset_version_id_content_hash_key unique (dataset_version_id, content_hash),
  constraint dataset_items_id_user_id_key unique (id, user_id),
  constraint dataset_items_line_number_positive check (line_number >= 2),
  constraint dataset_items_values_object check (jsonb_typeof(item_values) = 'object')
);

comment on table public.dataset_items is 'One saved row of a dataset version: its variables. Never rewritten.';
comment on column public.dataset_items.id is 'Primary key.';
comment on column public.dataset_items.dataset_version_id is 'The version (same owner).';
comment on column public.dataset_items.user_id is 'Owner (auth.users.id).';
comment on column public.dataset_items.line_number is 'The file line the row starts on (the header is line 1); unique per version, so a resumed ingest never stores a row twice.';
comment on column public.dataset_items.item_values is '{"variable": "text"} for every column of the version.';
comment on column public.dataset_items.content_hash is 'md5 of the values: a second row with the same values is skipped as a duplicate.';
comment on column public.dataset_items.created_at is 'When the row was stored.';

create index dataset_items_user_id_idx on public.dataset_items (user_id);
create index dataset_items_dataset_version_id_user_id_idx on public.dataset_items (dataset_version_id, user_id);

revoke all on table public.dataset_items from anon, authenticated, service_role;
grant select on table public.dataset_items to authenticated, service_role;

alter table public.dataset_items enable row level security;

create policy "Users can read their own dataset items" on public.dataset_items
  for select to authenticated using ((select auth.uid()) = user_id);

create table public.dataset_skips (
  dataset_version_id uuid not null,
  line_number integer not null,
  user_id uuid not null,
  reason text not null,
  detail text not null,
  created_at timestamptz not null default now(),
  primary key (dataset_version_id, line_number),
  constraint dataset_skips_version_fkey foreign key (dataset_version_id, user_id)
    references public.dataset_versions (id, user_id) on delete cascade,
  constraint dataset_skips_reason_check check (
    reason in ('empty', 'duplicate', 'too_long', 'missing_column', 'malformed')),
  constraint dataset_skips_detail_length check (char_length(detail) <= 500)
);

comment on table public.dataset_skips is 'A row an ingest skipped, with the reason and the line it starts on.';
comment on column public.dataset_skips.dataset_version_id is 'The version (same owner).';
comment on column public.dataset_skips.line_number is 'The file line the row starts on (the header is line 1).';
comment on column public.dataset_skips.user_id is 'Owner (auth.users.id).';
comment on column public.dataset_skips.reason is 'empty, duplicate, too_long, missing_column or malformed.';
comment on column public.dataset_skips.detail is 'What was wrong, in a sentence (never the row''s content).';
comment on column public.dataset_skips.created_at is 'When the row was skipped.';

create index dataset_skips_user_id_idx on public.dataset_skips (user_id);
create index dataset_skips_dataset_version_id_user_id_idx on public.dataset_skips (dataset_version_id, user_id);

revoke all on table public.dataset_skips from anon, authenticated, service_role;
grant select on table public.dataset_skips to authenticated, service_role;

alter table public.dataset_skips enable row level security;

create policy "Users can read their own dataset skips" on public.dataset_skips
  for select to authenticated using ((select auth.uid()) = user_id);

-- The private datasets bucket: users upload CSV files to and read them from
-- their own folder only.
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('datasets', 'datasets', false, 524288000,
        array['text/csv', 'text/plain', 'application/vnd.ms-excel', 'application/octet-stream'])
on conflict (id) do update set
  public = excluded.public,
  file_size_limit = excluded.file_size_limit,
  allowed_mime_types = excluded.allowed_mime_types;

create policy "Users can upload datasets to their own folder" on storage.objects
  for insert to authenticated
  with check (bucket_id = 'datasets' and (storage.foldername(name))[1] = (select auth.uid())::text);
create policy "Users can read datasets in their own folder" on storage.objects
  for select to authenticated
  using (bucket_id = 'datasets' and (storage.foldername(name))[1] = (select auth.uid())::text);

-- Ingest steps. Each takes the caller's verified claims (and, like every
-- step, the request's correlation id) and only ever touches rows of the
-- claims' subject, checked in every statement rather than by RLS; like
-- generate's steps only the functions' own database role (their owner) may
-- execute them.

/** The subject of verified claims, or 42501 when there is none. */
create or replace function private.claims_subject(p_claims jsonb)
returns uuid
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_claims is null or coalesce(p_claims ->> 'sub', '') = '' then
    raise exception 'Cannot act as a user without a subject claim' using errcode = '42501';
  end if;
  return (p_claims ->> 'sub')::uuid;
end
$$;

comment on function private.claims_subject(jsonb) is 'The sub of verified claims as a uuid; 42501 without one.';
revoke execute on function private.claims_subject(jsonb) from public, anon, authenticated, service_role;

/**
 * Creates version n+1 of the caller's dataset p_dataset_id from the CSV at
 * p_source_path (which must be in the caller's folder), pending. Raises 404
 * dataset_not_found for a missing or someone else's dataset, 400
 * invalid_source_path for a path outside the caller's folder. Returns the row.
 */
create or replace function private.create_dataset_version(
  p_claims jsonb,
  p_correlation_id uuid,
  p_dataset_id uuid,
  p_source_path text,
  p_delimiter text default ',',
  p_column_map jsonb default null
) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  subject uuid := private.claims_subject(p_claims);
  created public.dataset_versions;
begin
  perform 1 from public.datasets as d where d.id = p_dataset_id and d.user_id = subject for update;
  if not found then
    perform private.raise_http_error(404, 'dataset_not_found', 'Dataset not found: ' || p_dataset_id::text);
  end if;
  if split_part(coalesce(p_source_path, ''), '/', 1) <> subject::text or p_source_path like '%..%' then
    perform private.raise_http_error(400, 'invalid_source_path',
      'The CSV must be in your own folder of the datasets bucket: ' || subject::text || '/…');
  end if;
  perform pg_catalog.set_config('app.correlation_id', coalesce(p_correlation_id::text, ''), true);
  insert into public.dataset_versions (dataset_id, user_id, version, source_path, delimiter, column_map)
  select p_dataset_id, subject, coalesce(max(v.version), 0) + 1, p_source_path, coalesce(p_delimiter, ','), p_column_map
    from public.dataset_versions as v
   where v.dataset_id = p_dataset_id
  returning * into created;
  return pg_catalog.to_jsonb(created);
end
$$;

comment on function private.create_dataset_version(jsonb, uuid, uuid, text, text, jsonb) is
  'Ingest step: a new pending version of the caller''s dataset from a CSV in their folder.';
revoke execute on function private.create_dataset_version(jsonb, uuid, uuid, text, text, jsonb)
  from public, anon, authenticated, service_role;

/**
 * Starts (or resumes) the ingest of the caller's version: pending, failed or
 * cancelled -> running. Returns the row; a completed or running version is
 * returned unchanged (the caller decides what to do), 404
 * dataset_version_not_found when it is not the caller's.
 */
create or replace function private.begin_dataset_ingest(p_claims jsonb, p_correlation_id uuid, p_version_id uuid)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  subject uuid := private.claims_subject(p_claims);
  found_row public.dataset_versions;
begin
  update public.dataset_versions as v
     set status = 'running', error = null, started_at = coalesce(v.started_at, pg_catalog.now())
   where v.id = p_version_id and v.user_id = subject and v.status in ('pending', 'failed', 'cancelled')
  returning * into found_row;
  if found_row.id is null then
    select * into found_row from public.dataset_versions as v where v.id = p_version_id and v.user_id = subject;
  end if;
  if found_row.id is null then
    perform private.raise_http_error(404, 'dataset_version_not_found',
      'Dataset version not found: ' || p_version_id::text);
  end if;
  return pg_catalog.to_jsonb(found_row);
end
$$;

comment on function private.begin_dataset_ingest(jsonb, uuid, uuid) is
  'Ingest step: the caller''s version to running (or as it is when completed or running).';
revoke execute on function private.begin_dataset_ingest(jsonb, uuid, uuid) from public, anon, authenticated, service_role;

/**
 * Stores one batch of a running ingest of the caller's version, in one
 * statement: p_columns (a JSON array; the first batch sets the version's columns),
 * p_rows [{line, values}] as items and p_skips [{line, reason, detail}] as
 * skips, and the checkpoint p_checkpoint_line. A row whose line is already
 * stored (a resumed batch) is ignored; a row with the values of an earlier
 * row is skipped as a duplicate. Counts grow only by what is new, so a
 * repeated batch changes nothing. Does nothing unless the version is
 * running (e.g. cancelled meanwhile). Returns {status, checkpointLine,
 * savedCount, skippedCount, skippedByReason}.
 */
create or replace function private.store_dataset_rows(
  p_claims jsonb,
  p_correlation_id uuid,
  p_version_id uuid,
  p_columns jsonb,
  p_rows jsonb,
  p_skips jsonb,
  p_checkpoint_line integer
) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  subject uuid := private.claims_subject(p_claims);
  version_row public.dataset_versions;
  saved integer;
  skipped jsonb;
begin
  select * into version_row from public.dataset_versions as v
   where v.id = p_version_id and v.user_id = subject
     for update;
  if version_row.id is null then
    perform private.raise_http_error(404, 'dataset_version_not_found',
      'Dataset version not found: ' || p_version_id::text);
  end if;
  if version_row.status <> 'running' then
    return pg_catalog.jsonb_build_object('status', version_row.status, 'checkpointLine', version_row.checkpoint_line,
      'savedCount', version_row.saved_count, 'skippedCount', version_row.skipped_count,
      'skippedByReason', version_row.skipped_by_reason);
  end if;

  with incoming as (
    select (r ->> 'line')::integer as line, r -> 'values' as item_values
      from pg_catalog.jsonb_array_elements(coalesce(p_rows, '[]')) as r
     where (r ->> 'line')::integer > version_row.checkpoint_line
  ), inserted as (
    insert into public.dataset_items (dataset_version_id, user_id, line_number, item_values, content_hash)
    select p_version_id, subject, i.line, i.item_values, pg_catalog.md5(i.item_values::text)
      from incoming as i
     order by i.line
    on conflict do nothing
    returning line_number
  ), duplicates as (
    select i.line from incoming as i
     where i.line not in (select line_number from inserted)
       and not exists (select 1 from public.dataset_items as d
                        where d.dataset_version_id = p_version_id and d.line_number = i.line)
  ), new_skips as (
    insert into public.dataset_skips (dataset_version_id, line_number, user_id, reason, detail)
    select p_version_id, s.line, subject, s.reason, s.detail
      from (select (x ->> 'line')::integer as line, x ->> 'reason' as reason, left(x ->> 'detail', 500) as detail
              from pg_catalog.jsonb_array_elements(coalesce(p_skips, '[]')) as x
            union all
            select d.line, 'duplicate', 'The row repeats the values of an earlier row' from duplicates as d) as s
     where s.line > version_row.checkpoint_line
    on conflict do nothing
    returning reason
  )
  select (select count(*) from inserted)::integer,
         coalesce((select pg_catalog.jsonb_object_agg(n.reason, n.count)
                     from (select reason, count(*) as count from new_skips group by reason) as n), '{}')
    into saved, skipped;

  update public.dataset_versions as v
     set columns = coalesce(v.columns,
                            (select pg_catalog.array_agg(c order by o)
                               from pg_catalog.jsonb_array_elements_text(p_columns) with ordinality as x(c, o))),
         checkpoint_line = greatest(v.checkpoint_line, p_checkpoint_line),
         saved_count = v.saved_count + saved,
         skipped_count = v.skipped_count
           + coalesce((select sum(value::integer) from pg_catalog.jsonb_each_text(skipped)), 0)::integer,
         skipped_by_reason = (
           select coalesce(pg_catalog.jsonb_object_agg(k, total), '{}')
             from (select k, sum(n)::integer as total
                     from (select e.key as k, e.value::integer as n from pg_catalog.jsonb_each_text(v.skipped_by_reason) as e
                           union all
                           select e.key, e.value::integer from pg_catalog.jsonb_each_text(skipped) as e) as both_counts
                    group by k) as sums)
   where v.id = p_version_id
  returning * into version_row;
  return pg_catalog.jsonb_build_object('status', version_row.status, 'checkpointLine', version_row.checkpoint_line,
    'savedCount', version_row.saved_count, 'skippedCount', version_row.skipped_count,
    'skippedByReason', version_row.skipped_by_reason);
end
$$;

comment on function private.store_dataset_rows(jsonb, uuid, uuid, jsonb, jsonb, jsonb, integer) is
  'Ingest step: one batch of items and skips with the checkpoint; idempotent per line.';
revoke execute on function private.store_dataset_rows(jsonb, uuid, uuid, jsonb, jsonb, jsonb, integer)
  from public, anon, authenticated, service_role;

/**
 * Ends the running ingest of the caller's version as completed, or failed
 * with p_error (naming the line where there is one). Returns the row; a
 * version that is no longer running (cancelled) is returned unchanged.
 */
create or replace function private.finish_dataset_ingest(
  p_claims jsonb,
  p_correlation_id uuid,
  p_version_id uuid,
  p_error text default null
) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  subject uuid := private.claims_subject(p_claims);
  found_row public.dataset_versions;
begin
  update public.dataset_versions as v
     set status = case when p_error is null then 'completed' else 'failed' end,
         error = left(p_error, 2000)
   where v.id = p_version_id and v.user_id = subject and v.status = 'running'
  returning * into found_row;
  if found_row.id is null then
    select * into found_row from public.dataset_versions as v where v.id = p_version_id and v.user_id = subject;
  end if;
  if found_row.id is null then
    perform private.raise_http_error(404, 'dataset_version_not_found',
      'Dataset version not found: ' || p_version_id::text);
  end if;
  return pg_catalog.to_jsonb(found_row);
end
$$;

comment on function private.finish_dataset_ingest(jsonb, uuid, uuid, text) is
  'Ingest step: the caller''s running version to completed, or failed with the error.';
revoke execute on function private.finish_dataset_ingest(jsonb, uuid, uuid, text) from public, anon, authenticated, service_role;

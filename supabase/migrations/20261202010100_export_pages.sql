-- Exports read their selection a page at a time, each page a range of
-- (created_at, id) keys after the last one written (exports/read/selection.ts):
-- these indexes let every page seek to its first row instead of scanning
-- the user's rows again, for experiments and for their audit events.

create index experiments_user_id_created_at_id_idx
  on public.experiments (user_id, created_at, id);
create index audit_logs_user_id_created_at_id_idx
  on public.audit_logs (user_id, created_at, id);

-- Realtime: clients watch their experiments arrive and their analytics change.
-- Supabase Realtime applies each subscriber's RLS to these changes.

alter publication supabase_realtime add table public.experiments, public.analytics_summaries;

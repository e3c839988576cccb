/*
  auth.sessions, as Supabase has it: one row per Supabase Auth session (its
  refresh tokens hang off it), deleted when the account's access ends
  (private.revoke_account_credentials). Local accounts keep their sessions in
  public.auth_sessions, so outside Supabase this table stays empty; it exists
  so that the SQL ending an account's Supabase sessions is one static
  statement everywhere, compiled and checked like the rest (plpgsql_check) and
  testable on plain Postgres and PGlite. These are the columns we rely on.
  Skipped where it exists, so on Supabase's own Postgres this changes nothing.
*/
create table if not exists auth.sessions (
  id         uuid primary key default gen_random_uuid(),
  user_id    uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);

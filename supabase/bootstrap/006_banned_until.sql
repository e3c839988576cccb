/*
  auth.users.banned_until, as Supabase has it: while it lies in the future the
  account cannot sign in (an admin disabled it). Supabase Auth reads it on
  every sign-in and token refresh; local accounts read it through
  local_find_account and local_session_status. Skipped where it exists, so on
  Supabase's own Postgres this changes nothing.
*/
alter table auth.users add column if not exists banned_until timestamptz;

/*
  auth.users.email_confirmed_at, as Supabase has it: null until the owner of the
  address proves it (Supabase sets it when the user opens its confirmation link;
  local accounts set it through /verify-email). Skipped where it exists, so on
  Supabase's own Postgres this changes nothing.
*/
alter table auth.users add column if not exists email_confirmed_at timestamptz;

/*
  Schemas besides public.

  public holds the tables and the functions the server calls (as service_role).
  private holds the helpers those functions call: no API role has USAGE on it,
  so PostgREST never exposes them and no client can call them, whatever their
  own EXECUTE privileges say.

  auth (auth.users, auth.uid(), …) is Supabase's, or supabase/bootstrap's on
  plain Postgres and PGlite; app_meta.schema_migrations is the migrator's own
  record of applied migrations (lib/db/migrate.ts). Neither is defined here.
*/
create schema private;
revoke all on schema private from public;

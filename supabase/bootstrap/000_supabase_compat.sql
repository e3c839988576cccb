/*
  What Supabase's Postgres has and plain Postgres / PGlite lack.

  Applied before the migrations in the embedded (PGlite) and postgres modes, and
  by `npm run db:migrate`. Every statement skips what already exists, so running it
  against Supabase's own Postgres changes nothing there: Supabase's definitions win.

  With this in place the migrations' RLS policies are real everywhere: tests can
  `set role authenticated` and `set request.jwt.claims` exactly as PostgREST does.
*/

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    -- Supabase's service_role bypasses RLS; the server acts as it.
    create role service_role nologin noinherit bypassrls;
  end if;
end
$$;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;
grant usage on schema public to anon, authenticated, service_role;

/*
  auth.users: the accounts table. Supabase's has many more columns; these are the
  ones we rely on. A plain `insert (id, email)` works, as on Supabase.
  encrypted_password holds the scrypt hash of local accounts (Supabase uses the
  same column for its bcrypt hashes).
*/
create table if not exists auth.users (
  id                 uuid primary key default gen_random_uuid(),
  email              text,
  encrypted_password text,
  raw_user_meta_data jsonb not null default '{}'::jsonb,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now()
);
create unique index if not exists users_email_lower_key on auth.users (lower(email));

do $$
begin
  -- auth.jwt(): the claims of the current request, as PostgREST sets them.
  if not exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                 where n.nspname = 'auth' and p.proname = 'jwt') then
    execute $f$
      create function auth.jwt() returns jsonb language sql stable as $b$
        select coalesce(
          nullif(current_setting('request.jwt.claim', true), ''),
          nullif(current_setting('request.jwt.claims', true), ''),
          '{}'
        )::jsonb
      $b$;
      comment on function auth.jwt() is 'Claims of the current request (request.jwt.claims), as on Supabase.';
    $f$;
  end if;

  -- auth.uid(): the signed-in user's id, or null.
  if not exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                 where n.nspname = 'auth' and p.proname = 'uid') then
    execute $f$
      create function auth.uid() returns uuid language sql stable as $b$
        select nullif(coalesce(
          nullif(current_setting('request.jwt.claim.sub', true), ''),
          auth.jwt() ->> 'sub'
        ), '')::uuid
      $b$;
      comment on function auth.uid() is 'The sub claim of the current request, as on Supabase.';
    $f$;
  end if;

  -- auth.role(): the role claim of the current request.
  if not exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                 where n.nspname = 'auth' and p.proname = 'role') then
    execute $f$
      create function auth.role() returns text language sql stable as $b$
        select nullif(coalesce(
          nullif(current_setting('request.jwt.claim.role', true), ''),
          auth.jwt() ->> 'role'
        ), '')::text
      $b$;
      comment on function auth.role() is 'The role claim of the current request, as on Supabase.';
    $f$;
  end if;
end
$$;

grant execute on function auth.uid(), auth.jwt(), auth.role() to anon, authenticated, service_role;

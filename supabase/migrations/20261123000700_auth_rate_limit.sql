/*
  Sign-in rate limiting for local accounts.

  Failed sign-ins are counted per e-mail and per client IP in fixed windows.
  The counters live in the database, not in process memory, so the limit holds
  across any number of app instances. Keys are SHA-256 hashes: the table never
  holds an e-mail address or an IP in clear.
*/

/* One counter per (scope, key) and window; a new window starts when the old one is over. */
create table public.auth_rate_limits (
  scope             text not null check (scope in ('email', 'ip')),
  key_hash          text not null,
  failures          integer not null default 0 check (failures >= 0),
  window_started_at timestamptz not null default now(),
  primary key (scope, key_hash)
);
comment on table public.auth_rate_limits is
  'Sign-in attempts not yet given back (i.e. failures) per hashed e-mail and per hashed IP; read and written only by the auth_login_* functions.';

/* Server-only: no policy lets anon or authenticated read or write it. */
alter table public.auth_rate_limits enable row level security;
revoke all on public.auth_rate_limits from public, anon, authenticated;
grant all on public.auth_rate_limits to service_role;

create function public.auth_rate_limit_key(p_value text)
returns text
language sql
immutable
set search_path = ''
as $$
  select encode(pg_catalog.sha256(convert_to(lower(trim(coalesce(p_value, ''))), 'UTF8')), 'hex')
$$;
comment on function public.auth_rate_limit_key(text) is
  'The stored key for an e-mail or IP: sha256 of its trimmed lower-case form.';

/*
  auth_login_attempt: reserves one sign-in attempt for the e-mail and the IP
  *before* the password is checked, and says whether it may go ahead. The
  counter is incremented and read in one statement per scope (the row lock of
  the upsert serializes concurrent attempts), so a burst of simultaneous
  attempts cannot all pass a check made before any of them is counted: exactly
  the first p_max_* of a window go ahead. A correct password gives the attempt
  back (auth_login_succeeded), so in effect the counters count failures.
  Returns {allowed, retry_after_seconds}.
*/
create function public.auth_login_attempt(
  p_email          text,
  p_ip             text,
  p_window_seconds integer default 900,
  p_max_per_email  integer default 10,
  p_max_per_ip     integer default 50
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_scope   text;
  v_value   text;
  v_count   integer;
  v_started timestamptz;
  v_until   timestamptz;
  v_max     integer;
begin
  foreach v_scope in array array['email', 'ip'] loop
    v_value := case v_scope when 'email' then p_email else p_ip end;
    continue when coalesce(trim(v_value), '') = '';
    insert into public.auth_rate_limits as r (scope, key_hash, failures, window_started_at)
    values (v_scope, public.auth_rate_limit_key(v_value), 1, now())
    on conflict (scope, key_hash) do update
      set failures = case when r.window_started_at > now() - make_interval(secs => p_window_seconds)
                          then r.failures + 1 else 1 end,
          window_started_at = case when r.window_started_at > now() - make_interval(secs => p_window_seconds)
                                   then r.window_started_at else now() end
    returning r.failures, r.window_started_at into v_count, v_started;
    v_max := case v_scope when 'email' then p_max_per_email else p_max_per_ip end;
    if v_count > v_max then
      v_until := greatest(v_until, v_started + make_interval(secs => p_window_seconds));
    end if;
  end loop;
  return jsonb_build_object(
    'allowed', v_until is null,
    'retry_after_seconds', coalesce(ceil(extract(epoch from v_until - now()))::integer, 0));
end
$$;
comment on function public.auth_login_attempt(text, text, integer, integer, integer) is
  'Atomically reserves a sign-in attempt for the e-mail and the IP before the password is checked: {allowed, retry_after_seconds}.';

/* auth_login_succeeded: a correct password clears the e-mail's counter and gives the IP its attempt back. */
create function public.auth_login_succeeded(p_email text, p_ip text default null)
returns void
language sql
security definer
set search_path = ''
as $$
  delete from public.auth_rate_limits
   where scope = 'email' and key_hash = public.auth_rate_limit_key(p_email);
  update public.auth_rate_limits
     set failures = greatest(failures - 1, 0)
   where scope = 'ip' and key_hash = public.auth_rate_limit_key(p_ip);
$$;
comment on function public.auth_login_succeeded(text, text) is
  'After a correct password: clears the e-mail''s counter and returns the IP''s reserved attempt.';

revoke execute on function public.auth_rate_limit_key(text) from public, anon, authenticated;
revoke execute on function public.auth_login_attempt(text, text, integer, integer, integer) from public, anon, authenticated;
revoke execute on function public.auth_login_succeeded(text, text) from public, anon, authenticated;
grant execute on function public.auth_rate_limit_key(text) to service_role;
grant execute on function public.auth_login_attempt(text, text, integer, integer, integer) to service_role;
grant execute on function public.auth_login_succeeded(text, text) to service_role;

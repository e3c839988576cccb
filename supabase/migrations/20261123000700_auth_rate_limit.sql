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
  'Failed sign-in counters per hashed e-mail and per hashed IP; read and written only by the auth_login_* functions.';

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
  auth_login_status: may this e-mail / IP try to sign in now? Counters in an
  expired window do not count. Returns {allowed, retry_after_seconds}.
*/
create function public.auth_login_status(
  p_email          text,
  p_ip             text,
  p_window_seconds integer default 900,
  p_max_per_email  integer default 10,
  p_max_per_ip     integer default 50
) returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  with blocked as (
    select r.window_started_at + make_interval(secs => p_window_seconds) as until
      from public.auth_rate_limits r
     where r.window_started_at > now() - make_interval(secs => p_window_seconds)
       and ((r.scope = 'email' and r.key_hash = public.auth_rate_limit_key(p_email) and r.failures >= p_max_per_email)
         or (r.scope = 'ip' and r.key_hash = public.auth_rate_limit_key(p_ip) and r.failures >= p_max_per_ip))
  )
  select jsonb_build_object(
    'allowed', not exists (select 1 from blocked),
    'retry_after_seconds',
      coalesce(ceil(extract(epoch from (select max(until) from blocked) - now()))::integer, 0))
$$;
comment on function public.auth_login_status(text, text, integer, integer, integer) is
  'Whether a sign-in for this e-mail from this IP may be attempted now: {allowed, retry_after_seconds}.';

/*
  auth_login_failed: counts one failed sign-in against the e-mail and the IP
  (starting a fresh window where the old one is over), then returns the status
  as auth_login_status does. One statement per counter: concurrent failures
  from many instances all count.
*/
create function public.auth_login_failed(
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
  v_scope text;
  v_value text;
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
                                   then r.window_started_at else now() end;
  end loop;
  return public.auth_login_status(p_email, p_ip, p_window_seconds, p_max_per_email, p_max_per_ip);
end
$$;
comment on function public.auth_login_failed(text, text, integer, integer, integer) is
  'Counts a failed sign-in for the e-mail and the IP; returns {allowed, retry_after_seconds} afterwards.';

/* auth_login_succeeded: a correct password clears the e-mail's counter (not the IP's). */
create function public.auth_login_succeeded(p_email text)
returns void
language sql
security definer
set search_path = ''
as $$
  delete from public.auth_rate_limits
   where scope = 'email' and key_hash = public.auth_rate_limit_key(p_email)
$$;
comment on function public.auth_login_succeeded(text) is
  'Clears the failed sign-in counter of an e-mail after a successful sign-in.';

revoke execute on function public.auth_rate_limit_key(text) from public, anon, authenticated;
revoke execute on function public.auth_login_status(text, text, integer, integer, integer) from public, anon, authenticated;
revoke execute on function public.auth_login_failed(text, text, integer, integer, integer) from public, anon, authenticated;
revoke execute on function public.auth_login_succeeded(text) from public, anon, authenticated;
grant execute on function public.auth_rate_limit_key(text) to service_role;
grant execute on function public.auth_login_status(text, text, integer, integer, integer) to service_role;
grant execute on function public.auth_login_failed(text, text, integer, integer, integer) to service_role;
grant execute on function public.auth_login_succeeded(text) to service_role;

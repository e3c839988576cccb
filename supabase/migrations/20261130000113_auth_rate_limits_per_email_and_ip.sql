/*
  Sign-in and sign-up limits that a stranger cannot turn against the owner.

  Before: one counter per e-mail, taken before the password was checked, so
  eleven wrong passwords from anywhere locked the account, an admin's too,
  even against the right password; sign-up had no limit; rows were never
  purged. Now every action (signin, signup, mail = asking for a link) counts
  per client IP and per (e-mail, IP):
  - signin reserves an attempt before the password is checked (so a
    simultaneous burst from one address cannot outrun its counter) and a
    correct password gives it back: in effect only failures count. A stranger
    only exhausts their own address and their own (e-mail, address) pair; the
    owner signing in from anywhere else is never refused.
  - signup and mail count every attempt (each costs a scrypt hash or a mail).
  - rows whose window ended more than a day ago are purged by every call.
  The client IP is what lib/auth/client-ip.ts derives under TRUST_PROXY.
*/
delete from public.auth_rate_limits;
alter table public.auth_rate_limits drop constraint if exists auth_rate_limits_scope_check;
alter table public.auth_rate_limits add constraint auth_rate_limits_scope_check
  check (scope ~ '^(signin|signup|mail):(ip|email_ip)$');
create index if not exists auth_rate_limits_window_idx on public.auth_rate_limits (window_started_at);
comment on table public.auth_rate_limits is
  'Attempts per action (signin, signup, mail) per hashed client IP and per hashed (e-mail, IP), in fixed windows; purged a day after a window ends.';

/*
  auth_rate_limit_take: counts one attempt of p_action for the IP and for the
  (e-mail, IP) pair, in one statement per scope (the upsert's row lock
  serializes a burst), and says whether it may go ahead.
  {allowed, retry_after_seconds}. The limits default by action: signin 10 per
  (e-mail, IP) and 50 per IP in 15 minutes; signup and mail (each costs a
  scrypt hash or a mail, so every attempt counts) 5 and 20 per hour. Sign-up
  and link requests call it directly; sign-in through auth_login_attempt.
*/
create or replace function public.auth_rate_limit_take(
  p_action             text,
  p_email              text,
  p_ip                 text,
  p_window_seconds     integer default null,
  p_max_per_email_ip   integer default null,
  p_max_per_ip         integer default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_scope   text;
  v_key     text;
  v_count   integer;
  v_started timestamptz;
  v_until   timestamptz;
  v_max     integer;
  v_signin  boolean := p_action = 'signin';
  v_email   text := lower(trim(coalesce(p_email, '')));
  v_window  interval := make_interval(secs => least(greatest(
              coalesce(p_window_seconds, case when v_signin then 900 else 3600 end), 1), 86400));
begin
  if p_action is null or p_action not in ('signin', 'signup', 'mail') then
    raise exception 'unknown rate-limited action: %', coalesce(p_action, 'null') using errcode = '22023';
  end if;
  delete from public.auth_rate_limits where window_started_at < now() - interval '2 days';
  foreach v_scope in array array['email_ip', 'ip'] loop
    v_key := case v_scope
               when 'ip' then public.auth_rate_limit_key(coalesce(p_ip, ''))
               else public.auth_rate_limit_key(v_email || ' ' || coalesce(p_ip, '')) end;
    insert into public.auth_rate_limits as r (scope, key_hash, failures, window_started_at)
    values (p_action || ':' || v_scope, v_key, 1, now())
    on conflict (scope, key_hash) do update
      set failures = case when r.window_started_at > now() - v_window then r.failures + 1 else 1 end,
          window_started_at = case when r.window_started_at > now() - v_window then r.window_started_at else now() end
    returning r.failures, r.window_started_at into v_count, v_started;
    v_max := case v_scope
               when 'ip' then coalesce(p_max_per_ip, case when v_signin then 50 else 20 end)
               else coalesce(p_max_per_email_ip, case when v_signin then 10 else 5 end) end;
    if v_count > v_max then
      v_until := greatest(v_until, v_started + v_window);
    end if;
  end loop;
  return jsonb_build_object(
    'allowed', v_until is null,
    'retry_after_seconds', coalesce(ceil(extract(epoch from v_until - now()))::integer, 0));
end
$$;
comment on function public.auth_rate_limit_take(text, text, text, integer, integer, integer) is
  'Counts one attempt of signin/signup/mail per client IP and per (e-mail, IP), limits defaulting by action; purges old rows. {allowed, retry_after_seconds}.';

/* Sign-in: p_max_per_email now limits one e-mail from one IP (an attacker elsewhere cannot lock the owner out). */
create or replace function public.auth_login_attempt(
  p_email          text,
  p_ip             text,
  p_window_seconds integer default 900,
  p_max_per_email  integer default 10,
  p_max_per_ip     integer default 50
) returns jsonb
language sql
security definer
set search_path = ''
as $$
  select public.auth_rate_limit_take('signin', p_email, p_ip, p_window_seconds, p_max_per_email, p_max_per_ip)
$$;
comment on function public.auth_login_attempt(text, text, integer, integer, integer) is
  'Reserves a sign-in attempt per (e-mail, IP) and per IP before the password is checked; auth_login_succeeded gives it back. {allowed, retry_after_seconds}.';

/* A correct password: clears the (e-mail, IP) counter and gives the IP its reserved attempt back. */
create or replace function public.auth_login_succeeded(p_email text, p_ip text default null)
returns void
language sql
security definer
set search_path = ''
as $$
  delete from public.auth_rate_limits
   where scope = 'signin:email_ip'
     and key_hash = public.auth_rate_limit_key(lower(trim(coalesce(p_email, ''))) || ' ' || coalesce(p_ip, ''));
  update public.auth_rate_limits
     set failures = greatest(failures - 1, 0)
   where scope = 'signin:ip' and key_hash = public.auth_rate_limit_key(coalesce(p_ip, ''));
$$;
comment on function public.auth_login_succeeded(text, text) is
  'After a correct password: clears the (e-mail, IP) counter and returns the IP''s reserved attempt, so only failures count.';

revoke execute on function public.auth_rate_limit_take(text, text, text, integer, integer, integer) from public, anon, authenticated;
grant execute on function public.auth_rate_limit_take(text, text, text, integer, integer, integer) to service_role;

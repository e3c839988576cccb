/*
  Sign-in limits count networks, not literal addresses, and slow down an
  account under attack without ever refusing its owner.

  - An IPv6 address counts as its /64: one home or one server gets a whole
    /64 (2^64 addresses), and each guess from a new address of it used to get
    a fresh allowance. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, how a
    dual-stack socket reports IPv4 clients) counts as its IPv4. Every scope
    keyed on the address uses private.auth_rate_limit_address, so sign-in,
    sign-up, mailed links and the success path agree.
  - "A stranger cannot lock the owner out" holds as before: only failures
    count against sign-in (a right password gives its attempt back), per
    (e-mail, network) and per network.
  - Per account (scope signin:email, every network together): past
    p_slowdown_after failures in the window (default 20 in 15 minutes; one
    network alone is refused after 10, so this takes several), each further
    attempt for that e-mail waits before its password is checked: 1 s, then
    doubling every 10 failures (2 s, 4 s, 8 s), at most p_max_delay_ms
    (default 10 s). It never refuses, so the owner always gets in, slowed; a
    guessing run over many networks gets at most one guess per delay per
    connection it holds open.
*/

/*
  The key an address counts under: an IPv6 address's /64 (2001:db8:1:2::/64),
  an IPv4-mapped one's IPv4, an IPv4 address itself. Anything that is not an
  address ("unknown", a name) counts as itself.
*/
create or replace function private.auth_rate_limit_address(p_ip text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  v inet;
begin
  begin
    v := trim(p_ip)::inet;
  exception when others then
    return lower(trim(coalesce(p_ip, '')));
  end;
  if family(v) = 6 and v << '::ffff:0.0.0.0/96'::inet then
    return host('0.0.0.0'::inet + (v - '::ffff:0.0.0.0'::inet));
  end if;
  if family(v) = 6 then
    return network(set_masklen(v, 64))::text;
  end if;
  return host(v);
end
$$;
comment on function private.auth_rate_limit_address(text) is
  'The network an address counts under for the auth limits: IPv6 → its /64, IPv4-mapped IPv6 → its IPv4, IPv4 → itself; anything else → itself.';
revoke execute on function private.auth_rate_limit_address(text) from public, anon, authenticated;

alter table public.auth_rate_limits drop constraint if exists auth_rate_limits_scope_check;
alter table public.auth_rate_limits add constraint auth_rate_limits_scope_check
  check (scope ~ '^(signin|signup|mail):(ip|email_ip)$' or scope = 'signin:email');
comment on table public.auth_rate_limits is
  'Attempts per action (signin, signup, mail) per hashed client network (IPv6 /64) and per hashed (e-mail, network), and sign-in failures per hashed e-mail (the slow-down), in fixed windows; purged a day after a window ends.';

/*
  auth_rate_limit_take: counts one attempt of p_action for the network and for
  the (e-mail, network) pair, and for sign-in also for the e-mail alone (the
  per-account slow-down, which never refuses). One upsert per scope; its row
  lock serializes a burst. {allowed, retry_after_seconds, delay_ms}.
*/
drop function if exists public.auth_rate_limit_take(text, text, text, integer, integer, integer);
create function public.auth_rate_limit_take(
  p_action           text,
  p_email            text,
  p_ip               text,
  p_window_seconds   integer default null,
  p_max_per_email_ip integer default null,
  p_max_per_ip       integer default null,
  p_slowdown_after   integer default null,
  p_max_delay_ms     integer default null
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
  v_delay   integer := 0;
  v_signin  boolean := p_action = 'signin';
  v_email   text := lower(trim(coalesce(p_email, '')));
  v_network text := private.auth_rate_limit_address(p_ip);
  v_after   integer := greatest(coalesce(p_slowdown_after, 20), 1);
  v_window  interval := make_interval(secs => least(greatest(
              coalesce(p_window_seconds, case when v_signin then 900 else 3600 end), 1), 86400));
begin
  if p_action is null or p_action not in ('signin', 'signup', 'mail') then
    raise exception 'unknown rate-limited action: %', coalesce(p_action, 'null') using errcode = '22023';
  end if;
  delete from public.auth_rate_limits where window_started_at < now() - interval '2 days';
  foreach v_scope in array case when v_signin then array['email_ip', 'ip', 'email'] else array['email_ip', 'ip'] end loop
    v_key := public.auth_rate_limit_key(case v_scope
               when 'ip' then v_network
               when 'email' then v_email
               else v_email || ' ' || v_network end);
    insert into public.auth_rate_limits as r (scope, key_hash, failures, window_started_at)
    values (p_action || ':' || v_scope, v_key, 1, now())
    on conflict (scope, key_hash) do update
      set failures = case when r.window_started_at > now() - v_window then r.failures + 1 else 1 end,
          window_started_at = case when r.window_started_at > now() - v_window then r.window_started_at else now() end
    returning r.failures, r.window_started_at into v_count, v_started;
    if v_scope = 'email' then
      if v_count > v_after then
        v_delay := least(1000 * power(2, least((v_count - v_after - 1) / 10, 20))::bigint,
                         greatest(coalesce(p_max_delay_ms, 10000), 0))::integer;
      end if;
      continue;
    end if;
    v_max := case v_scope
               when 'ip' then coalesce(p_max_per_ip, case when v_signin then 50 else 20 end)
               else coalesce(p_max_per_email_ip, case when v_signin then 10 else 5 end) end;
    if v_count > v_max then
      v_until := greatest(v_until, v_started + v_window);
    end if;
  end loop;
  return jsonb_build_object(
    'allowed', v_until is null,
    'retry_after_seconds', coalesce(ceil(extract(epoch from v_until - now()))::integer, 0),
    'delay_ms', case when v_until is null then v_delay else 0 end);
end
$$;
comment on function public.auth_rate_limit_take(text, text, text, integer, integer, integer, integer, integer) is
  'Counts one attempt of signin/signup/mail per client network (IPv6 /64) and per (e-mail, network), limits defaulting by action, and for sign-in per e-mail (a growing delay past p_slowdown_after failures, never a refusal); purges old rows. {allowed, retry_after_seconds, delay_ms}.';

/* Sign-in: reserves an attempt (per (e-mail, network), per network, per e-mail) before the password is checked. */
drop function if exists public.auth_login_attempt(text, text, integer, integer, integer);
create function public.auth_login_attempt(
  p_email          text,
  p_ip             text,
  p_window_seconds integer default 900,
  p_max_per_email  integer default 10,
  p_max_per_ip     integer default 50,
  p_slowdown_after integer default 20,
  p_max_delay_ms   integer default 10000
) returns jsonb
language sql
security definer
set search_path = ''
as $$
  select public.auth_rate_limit_take('signin', p_email, p_ip, p_window_seconds, p_max_per_email, p_max_per_ip,
                                     p_slowdown_after, p_max_delay_ms)
$$;
comment on function public.auth_login_attempt(text, text, integer, integer, integer, integer, integer) is
  'Reserves a sign-in attempt per (e-mail, network) and per network (IPv6 /64) before the password is checked, and says how long to wait first when the account is under attack; auth_login_succeeded gives it back. {allowed, retry_after_seconds, delay_ms}.';

/* A correct password: clears the (e-mail, network) counter and gives the network and the account their attempt back. */
create or replace function public.auth_login_succeeded(p_email text, p_ip text default null)
returns void
language sql
security definer
set search_path = ''
as $$
  delete from public.auth_rate_limits
   where scope = 'signin:email_ip'
     and key_hash = public.auth_rate_limit_key(
           lower(trim(coalesce(p_email, ''))) || ' ' || private.auth_rate_limit_address(p_ip));
  update public.auth_rate_limits
     set failures = greatest(failures - 1, 0)
   where (scope = 'signin:ip' and key_hash = public.auth_rate_limit_key(private.auth_rate_limit_address(p_ip)))
      or (scope = 'signin:email' and key_hash = public.auth_rate_limit_key(lower(trim(coalesce(p_email, '')))));
$$;
comment on function public.auth_login_succeeded(text, text) is
  'After a correct password: clears the (e-mail, network) counter and returns the network''s and the account''s reserved attempt, so only failures count.';

revoke execute on function public.auth_rate_limit_take(text, text, text, integer, integer, integer, integer, integer) from public, anon, authenticated;
revoke execute on function public.auth_login_attempt(text, text, integer, integer, integer, integer, integer) from public, anon, authenticated;
revoke execute on function public.auth_login_succeeded(text, text) from public, anon, authenticated;
grant execute on function public.auth_rate_limit_take(text, text, text, integer, integer, integer, integer, integer) to service_role;
grant execute on function public.auth_login_attempt(text, text, integer, integer, integer, integer, integer) to service_role;
grant execute on function public.auth_login_succeeded(text, text) to service_role;

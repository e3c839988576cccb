/*
  Local accounts (embedded and postgres modes; Supabase Auth does all of this
  itself in supabase mode): passwords, mailed links, revocable sessions, and the
  limits that keep sign-in, sign-up and link requests from being abused.

  The app stores a scrypt hash in auth.users.encrypted_password and signs its
  own HS256 session JWTs. Inserting into auth.users fires the accounts trigger
  (010_accounts.sql), which creates profile and wallet.
*/

/*
  Creating an account and finding one for sign-in. local_find_account returns
  the password hash: service role only.
*/
create function public.local_create_account(p_email text, p_password_hash text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_email text := lower(trim(p_email));
  v_id uuid;
begin
  if v_email is null or v_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    raise exception 'invalid email' using errcode = '22023';
  end if;
  if coalesce(p_password_hash, '') = '' then
    raise exception 'password hash required' using errcode = '22023';
  end if;
  insert into auth.users (email, encrypted_password)
  values (v_email, p_password_hash)
  on conflict (lower(email)) do nothing
  returning id into v_id;
  if v_id is null then
    return jsonb_build_object('created', false);
  end if;
  return jsonb_build_object('created', true, 'user_id', v_id, 'email', v_email);
end
$$;
comment on function public.local_create_account(text, text) is
  'Creates a local account (e-mail unique case-insensitively). {created:false} when the e-mail is taken.';

create function public.local_find_account(p_email text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object('user_id', u.id, 'email', u.email, 'password_hash', u.encrypted_password,
                            'email_confirmed', u.email_confirmed_at is not null,
                            'disabled', coalesce(u.banned_until > now(), false))
  from auth.users u
  where lower(u.email) = lower(trim(p_email))
$$;
comment on function public.local_find_account(text) is
  'Looks up a local account by e-mail for sign-in (disabled: banned_until lies ahead, so it may not sign in); returns null when none.';

-- Explicitly from anon and authenticated too: on Supabase, default privileges give them EXECUTE on every new
-- function, and local_find_account returns password hashes.
revoke all on function public.local_create_account(text, text) from public, anon, authenticated;
revoke all on function public.local_find_account(text) from public, anon, authenticated;
grant execute on function public.local_create_account(text, text) to service_role;
grant execute on function public.local_find_account(text) to service_role;

/*
  The verification link a sign-up mails, and the password-reset link. Only a
  SHA-256 hash of the token is stored; a link works once and expires
  (verification 24 h, reset 1 h). Server-only.
*/
create table public.auth_email_tokens (
  id         uuid primary key default gen_random_uuid(),
  user_id    uuid not null references auth.users (id) on delete cascade,
  purpose    text not null check (purpose in ('verify_email', 'reset_password')),
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  -- the address the link was sent to: a link proves that address, not a later one
  email      text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at    timestamptz
);
create index auth_email_tokens_user_idx on public.auth_email_tokens (user_id, purpose, created_at desc);
comment on table public.auth_email_tokens is
  'Mailed verification and password-reset links of local accounts: SHA-256 of the token, single use, expiring.';
alter table public.auth_email_tokens enable row level security;
revoke all on public.auth_email_tokens from public, anon, authenticated;
grant all on public.auth_email_tokens to service_role;

/*
  One row per signed-in browser. The session cookie (an HS256 JWT) names its
  row (claim session_id, as Supabase's tokens do); middleware checks the row on
  every request, so signing out, or resetting the password, ends a session on
  the server and a copied cookie stops working. Server-only.
*/
create table public.auth_sessions (
  id           uuid primary key default gen_random_uuid(),
  user_id      uuid not null references auth.users (id) on delete cascade,
  created_at   timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  revoked_at   timestamptz
);
create index auth_sessions_user_idx on public.auth_sessions (user_id) where revoked_at is null;
create index auth_sessions_last_seen_idx on public.auth_sessions (last_seen_at);
comment on table public.auth_sessions is
  'Signed-in browsers of local accounts; a session cookie is valid only while its row is not revoked.';
alter table public.auth_sessions enable row level security;
revoke all on public.auth_sessions from public, anon, authenticated;
grant all on public.auth_sessions to service_role;

/*
  Sign-in, sign-up and link-request limits that a stranger cannot turn against
  the owner. Every action (signin, signup, mail = asking for a link) counts per
  client network and per (e-mail, network), in fixed windows, in the database:
  the limit holds across any number of app instances.
  - A network is what private.auth_rate_limit_address makes of the client
    address: an IPv6 address counts as its /64 (one home or one server gets a
    whole /64, so counting single addresses would give each guess a fresh
    allowance), an IPv4-mapped IPv6 address as its IPv4, an IPv4 address as
    itself. Every scope and the success path use it, so they agree.
  - signin reserves an attempt before the password is checked (so a
    simultaneous burst from one network cannot outrun its counter) and a
    correct password gives it back: in effect only failures count. A stranger
    only exhausts their own network and their own (e-mail, network) pair; the
    owner signing in from anywhere else is never refused.
  - signin also counts failures per e-mail over every network (scope
    signin:email): past a threshold each attempt for that account waits before
    its password is checked, longer as failures grow, but is never refused, so
    the owner always gets in, slowed, and a guessing run spread over many
    networks gets one guess per delay per connection it holds open.
  - signup and mail count every attempt (each costs a scrypt hash or a mail).
  - rows whose window ended long ago are purged by every call and by retention.
  Keys are SHA-256 hashes: the table never holds an e-mail address or an IP in
  clear. The client IP is what lib/auth/client-ip.ts derives under TRUST_PROXY.
  Server-only: no policy lets anon or authenticated read or write it.
*/
create table public.auth_rate_limits (
  scope             text not null,
  key_hash          text not null,
  failures          integer not null default 0 check (failures >= 0),
  window_started_at timestamptz not null default now(),
  primary key (scope, key_hash),
  constraint auth_rate_limits_scope_check
    check (scope ~ '^(signin|signup|mail):(ip|email_ip)$' or scope = 'signin:email')
);
create index auth_rate_limits_window_idx on public.auth_rate_limits (window_started_at);
comment on table public.auth_rate_limits is
  'Attempts per action (signin, signup, mail) per hashed client network (IPv6 /64) and per hashed (e-mail, network), and sign-in failures per hashed e-mail (the slow-down), in fixed windows; purged a day after a window ends.';
alter table public.auth_rate_limits enable row level security;
revoke all on public.auth_rate_limits from public, anon, authenticated;
grant all on public.auth_rate_limits to service_role;

/*
  local_sign_up: the account (unconfirmed), its verification link and the mail
  carrying it, in one transaction. The app chose the link's id (p_token_id)
  and derives its token from that id with a key only it holds (AUTH_SECRET), so
  only the token's hash is stored here and the mail keeps {{link}} where the
  link goes, rendered when it is sent (see email_outbox.link_id).
  {created: false} when the e-mail is taken.
*/
create function public.local_sign_up(
  p_email text, p_password_hash text, p_token_id uuid, p_token_hash text, p_subject text, p_body text
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_email text := lower(trim(p_email));
  v_id uuid;
begin
  if v_email is null or v_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    raise exception 'invalid email' using errcode = '22023';
  end if;
  if coalesce(p_password_hash, '') = '' then
    raise exception 'password hash required' using errcode = '22023';
  end if;
  if p_token_id is null or position('{{link}}' in coalesce(p_body, '')) = 0 then
    raise exception 'a link id and a body with {{link}} are required' using errcode = '22023';
  end if;
  insert into auth.users (email, encrypted_password)
  values (v_email, p_password_hash)
  on conflict (lower(email)) do nothing
  returning id into v_id;
  if v_id is null then
    return jsonb_build_object('created', false);
  end if;
  insert into public.auth_email_tokens (id, user_id, purpose, token_hash, email, expires_at)
  values (p_token_id, v_id, 'verify_email', p_token_hash, v_email, now() + interval '24 hours');
  insert into public.email_outbox (to_email, subject, body_text, kind, link_id)
  values (v_email, p_subject, p_body, 'verify_email', p_token_id);
  return jsonb_build_object('created', true, 'user_id', v_id, 'email', v_email);
end
$$;
comment on function public.local_sign_up(text, text, uuid, text, text, text) is
  'Creates an unconfirmed local account with its verification link (id + hash, 24 h) and its mail (link rendered at send time), atomically. {created, user_id, email}.';
revoke execute on function public.local_sign_up(text, text, uuid, text, text, text) from public, anon, authenticated;
grant execute on function public.local_sign_up(text, text, uuid, text, text, text) to service_role;

/*
  local_request_email_link: another verification link, or a password-reset
  link, for the account with this e-mail, with its mail, in one transaction
  (the link's id and hash as local_sign_up takes them). Earlier unused links
  of the same purpose stop working, and their unsent mails are then not sent.
  At most p_max_per_hour links per account and purpose, so nobody can flood a
  mailbox through us.
  {issued: true} or {issued: false, reason: no_account|already_confirmed|throttled}.
*/
create function public.local_request_email_link(
  p_email text, p_purpose text, p_token_id uuid, p_token_hash text, p_subject text, p_body text,
  p_max_per_hour integer default 5
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user auth.users%rowtype;
  v_recent integer;
begin
  if p_purpose not in ('verify_email', 'reset_password') then
    raise exception 'unknown link purpose: %', coalesce(p_purpose, 'null') using errcode = '22023';
  end if;
  if p_token_id is null or position('{{link}}' in coalesce(p_body, '')) = 0 then
    raise exception 'a link id and a body with {{link}} are required' using errcode = '22023';
  end if;
  select * into v_user from auth.users where lower(email) = lower(trim(p_email)) for update;
  if v_user.id is null then
    return jsonb_build_object('issued', false, 'reason', 'no_account');
  end if;
  if p_purpose = 'verify_email' and v_user.email_confirmed_at is not null then
    return jsonb_build_object('issued', false, 'reason', 'already_confirmed');
  end if;
  select count(*) into v_recent from public.auth_email_tokens
   where user_id = v_user.id and purpose = p_purpose and created_at > now() - interval '1 hour';
  if v_recent >= coalesce(p_max_per_hour, 5) then
    return jsonb_build_object('issued', false, 'reason', 'throttled');
  end if;
  update public.auth_email_tokens set used_at = now()
   where user_id = v_user.id and purpose = p_purpose and used_at is null;
  insert into public.auth_email_tokens (id, user_id, purpose, token_hash, email, expires_at)
  values (p_token_id, v_user.id, p_purpose, p_token_hash, lower(v_user.email),
          now() + case p_purpose when 'verify_email' then interval '24 hours' else interval '1 hour' end);
  insert into public.email_outbox (to_email, subject, body_text, kind, link_id)
  values (lower(trim(v_user.email)), p_subject, p_body, p_purpose, p_token_id);
  return jsonb_build_object('issued', true);
end
$$;
comment on function public.local_request_email_link(text, text, uuid, text, text, text, integer) is
  'Issues a new verification or password-reset link (id + hash stored) and its mail (link rendered at send time), atomically; earlier links of that purpose stop working; at most p_max_per_hour per account.';
revoke execute on function public.local_request_email_link(text, text, uuid, text, text, text, integer) from public, anon, authenticated;
grant execute on function public.local_request_email_link(text, text, uuid, text, text, text, integer) to service_role;

/*
  local_use_email_link: opens a link, once. verify_email sets
  email_confirmed_at (the auth.users trigger then claims pending grants and
  re-derives is_admin). reset_password needs p_password_hash: it sets the
  password, confirms the address too (the link was read in its mailbox), and
  revokes every session of the account.
  {ok: true, user_id, email} or {ok: false, reason: invalid|used|expired}.
*/
create function public.local_use_email_link(p_purpose text, p_token_hash text, p_password_hash text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_token public.auth_email_tokens%rowtype;
  v_email text;
begin
  if p_purpose = 'reset_password' and coalesce(p_password_hash, '') = '' then
    raise exception 'password hash required' using errcode = '22023';
  end if;
  select * into v_token from public.auth_email_tokens
   where token_hash = p_token_hash and purpose = p_purpose
   for update;
  if v_token.id is null then
    return jsonb_build_object('ok', false, 'reason', 'invalid');
  end if;
  if v_token.used_at is not null then
    return jsonb_build_object('ok', false, 'reason', 'used');
  end if;
  if v_token.expires_at <= now() then
    return jsonb_build_object('ok', false, 'reason', 'expired');
  end if;
  update public.auth_email_tokens set used_at = now() where id = v_token.id;
  select email into v_email from auth.users where id = v_token.user_id and lower(email) = v_token.email for update;
  if v_email is null then
    return jsonb_build_object('ok', false, 'reason', 'invalid'); -- the address changed since the link was sent
  end if;
  if p_purpose = 'verify_email' then
    update auth.users set email_confirmed_at = now(), updated_at = now()
     where id = v_token.user_id and email_confirmed_at is null;
  else
    update auth.users
       set encrypted_password = p_password_hash,
           email_confirmed_at = coalesce(email_confirmed_at, now()),
           updated_at = now()
     where id = v_token.user_id;
    update public.auth_email_tokens set used_at = now()
     where user_id = v_token.user_id and purpose = 'reset_password' and used_at is null;
    update public.auth_sessions set revoked_at = now()
     where user_id = v_token.user_id and revoked_at is null;
  end if;
  return jsonb_build_object('ok', true, 'user_id', v_token.user_id, 'email', v_email);
end
$$;
comment on function public.local_use_email_link(text, text, text) is
  'Uses a verification or password-reset link once: confirms the e-mail, or sets the password and revokes all sessions. {ok, reason?, user_id, email}.';
revoke execute on function public.local_use_email_link(text, text, text) from public, anon, authenticated;
grant execute on function public.local_use_email_link(text, text, text) to service_role;

/*
  The verification link asks before it confirms. Anyone can sign up with
  someone else's address, and its owner then receives our mail: opening the
  link must not hand their address (and the credits waiting for it) to
  whoever typed it. So /verify-email shows what the link would confirm and
  confirms only on a click (local_use_email_link), and offers "This wasn't
  me" (local_disown_account), which needs the same live link.

  local_peek_email_link: what a link would act on, without using it:
  {ok: true, user_id, email, account_created_at, confirmed} or
  {ok: false, reason: invalid|used|expired}.
*/
create function public.local_peek_email_link(p_purpose text, p_token_hash text)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_token public.auth_email_tokens%rowtype;
  v_user  auth.users%rowtype;
begin
  select * into v_token from public.auth_email_tokens where token_hash = p_token_hash and purpose = p_purpose;
  if v_token.id is null then
    return jsonb_build_object('ok', false, 'reason', 'invalid');
  end if;
  if v_token.used_at is not null then
    return jsonb_build_object('ok', false, 'reason', 'used');
  end if;
  if v_token.expires_at <= now() then
    return jsonb_build_object('ok', false, 'reason', 'expired');
  end if;
  select * into v_user from auth.users where id = v_token.user_id and lower(email) = v_token.email;
  if v_user.id is null then
    return jsonb_build_object('ok', false, 'reason', 'invalid');
  end if;
  return jsonb_build_object('ok', true, 'user_id', v_user.id, 'email', lower(v_user.email),
    'account_created_at', v_user.created_at, 'confirmed', v_user.email_confirmed_at is not null);
end
$$;
comment on function public.local_peek_email_link(text, text) is
  'What a mailed link would act on, without using it: {ok, user_id, email, account_created_at, confirmed} or {ok: false, reason}.';
revoke execute on function public.local_peek_email_link(text, text) from public, anon, authenticated;
grant execute on function public.local_peek_email_link(text, text) to service_role;

/*
  local_disown_account: "This wasn't me" on a live verification link of an
  unconfirmed account. Locks the link first, as local_use_email_link does,
  so a confirmation and a disowning of one link never both happen.
  - an account with no money trail is deleted, with its sessions, keys and
    links (foreign keys cascade); the address is free for its owner, and what
    was bought with it by e-mail still waits for them as pending grants;
  - an account that holds payments (a purchase, a ledger row, a subscription,
    a deposit address or a crypto invoice made from inside it) is closed
    instead: payment records stay for refunds and disputes, and the ledger is
    append-only. It is disabled (every key and session revoked by the
    auth.users trigger) and its address released (replaced by a placeholder,
    the original kept in the admin's reason) so the owner can sign up with it.
  {ok: true, outcome: deleted|closed, email} or
  {ok: false, reason: invalid|used|expired|confirmed}.
*/
create function public.local_disown_account(p_token_hash text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_token public.auth_email_tokens%rowtype;
  v_user  auth.users%rowtype;
  v_trail boolean;
begin
  select * into v_token from public.auth_email_tokens
   where token_hash = p_token_hash and purpose = 'verify_email'
   for update;
  if v_token.id is null then
    return jsonb_build_object('ok', false, 'reason', 'invalid');
  end if;
  if v_token.used_at is not null then
    return jsonb_build_object('ok', false, 'reason', 'used');
  end if;
  if v_token.expires_at <= now() then
    return jsonb_build_object('ok', false, 'reason', 'expired');
  end if;
  select * into v_user from auth.users where id = v_token.user_id and lower(email) = v_token.email for update;
  if v_user.id is null then
    return jsonb_build_object('ok', false, 'reason', 'invalid');
  end if;
  if v_user.email_confirmed_at is not null then
    -- proven by its mailbox another way (a password reset): a link cannot disown it any more
    update public.auth_email_tokens set used_at = now() where id = v_token.id;
    return jsonb_build_object('ok', false, 'reason', 'confirmed');
  end if;

  v_trail := exists (select 1 from public.credit_ledger where user_id = v_user.id)
          or exists (select 1 from public.purchases where user_id = v_user.id)
          or exists (select 1 from public.subscriptions where user_id = v_user.id)
          or exists (select 1 from public.deposit_addresses where user_id = v_user.id)
          or exists (select 1 from public.crypto_invoices where user_id = v_user.id);
  if not v_trail then
    begin
      delete from auth.users where id = v_user.id; -- profile, wallet, keys, sessions, links cascade
      return jsonb_build_object('ok', true, 'outcome', 'deleted', 'email', v_token.email);
    exception when foreign_key_violation or insufficient_privilege then
      null; -- a record elsewhere refuses the deletion (a table added later): close the account instead
    end;
  end if;

  update public.auth_email_tokens set used_at = now() where user_id = v_user.id and used_at is null;
  update public.profiles
     set disabled_at = now(), disabled_by = null,
         disabled_reason = format('The owner of %s said this account was not theirs ("This wasn''t me" on its '
           'verification link). It held payments, so it was closed instead of deleted and the address was released.',
           v_token.email)
   where id = v_user.id;
  -- the ban revokes every key and session (auth.users trigger); the placeholder frees the address
  update auth.users
     set banned_until = now() + interval '100 years',
         email = 'disowned-' || v_user.id::text || '@disowned.invalid',
         updated_at = now()
   where id = v_user.id;
  return jsonb_build_object('ok', true, 'outcome', 'closed', 'email', v_token.email);
end
$$;
comment on function public.local_disown_account(text) is
  '"This wasn''t me" on a live verification link: deletes the unconfirmed account (sessions, keys, links cascade), or closes it (disabled, keys and sessions revoked, address released) when it holds payments. {ok, outcome: deleted|closed, email} or {ok: false, reason}.';
revoke execute on function public.local_disown_account(text) from public, anon, authenticated;
grant execute on function public.local_disown_account(text) to service_role;

/*
  local_start_session: a new session row for a correct sign-in of an enabled
  account (sign-in checks first; this holds for any caller); also drops the
  account's long-dead rows.
*/
create function public.local_start_session(p_user_id uuid, p_ttl_seconds integer default 604800)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare v_id uuid;
begin
  if exists (select 1 from auth.users where id = p_user_id and banned_until > now()) then
    raise exception 'the account is disabled' using errcode = '55000';
  end if;
  delete from public.auth_sessions
   where user_id = p_user_id
     and (revoked_at is not null or last_seen_at < now() - make_interval(secs => p_ttl_seconds));
  insert into public.auth_sessions (user_id) values (p_user_id) returning id into v_id;
  return v_id;
end
$$;
comment on function public.local_start_session(uuid, integer) is
  'Starts a local session (one row per signed-in browser) for an enabled account and purges the account''s revoked or expired rows.';
revoke execute on function public.local_start_session(uuid, integer) from public, anon, authenticated;
grant execute on function public.local_start_session(uuid, integer) to service_role;

/*
  local_session_status: what middleware and pages ask on every request, one
  primary-key read. valid only for a live row of this user seen within the
  TTL, while the account is not disabled (its rows are revoked when it is
  disabled; this holds even for a ban set by hand); p_touch (when the cookie
  is re-issued) moves last_seen_at. {valid, email, email_confirmed}.
*/
create function public.local_session_status(
  p_session_id uuid, p_user_id uuid, p_touch boolean default false, p_ttl_seconds integer default 604800
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_email text;
  v_confirmed timestamptz;
begin
  select u.email, u.email_confirmed_at into v_email, v_confirmed
    from public.auth_sessions s
    join auth.users u on u.id = s.user_id
   where s.id = p_session_id and s.user_id = p_user_id and s.revoked_at is null
     and s.last_seen_at > now() - make_interval(secs => p_ttl_seconds)
     and not coalesce(u.banned_until > now(), false);
  if v_email is null then
    return jsonb_build_object('valid', false);
  end if;
  if p_touch then
    update public.auth_sessions set last_seen_at = now() where id = p_session_id;
  end if;
  return jsonb_build_object('valid', true, 'email', v_email, 'email_confirmed', v_confirmed is not null);
end
$$;
comment on function public.local_session_status(uuid, uuid, boolean, integer) is
  'Whether a local session is live (not revoked, seen within the TTL, account not disabled), with the account''s e-mail and confirmation: {valid, email, email_confirmed}.';
revoke execute on function public.local_session_status(uuid, uuid, boolean, integer) from public, anon, authenticated;
grant execute on function public.local_session_status(uuid, uuid, boolean, integer) to service_role;

/* local_end_session: sign-out. */
create function public.local_end_session(p_session_id uuid)
returns void
language sql
security definer
set search_path = ''
as $$
  update public.auth_sessions set revoked_at = now() where id = p_session_id and revoked_at is null
$$;
comment on function public.local_end_session(uuid) is 'Sign-out: revokes one session on the server.';
revoke execute on function public.local_end_session(uuid) from public, anon, authenticated;
grant execute on function public.local_end_session(uuid) to service_role;

/* The stored form of a rate-limit key: never an e-mail address or an IP in clear. */
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
revoke execute on function public.auth_rate_limit_key(text) from public, anon, authenticated;
grant execute on function public.auth_rate_limit_key(text) to service_role;

/*
  The key an address counts under: an IPv6 address's /64 (2001:db8:1:2::/64),
  an IPv4-mapped one's IPv4, an IPv4 address itself. Anything that is not an
  address ("unknown", a name) counts as itself.
*/
create function private.auth_rate_limit_address(p_ip text)
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

/*
  auth_rate_limit_take: counts one attempt of p_action for the network and for
  the (e-mail, network) pair, and for sign-in also for the e-mail alone, in one
  upsert per scope (its row lock serializes a burst), and says whether it may
  go ahead and how long to wait first. {allowed, retry_after_seconds, delay_ms}.
  The limits default by action: signin 10 per (e-mail, network) and 50 per
  network in 15 minutes; signup and mail (each costs a scrypt hash or a mail,
  so every attempt counts) 5 and 20 per hour. The per-account slow-down never
  refuses: past p_slowdown_after failures (default 20; one network alone is
  refused after 10, so this takes several) each attempt waits 1 s, doubling
  every 10 failures, at most p_max_delay_ms (default 10 s). Sign-up and link
  requests call it directly; sign-in through auth_login_attempt.
*/
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
revoke execute on function public.auth_rate_limit_take(text, text, text, integer, integer, integer, integer, integer) from public, anon, authenticated;
grant execute on function public.auth_rate_limit_take(text, text, text, integer, integer, integer, integer, integer) to service_role;

/*
  auth_login_attempt: reserves a sign-in attempt before the password is
  checked. p_max_per_email limits one e-mail from one network, so an attacker
  elsewhere cannot lock the owner out; p_slowdown_after and p_max_delay_ms
  shape the per-account slow-down.
*/
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
revoke execute on function public.auth_login_attempt(text, text, integer, integer, integer, integer, integer) from public, anon, authenticated;
grant execute on function public.auth_login_attempt(text, text, integer, integer, integer, integer, integer) to service_role;

/* A correct password: clears the (e-mail, network) counter and gives the network and the account their attempt back. */
create function public.auth_login_succeeded(p_email text, p_ip text default null)
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
revoke execute on function public.auth_login_succeeded(text, text) from public, anon, authenticated;
grant execute on function public.auth_login_succeeded(text, text) to service_role;

/*
  Retention: rate-limit counters whose window started before p_older_than are
  worth nothing (a new attempt starts a new window): deleted p_batch at a time.
*/
create function public.purge_auth_rate_limits(p_older_than timestamptz, p_batch integer default 1000)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  delete from public.auth_rate_limits r
   where (r.scope, r.key_hash) in (
     select o.scope, o.key_hash from public.auth_rate_limits o
      where o.window_started_at < p_older_than
      limit greatest(least(p_batch, 10000), 1)
      for update skip locked);
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
comment on function public.purge_auth_rate_limits(timestamptz, integer) is
  'Retention: deletes up to p_batch sign-in rate-limit counters whose window started before p_older_than; returns how many.';
revoke execute on function public.purge_auth_rate_limits(timestamptz, integer) from public, anon, authenticated;
grant execute on function public.purge_auth_rate_limits(timestamptz, integer) to service_role;

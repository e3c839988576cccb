/*
  Local accounts (embedded and postgres modes; Supabase Auth does all of this
  itself in supabase mode): mailed links and revocable sessions.

  - auth_email_tokens: the verification link a sign-up mails, and the
    password-reset link. Only a SHA-256 hash of the token is stored; a link
    works once and expires (verification 24 h, reset 1 h).
  - auth_sessions: one row per signed-in browser. The session cookie (an HS256
    JWT) names its row (claim session_id, as Supabase's tokens do); middleware
    checks the row on every request, so signing out, or resetting the password,
    ends a session on the server and a copied cookie stops working.
*/
create table if not exists public.auth_email_tokens (
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
create index if not exists auth_email_tokens_user_idx on public.auth_email_tokens (user_id, purpose, created_at desc);
comment on table public.auth_email_tokens is
  'Mailed verification and password-reset links of local accounts: SHA-256 of the token, single use, expiring.';
alter table public.auth_email_tokens enable row level security;
revoke all on public.auth_email_tokens from public, anon, authenticated;
grant all on public.auth_email_tokens to service_role;

create table if not exists public.auth_sessions (
  id           uuid primary key default gen_random_uuid(),
  user_id      uuid not null references auth.users (id) on delete cascade,
  created_at   timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  revoked_at   timestamptz
);
create index if not exists auth_sessions_user_idx on public.auth_sessions (user_id) where revoked_at is null;
create index if not exists auth_sessions_last_seen_idx on public.auth_sessions (last_seen_at);
comment on table public.auth_sessions is
  'Signed-in browsers of local accounts; a session cookie is valid only while its row is not revoked.';
alter table public.auth_sessions enable row level security;
revoke all on public.auth_sessions from public, anon, authenticated;
grant all on public.auth_sessions to service_role;

/*
  local_sign_up: the account (unconfirmed), its verification link and the mail
  carrying it, in one transaction. The caller made the token, keeps it only in
  the mail text, and passes its hash. {created: false} when the e-mail is taken.
*/
create or replace function public.local_sign_up(
  p_email text, p_password_hash text, p_token_hash text, p_subject text, p_body text
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
  insert into auth.users (email, encrypted_password)
  values (v_email, p_password_hash)
  on conflict (lower(email)) do nothing
  returning id into v_id;
  if v_id is null then
    return jsonb_build_object('created', false);
  end if;
  insert into public.auth_email_tokens (user_id, purpose, token_hash, email, expires_at)
  values (v_id, 'verify_email', p_token_hash, v_email, now() + interval '24 hours');
  perform public.enqueue_email(v_email, p_subject, p_body, 'verify_email');
  return jsonb_build_object('created', true, 'user_id', v_id, 'email', v_email);
end
$$;
comment on function public.local_sign_up(text, text, text, text, text) is
  'Creates an unconfirmed local account with its verification link (hash, 24 h) and mail, atomically. {created, user_id, email}.';

/*
  local_request_email_link: another verification link, or a password-reset
  link, for the account with this e-mail, with its mail, in one transaction.
  Earlier unused links of the same purpose stop working. At most p_max_per_hour
  links per account and purpose, so nobody can flood a mailbox through us.
  {issued: true} or {issued: false, reason: no_account|already_confirmed|throttled}.
*/
create or replace function public.local_request_email_link(
  p_email text, p_purpose text, p_token_hash text, p_subject text, p_body text, p_max_per_hour integer default 5
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
  insert into public.auth_email_tokens (user_id, purpose, token_hash, email, expires_at)
  values (v_user.id, p_purpose, p_token_hash, lower(v_user.email),
          now() + case p_purpose when 'verify_email' then interval '24 hours' else interval '1 hour' end);
  perform public.enqueue_email(v_user.email, p_subject, p_body, p_purpose);
  return jsonb_build_object('issued', true);
end
$$;
comment on function public.local_request_email_link(text, text, text, text, text, integer) is
  'Issues a new verification or password-reset link (hash stored) and its mail, atomically; earlier links of that purpose stop working; at most p_max_per_hour per account.';

/*
  local_use_email_link: opens a link, once. verify_email sets
  email_confirmed_at (the auth.users trigger then claims pending grants and
  re-derives is_admin). reset_password needs p_password_hash: it sets the
  password, confirms the address too (the link was read in its mailbox), and
  revokes every session of the account.
  {ok: true, user_id, email} or {ok: false, reason: invalid|used|expired}.
*/
create or replace function public.local_use_email_link(p_purpose text, p_token_hash text, p_password_hash text default null)
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

/* local_start_session: a new session row for a correct sign-in; also drops the account's long-dead rows. */
create or replace function public.local_start_session(p_user_id uuid, p_ttl_seconds integer default 604800)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare v_id uuid;
begin
  delete from public.auth_sessions
   where user_id = p_user_id
     and (revoked_at is not null or last_seen_at < now() - make_interval(secs => p_ttl_seconds));
  insert into public.auth_sessions (user_id) values (p_user_id) returning id into v_id;
  return v_id;
end
$$;
comment on function public.local_start_session(uuid, integer) is
  'Starts a local session (one row per signed-in browser) and purges the account''s revoked or expired rows.';

/*
  local_session_status: what middleware and pages ask on every request, one
  primary-key read. valid only for a live row of this user seen within the
  TTL; p_touch (when the cookie is re-issued) moves last_seen_at.
  {valid, email, email_confirmed}.
*/
create or replace function public.local_session_status(
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
     and s.last_seen_at > now() - make_interval(secs => p_ttl_seconds);
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
  'Whether a local session is live (not revoked, seen within the TTL), with the account''s e-mail and confirmation: {valid, email, email_confirmed}.';

create or replace function public.local_end_session(p_session_id uuid)
returns void
language sql
security definer
set search_path = ''
as $$
  update public.auth_sessions set revoked_at = now() where id = p_session_id and revoked_at is null
$$;
comment on function public.local_end_session(uuid) is 'Sign-out: revokes one session on the server.';

create or replace function public.local_end_all_sessions(p_user_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare v_count integer;
begin
  update public.auth_sessions set revoked_at = now() where user_id = p_user_id and revoked_at is null;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
comment on function public.local_end_all_sessions(uuid) is 'Revokes every session of an account (e.g. after a password change); returns how many.';

revoke execute on function public.local_sign_up(text, text, text, text, text) from public, anon, authenticated;
revoke execute on function public.local_request_email_link(text, text, text, text, text, integer) from public, anon, authenticated;
revoke execute on function public.local_use_email_link(text, text, text) from public, anon, authenticated;
revoke execute on function public.local_start_session(uuid, integer) from public, anon, authenticated;
revoke execute on function public.local_session_status(uuid, uuid, boolean, integer) from public, anon, authenticated;
revoke execute on function public.local_end_session(uuid) from public, anon, authenticated;
revoke execute on function public.local_end_all_sessions(uuid) from public, anon, authenticated;
grant execute on function public.local_sign_up(text, text, text, text, text) to service_role;
grant execute on function public.local_request_email_link(text, text, text, text, text, integer) to service_role;
grant execute on function public.local_use_email_link(text, text, text) to service_role;
grant execute on function public.local_start_session(uuid, integer) to service_role;
grant execute on function public.local_session_status(uuid, uuid, boolean, integer) to service_role;
grant execute on function public.local_end_session(uuid) to service_role;
grant execute on function public.local_end_all_sessions(uuid) to service_role;

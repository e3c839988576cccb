/*
  API keys are credentials of the account.

  A key spends the account's credits as well as a signed-in browser does, so
  whatever ends the account's sessions ends its keys too, in the same
  transaction as its cause:
  - the password changes (a reset through our mailed link, or Supabase Auth
    changing auth.users.encrypted_password by any of its flows): a trigger on
    auth.users, so no code path can forget it;
  - the owner signs out everywhere (sign_out_everywhere);
  - an admin disables the account (admin_set_account_disabled sets
    auth.users.banned_until, Supabase's column; the same trigger reacts to a
    ban made in the Supabase dashboard).
  A revoked key keeps why it was revoked (api_keys.revoked_reason): the keys
  page lists it, and the API answers 401 with the reason.

  Creating a key needs a confirmed e-mail address: an account whose address
  is unproven may belong to someone who only typed another person's address,
  and a key made before the owner takes the address back would keep spending.
*/

/* Why a key stopped working; null while it works. */
alter table public.api_keys add column if not exists revoked_reason text;
update public.api_keys set revoked_reason = 'revoked_by_owner' where revoked_at is not null and revoked_reason is null;
alter table public.api_keys drop constraint if exists api_keys_revoked_reason_check;
alter table public.api_keys add constraint api_keys_revoked_reason_check check (
  (revoked_at is null and revoked_reason is null)
  or (revoked_at is not null
      and revoked_reason in ('revoked_by_owner', 'password_changed', 'signed_out_everywhere', 'account_disabled')));
comment on column public.api_keys.revoked_reason is
  'revoked_by_owner, password_changed, signed_out_everywhere or account_disabled; null while the key works.';
grant select (revoked_reason) on public.api_keys to authenticated;

/*
  Who disabled an account, when and why, for the admin page. Whether it is
  disabled is auth.users.banned_until (what Supabase Auth and local sign-in
  read); these columns only keep the record.
*/
alter table public.profiles add column if not exists disabled_at timestamptz;
alter table public.profiles add column if not exists disabled_by uuid references public.profiles (id) on delete set null;
alter table public.profiles add column if not exists disabled_reason text check (length(disabled_reason) <= 500);
comment on column public.profiles.disabled_at is
  'When the account was last disabled (auth.users.banned_until decides whether it still is).';

/*
  Every key and every session of one account stop, with the reason. On
  Supabase's Postgres, Supabase Auth's own sessions (auth.sessions; their
  refresh tokens go with them) are deleted as well, as its own sign-out does,
  except for a password change: Supabase Auth ends the other sessions itself
  in that transaction and keeps the one that changed it.
*/
create or replace function private.revoke_account_credentials(p_user_id uuid, p_reason text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_keys     integer;
  v_sessions integer;
  v_supabase integer := 0;
begin
  if p_reason is null or p_reason not in ('password_changed', 'signed_out_everywhere', 'account_disabled') then
    raise exception 'unknown revocation reason: %', coalesce(p_reason, 'null') using errcode = '22023';
  end if;
  update public.api_keys set revoked_at = now(), revoked_reason = p_reason
   where user_id = p_user_id and revoked_at is null;
  get diagnostics v_keys = row_count;
  update public.auth_sessions set revoked_at = now() where user_id = p_user_id and revoked_at is null;
  get diagnostics v_sessions = row_count;
  if p_reason <> 'password_changed' and to_regclass('auth.sessions') is not null then
    execute 'delete from auth.sessions where user_id = $1' using p_user_id;
    get diagnostics v_supabase = row_count;
  end if;
  return jsonb_build_object('keys_revoked', v_keys, 'sessions_ended', v_sessions + v_supabase);
end
$$;
comment on function private.revoke_account_credentials(uuid, text) is
  'Revokes every API key (with the reason) and ends every session of an account, Supabase Auth''s too except on a password change. {keys_revoked, sessions_ended}.';
revoke execute on function private.revoke_account_credentials(uuid, text) from public, anon, authenticated;

/*
  The trigger: a new password hash, or a ban starting, ends every key and
  session of the account in the statement that makes the change.
*/
create or replace function private.revoke_credentials_on_auth_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.encrypted_password is distinct from old.encrypted_password then
    perform private.revoke_account_credentials(new.id, 'password_changed');
  end if;
  if new.banned_until > now() and not coalesce(old.banned_until > now(), false) then
    perform private.revoke_account_credentials(new.id, 'account_disabled');
  end if;
  return new;
end
$$;
comment on function private.revoke_credentials_on_auth_change() is
  'Trigger on auth.users update of encrypted_password / banned_until: a changed password or a new ban revokes every key and session of the account.';
revoke execute on function private.revoke_credentials_on_auth_change() from public, anon, authenticated;
drop trigger if exists on_auth_user_credentials_changed on auth.users;
create trigger on_auth_user_credentials_changed
  after update of encrypted_password, banned_until on auth.users
  for each row execute function private.revoke_credentials_on_auth_change();

/* sign_out_everywhere: the owner's "Sign out everywhere": every session and every key. */
create or replace function public.sign_out_everywhere(p_user_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_user_id is null or not exists (select 1 from public.profiles where id = p_user_id) then
    raise exception 'user not found' using errcode = 'P0002';
  end if;
  return private.revoke_account_credentials(p_user_id, 'signed_out_everywhere');
end
$$;
comment on function public.sign_out_everywhere(uuid) is
  'The owner signs out everywhere: every session of the account ends and every API key is revoked (reason signed_out_everywhere). {keys_revoked, sessions_ended}.';

/*
  admin_set_account_disabled: an admin disables (or enables again) another
  account. Disabling sets auth.users.banned_until a century ahead (Supabase
  Auth then refuses the account's sign-ins and refreshes; local sign-in reads
  the same column), which fires the trigger above; the admin, time and reason
  are kept on the profile. Enabling clears the ban; revoked keys stay revoked.
*/
create or replace function public.admin_set_account_disabled(
  p_user_id  uuid,
  p_disabled boolean,
  p_admin_id uuid,
  p_reason   text default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_reason text := nullif(trim(coalesce(p_reason, '')), '');
  v_until  timestamptz;
begin
  if p_admin_id is null or not exists (select 1 from public.profiles where id = p_admin_id and is_admin) then
    raise exception 'only an admin may disable or enable an account' using errcode = '42501';
  end if;
  if p_disabled is null then
    raise exception 'disabled must be true or false' using errcode = '22023';
  end if;
  if p_disabled and p_user_id = p_admin_id then
    raise exception 'an admin cannot disable their own account' using errcode = '22023';
  end if;
  if length(v_reason) > 500 then
    raise exception 'the reason has at most 500 characters' using errcode = '22023';
  end if;
  perform 1 from auth.users where id = p_user_id for update;
  if not found then
    raise exception 'user not found' using errcode = 'P0002';
  end if;
  if p_disabled then
    update auth.users set banned_until = now() + interval '100 years'
     where id = p_user_id and not coalesce(banned_until > now(), false);
    update public.profiles set disabled_at = now(), disabled_by = p_admin_id, disabled_reason = v_reason
     where id = p_user_id;
  else
    update auth.users set banned_until = null where id = p_user_id and banned_until is not null;
    update public.profiles set disabled_at = null, disabled_by = null, disabled_reason = null where id = p_user_id;
  end if;
  select banned_until into v_until from auth.users where id = p_user_id;
  return jsonb_build_object('user_id', p_user_id, 'disabled', coalesce(v_until > now(), false));
end
$$;
comment on function public.admin_set_account_disabled(uuid, boolean, uuid, text) is
  'Admin: disables an account (auth.users.banned_until; every key and session revoked by the trigger) or enables it again; not one''s own. {user_id, disabled}.';

/* create_api_key: as before, and only for a confirmed, enabled account. */
create or replace function public.create_api_key(p_user_id uuid, p_name text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_name    text := trim(coalesce(p_name, ''));
  v_account record;
  v_key     text;
  v_id      uuid;
begin
  if v_name = '' or length(v_name) > 100 then
    raise exception 'key name is required (at most 100 characters)' using errcode = '22023';
  end if;
  select u.email_confirmed_at, u.banned_until into v_account
    from public.profiles p join auth.users u on u.id = p.id
   where p.id = p_user_id;
  if not found then
    raise exception 'user not found' using errcode = 'P0002';
  end if;
  if v_account.banned_until > now() then
    raise exception 'the account is disabled' using errcode = '55000';
  end if;
  if v_account.email_confirmed_at is null then
    raise exception 'confirm the account''s e-mail address before creating an API key' using errcode = '55000';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('credits:api-keys:' || p_user_id::text, 0));
  if (select count(*) from public.api_keys where user_id = p_user_id and revoked_at is null) >= 25 then
    raise exception 'at most 25 active keys per account; revoke one first' using errcode = '22023';
  end if;
  v_key := 'ck_' || replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
  insert into public.api_keys (user_id, name, prefix, key_hash)
  values (p_user_id, v_name, left(v_key, 11), public.api_key_hash(v_key))
  returning id into v_id;
  return jsonb_build_object('id', v_id, 'key', v_key);
end
$$;
comment on function public.create_api_key(uuid, text) is
  'Creates an API key for a confirmed, enabled account and returns {id, key}: the only time the plaintext exists; only its SHA-256 is stored.';

/* revoke_api_key: the owner's own revocation, recorded as such. */
create or replace function public.revoke_api_key(p_user_id uuid, p_key_id uuid)
returns boolean
language sql
security definer
set search_path = ''
as $$
  with revoked as (
    update public.api_keys
       set revoked_at = coalesce(revoked_at, now()),
           revoked_reason = coalesce(revoked_reason, 'revoked_by_owner')
     where id = p_key_id and user_id = p_user_id
    returning id
  )
  select exists (select 1 from revoked)
$$;
comment on function public.revoke_api_key(uuid, uuid) is
  'Revokes one of the user''s own API keys (idempotent; reason revoked_by_owner); false when the user has no such key.';

/* list_api_keys now says why a key was revoked; its result type changes, so it is dropped and created again. */
drop function if exists public.list_api_keys(uuid);
create function public.list_api_keys(p_user_id uuid)
returns table (
  id uuid, name text, prefix text, created_at timestamptz, last_used_at timestamptz, revoked_at timestamptz,
  revoked_reason text
)
language sql
stable
security definer
set search_path = ''
as $$
  select k.id, k.name, k.prefix, k.created_at, k.last_used_at, k.revoked_at, k.revoked_reason
    from public.api_keys k
   where k.user_id = p_user_id
   order by k.revoked_at is not null, k.created_at desc, k.id desc
   limit 100
$$;
comment on function public.list_api_keys(uuid) is
  'One user''s API keys (at most 100; active first, then newest): name, prefix, created, last used, revoked and why.';

/*
  authenticate_api_key: as before for a working key. A revoked key now answers
  {revoked_reason} (no owner, nothing written), so the API can say why it
  refuses; an unknown key is still null. The extra lookup runs only when the
  update found no working key.
*/
create or replace function public.authenticate_api_key(
  p_key_hash       text,
  p_rate_limit     integer default 600,
  p_window_seconds integer default 60
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_window  interval := make_interval(secs => greatest(coalesce(p_window_seconds, 60), 1));
  v_key_id  uuid;
  v_user_id uuid;
  v_count   integer;
  v_started timestamptz;
  v_reason  text;
begin
  update public.api_keys k
     set last_used_at = now(),
         rate_window_requests = case when k.rate_window_started_at > now() - v_window
                                     then least(k.rate_window_requests + 1, 2147483646) else 1 end,
         rate_window_started_at = case when k.rate_window_started_at > now() - v_window
                                       then k.rate_window_started_at else now() end
   where k.key_hash = p_key_hash and k.revoked_at is null
  returning k.id, k.user_id, k.rate_window_requests, k.rate_window_started_at
       into v_key_id, v_user_id, v_count, v_started;
  if v_key_id is null then
    select k.revoked_reason into v_reason from public.api_keys k where k.key_hash = p_key_hash;
    return case when v_reason is null then null else jsonb_build_object('revoked_reason', v_reason) end;
  end if;
  return jsonb_build_object(
    'key_id', v_key_id,
    'user_id', v_user_id,
    'allowed', v_count <= greatest(coalesce(p_rate_limit, 600), 1),
    'retry_after_seconds', case when v_count <= greatest(coalesce(p_rate_limit, 600), 1) then 0
                                else greatest(ceil(extract(epoch from v_started + v_window - now()))::integer, 1) end);
end
$$;
comment on function public.authenticate_api_key(text, integer, integer) is
  'Finds the working API key with this SHA-256 (unique index), counts the request in its rate-limit window and stamps last_used_at: {key_id, user_id, allowed, retry_after_seconds}; {revoked_reason} for a revoked key; null for an unknown one.';

/* spend_credits_with_api_key: a revoked key's refusal carries the reason. */
create or replace function public.spend_credits_with_api_key(
  p_key_hash        text,
  p_amount          bigint,
  p_idempotency_key text,
  p_reason          text default null,
  p_rate_limit      integer default 600,
  p_window_seconds  integer default 60
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_key jsonb := public.authenticate_api_key(p_key_hash, p_rate_limit, p_window_seconds);
begin
  if v_key is null then
    return jsonb_build_object('outcome', 'unauthorized');
  end if;
  if v_key ? 'revoked_reason' then
    return jsonb_build_object('outcome', 'unauthorized', 'revoked_reason', v_key ->> 'revoked_reason');
  end if;
  if not (v_key ->> 'allowed')::boolean then
    return jsonb_build_object('outcome', 'rate_limited', 'retry_after_seconds', (v_key ->> 'retry_after_seconds')::integer);
  end if;
  return public.record_spend((v_key ->> 'user_id')::uuid, p_amount, p_idempotency_key, p_reason);
end
$$;
comment on function public.spend_credits_with_api_key(text, bigint, text, text, integer, integer) is
  'The spend API in one transaction: API key (SHA-256) → its user, rate limit, record_spend. {outcome: spent|duplicate|conflict|insufficient|unauthorized (with revoked_reason for a revoked key)|rate_limited, ...}.';

/*
  local_session_status: as before, and a session of a disabled account is
  never live (its rows are revoked when it is disabled; this holds even for a
  ban set by hand).
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

/* local_start_session: refuses a disabled account (sign-in checks first; this holds for any caller). */
create or replace function public.local_start_session(p_user_id uuid, p_ttl_seconds integer default 604800)
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

/* admin_get_user: the account page also shows whether it is confirmed and disabled, by whom and why, and its keys. */
create or replace function public.admin_get_user(p_user_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object('id', pr.id, 'email', pr.email, 'is_admin', pr.is_admin,
                            'balance', coalesce(w.balance, 0), 'created_at', pr.created_at,
                            'email_confirmed', u.email_confirmed_at is not null,
                            'disabled', coalesce(u.banned_until > now(), false),
                            'disabled_at', pr.disabled_at,
                            'disabled_by_email', (select a.email from public.profiles a where a.id = pr.disabled_by),
                            'disabled_reason', pr.disabled_reason,
                            'active_api_keys', (select count(*) from public.api_keys k
                                                 where k.user_id = pr.id and k.revoked_at is null))
    from public.profiles pr
    join auth.users u on u.id = pr.id
    left join public.wallets w on w.user_id = pr.id
   where pr.id = p_user_id
$$;
comment on function public.admin_get_user(uuid) is
  'Admin: one account (e-mail, admin flag, balance, created, confirmed, disabled with who/when/why, active API keys), or null.';

revoke execute on function public.sign_out_everywhere(uuid) from public, anon, authenticated;
revoke execute on function public.admin_set_account_disabled(uuid, boolean, uuid, text) from public, anon, authenticated;
revoke execute on function public.list_api_keys(uuid) from public, anon, authenticated;
grant execute on function public.sign_out_everywhere(uuid) to service_role;
grant execute on function public.admin_set_account_disabled(uuid, boolean, uuid, text) to service_role;
grant execute on function public.list_api_keys(uuid) to service_role;

/*
  Account access: what ends an account's access, and the admin's view of an
  account.

  API keys (050_api_keys.sql) are credentials of the account, like its
  sessions (020_local_accounts.sql, or Supabase Auth's). Whatever ends the
  account's sessions revokes its keys too, in the same transaction as its
  cause, with the reason kept on each key:
  - the password changes (a reset through our mailed link, or Supabase Auth
    changing auth.users.encrypted_password by any of its flows): a trigger on
    auth.users, so no code path can forget it;
  - the owner signs out everywhere (sign_out_everywhere);
  - an admin disables the account (admin_set_account_disabled sets
    auth.users.banned_until, Supabase's column; the same trigger reacts to a
    ban made in the Supabase dashboard).
  Whether an account is disabled is auth.users.banned_until, which Supabase
  Auth reads on every sign-in and refresh and local sign-in reads through
  local_find_account and local_session_status; profiles.disabled_* keep who
  did it, when and why.
*/

/*
  Every key and every session of one account stop, with the reason. On
  Supabase's Postgres, Supabase Auth's own sessions (auth.sessions; their
  refresh tokens go with them) are deleted as well, as its own sign-out does,
  except for a password change: Supabase Auth ends the other sessions itself
  in that transaction and keeps the one that changed it. (Outside Supabase,
  supabase/bootstrap provides an empty auth.sessions.)
*/
create function private.revoke_account_credentials(p_user_id uuid, p_reason text)
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
  if p_reason <> 'password_changed' then
    delete from auth.sessions where user_id = p_user_id;
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
create function private.revoke_credentials_on_auth_change()
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
create trigger on_auth_user_credentials_changed
  after update of encrypted_password, banned_until on auth.users
  for each row execute function private.revoke_credentials_on_auth_change();

/* sign_out_everywhere: the owner's "Sign out everywhere": every session and every key. */
create function public.sign_out_everywhere(p_user_id uuid)
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
revoke execute on function public.sign_out_everywhere(uuid) from public, anon, authenticated;
grant execute on function public.sign_out_everywhere(uuid) to service_role;

/*
  admin_set_account_disabled: an admin disables (or enables again) another
  account. Disabling sets auth.users.banned_until a century ahead (Supabase
  Auth then refuses the account's sign-ins and refreshes; local sign-in reads
  the same column), which fires the trigger above; the admin, time and reason
  are kept on the profile. Enabling clears the ban; revoked keys stay revoked.
*/
create function public.admin_set_account_disabled(
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
revoke execute on function public.admin_set_account_disabled(uuid, boolean, uuid, text) from public, anon, authenticated;
grant execute on function public.admin_set_account_disabled(uuid, boolean, uuid, text) to service_role;

/* admin_find_users: /admin/users search, by e-mail (case-insensitive substring), with balances. */
create function public.admin_find_users(p_query text default null, p_limit integer default 50)
returns table (id uuid, email text, is_admin boolean, balance bigint, created_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select pr.id, pr.email, pr.is_admin, w.balance, pr.created_at
    from public.profiles pr
    left join public.wallets w on w.user_id = pr.id
   where coalesce(trim(p_query), '') = ''
      or lower(pr.email) like '%' || replace(replace(replace(lower(trim(p_query)), '\', '\\'), '%', '\%'), '_', '\_') || '%'
   order by pr.created_at desc, pr.id desc
   limit least(greatest(coalesce(p_limit, 50), 1), 200)
$$;
comment on function public.admin_find_users(text, integer) is
  'Admin: accounts whose e-mail contains the query (case-insensitive; all when empty), newest first, with balances; at most 200.';
revoke execute on function public.admin_find_users(text, integer) from public, anon, authenticated;
grant execute on function public.admin_find_users(text, integer) to service_role;

/*
  admin_get_user: one account for /admin/users/[id]: e-mail, admin flag,
  balance, whether it is confirmed and disabled (by whom, when, why) and how
  many API keys work; null when unknown.
*/
create function public.admin_get_user(p_user_id uuid)
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
revoke execute on function public.admin_get_user(uuid) from public, anon, authenticated;
grant execute on function public.admin_get_user(uuid) to service_role;

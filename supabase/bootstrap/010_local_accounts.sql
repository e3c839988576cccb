/*
  Local accounts (embedded and postgres modes only; Supabase Auth owns accounts
  in supabase mode). The app stores a scrypt hash in auth.users.encrypted_password
  and signs its own HS256 session JWTs. Inserting into auth.users fires the
  accounts trigger (supabase/schemas/010_accounts.sql), which creates profile +
  wallet. These two live here, not in supabase/schemas/, because this file runs
  again before every migration run and re-asserts their privileges.
*/

create or replace function public.local_create_account(p_email text, p_password_hash text)
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

create or replace function public.local_find_account(p_email text)
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

-- Explicitly from anon and authenticated too: on Supabase, default privileges grant them EXECUTE on new functions,
-- and local_find_account returns password hashes.
revoke all on function public.local_create_account(text, text) from public, anon, authenticated;
revoke all on function public.local_find_account(text) from public, anon, authenticated;
grant execute on function public.local_create_account(text, text) to service_role;
grant execute on function public.local_find_account(text) to service_role;

/*
  Accounts: a profile per auth.users row, and who is an admin.

  auth.users is Supabase Auth's table (or supabase/bootstrap's on plain Postgres
  and PGlite). Two triggers on it keep public.profiles in step: an insert
  creates the profile and the wallet, and the update that confirms an address
  hands the account what waited for that address (pending grants, unlinked
  subscriptions). An e-mail address counts only once it is confirmed
  (auth.users.email_confirmed_at): before that it matches no purchase, no
  subscription and no ADMIN_EMAILS entry.
*/

/* A person with an account. Created by the trigger on auth.users, never by hand. */
create table public.profiles (
  id         uuid primary key references auth.users (id) on delete cascade,
  email      text not null,
  is_admin   boolean not null default false,
  created_at timestamptz not null default now(),
  -- who disabled the account, when and why, for the admin page; whether it is disabled is
  -- auth.users.banned_until (what Supabase Auth and local sign-in read): these only keep the record
  disabled_at     timestamptz,
  disabled_by     uuid references public.profiles (id) on delete set null,
  disabled_reason text check (length(disabled_reason) <= 500)
);
create index profiles_email_lower_idx on public.profiles (lower(email));
comment on table public.profiles is 'One row per account; the e-mail used to match purchases made before sign-up.';
comment on column public.profiles.disabled_at is
  'When the account was last disabled (auth.users.banned_until decides whether it still is).';
alter table public.profiles enable row level security;
revoke insert, update, delete, truncate on public.profiles from anon, authenticated;
grant select on public.profiles to authenticated;
grant all on public.profiles to service_role;

/*
  The ADMIN_EMAILS list as the app last synced it, so the auth.users triggers
  can make an account admin at the moment its address becomes confirmed.
  Server-only: no policy lets anon or authenticated read it.
*/
create table public.admin_emails (
  email text primary key check (email = lower(trim(email)) and email <> '')
);
comment on table public.admin_emails is
  'The ADMIN_EMAILS configuration as last synced by sync_admin_emails; read by the auth.users triggers.';
alter table public.admin_emails enable row level security;
revoke all on public.admin_emails from public, anon, authenticated;
grant all on public.admin_emails to service_role;

/* is_admin: used by RLS policies; security definer so it can read profiles under RLS. */
create function public.is_admin() returns boolean
language sql stable security definer set search_path = '' as $$
  select coalesce((select is_admin from public.profiles where id = auth.uid()), false)
$$;
comment on function public.is_admin() is 'True when the requesting user (auth.uid()) is an admin; used by RLS policies.';
revoke execute on function public.is_admin() from public, anon, authenticated;
grant execute on function public.is_admin() to anon, authenticated, service_role;

/* A user sees their own profile; admins see all. */
create policy profiles_read_own on public.profiles for select to authenticated
  using (id = auth.uid() or public.is_admin());

/* Whether a profile should be admin: listed and confirmed. */
create function public.admin_email_confirmed(p_email text, p_confirmed_at timestamptz)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select p_confirmed_at is not null
     and exists (select 1 from public.admin_emails a where a.email = lower(trim(coalesce(p_email, ''))))
$$;
comment on function public.admin_email_confirmed(text, timestamptz) is
  'True when the address is listed in ADMIN_EMAILS (admin_emails) and confirmed: an unconfirmed address is never admin.';
revoke execute on function public.admin_email_confirmed(text, timestamptz) from public, anon, authenticated;
grant execute on function public.admin_email_confirmed(text, timestamptz) to service_role;

/*
  sync_admin_emails: ADMIN_EMAILS is configuration; this keeps the list
  (admin_emails) and sets is_admin for listed, confirmed addresses only.
*/
create function public.sync_admin_emails(p_emails text[])
returns integer
language plpgsql security definer set search_path = '' as $$
declare v_count integer;
begin
  delete from public.admin_emails
   where email <> all (select lower(trim(e)) from unnest(coalesce(p_emails, '{}')) e);
  insert into public.admin_emails (email)
  select distinct lower(trim(e)) from unnest(coalesce(p_emails, '{}')) e where coalesce(trim(e), '') <> ''
  on conflict (email) do nothing;
  update public.profiles p
     set is_admin = public.admin_email_confirmed(u.email, u.email_confirmed_at)
    from auth.users u
   where u.id = p.id
     and p.is_admin is distinct from public.admin_email_confirmed(u.email, u.email_confirmed_at);
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
comment on function public.sync_admin_emails(text[]) is
  'Mirrors ADMIN_EMAILS into admin_emails and profiles.is_admin: a listed address is admin only while it is confirmed. Returns profiles changed.';
revoke execute on function public.sync_admin_emails(text[]) from public, anon, authenticated;
grant execute on function public.sync_admin_emails(text[]) to service_role;

/*
  The confirmed account that owns an e-mail address (case-insensitive), or
  null. The caller holds the per-address lock when it writes with the answer.
*/
create function private.confirmed_account_for_email(p_email text)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select p.id
    from public.profiles p
    join auth.users u on u.id = p.id
   where lower(p.email) = lower(trim(p_email)) and lower(u.email) = lower(trim(p_email))
     and u.email_confirmed_at is not null
   order by u.email_confirmed_at, p.created_at
   limit 1
$$;
comment on function private.confirmed_account_for_email(text) is
  'The account whose confirmed e-mail is this address (case-insensitive), else null.';
revoke execute on function private.confirmed_account_for_email(text) from public, anon, authenticated;

/*
  Everything that waited for this address, handed to the account that has
  just confirmed it: its pending grants (claim_pending_credit_grants, which
  takes the per-address lock) and the subscriptions that name it and no
  account yet. Both auth.users triggers call this, so what "waits for an
  address" is decided here only. Returns the credits claimed.
*/
create function private.settle_confirmed_email(p_user_id uuid, p_email text)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_credits bigint;
begin
  v_credits := public.claim_pending_credit_grants(p_user_id, p_email);
  -- under the lock the claim took: a subscription event for this address waits, then finds the account
  update public.subscriptions s
     set user_id = p_user_id, updated_at = now()
   where s.user_id is null and s.email = lower(trim(p_email));
  return v_credits;
end
$$;
comment on function private.settle_confirmed_email(uuid, text) is
  'On a confirmed address: claims its pending grants and links the subscriptions waiting for it (no account yet).';
revoke execute on function private.settle_confirmed_email(uuid, text) from public, anon, authenticated;

/* New account → profile and wallet; when the address is already confirmed, what waited for it. */
create function public.handle_new_auth_user() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into public.profiles (id, email, is_admin)
  values (new.id, coalesce(new.email, ''), public.admin_email_confirmed(new.email, new.email_confirmed_at))
  on conflict (id) do nothing;
  insert into public.wallets (user_id) values (new.id)
  on conflict (user_id) do nothing;
  if coalesce(new.email, '') <> '' and new.email_confirmed_at is not null then
    perform private.settle_confirmed_email(new.id, new.email);
  end if;
  return new;
end
$$;
comment on function public.handle_new_auth_user() is
  'Trigger on auth.users insert: creates profile and wallet; when the e-mail is already confirmed, claims its pending grants and links its subscriptions.';
revoke execute on function public.handle_new_auth_user() from public, anon, authenticated;
grant execute on function public.handle_new_auth_user() to service_role;
create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function public.handle_new_auth_user();

/*
  The update that confirms an address (or changes a confirmed one) hands it the
  grants and subscriptions waiting for it and re-derives is_admin;
  un-confirming drops admin.
*/
create function public.handle_auth_user_updated() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.profiles
     set email = coalesce(new.email, ''),
         is_admin = public.admin_email_confirmed(new.email, new.email_confirmed_at)
   where id = new.id
     and (email is distinct from coalesce(new.email, '')
          or is_admin is distinct from public.admin_email_confirmed(new.email, new.email_confirmed_at));
  if coalesce(new.email, '') <> '' and new.email_confirmed_at is not null
     and (old.email_confirmed_at is null or lower(old.email) is distinct from lower(new.email)) then
    perform private.settle_confirmed_email(new.id, new.email);
  end if;
  return new;
end
$$;
comment on function public.handle_auth_user_updated() is
  'Trigger on auth.users update of email / email_confirmed_at: keeps profiles.email and is_admin in step; when the address becomes confirmed, claims its pending grants and links its subscriptions.';
revoke execute on function public.handle_auth_user_updated() from public, anon, authenticated;
create trigger on_auth_user_updated
  after update of email, email_confirmed_at on auth.users
  for each row execute function public.handle_auth_user_updated();

/*
  An e-mail address counts only once its owner has proved it.

  Credits bought by e-mail (pending grants, Stripe customer_details.email,
  Paystack customer.email) and ADMIN_EMAILS are keyed on addresses. Before this
  migration any sign-up with an address owned it at once, so whoever registered
  victim@… first received the victim's credits and, for a listed address, the
  admin pages. Now auth.users.email_confirmed_at (Supabase's column; the
  bootstrap adds it for plain Postgres and PGlite) decides:
  - pending grants are claimed when the row is confirmed: at insert when it is
    already set, or by the update that sets it (Supabase's own confirmation and
    our /verify-email both are such updates);
  - grant_credits_for_purchase matches a buyer by e-mail among confirmed
    accounts only (by user id it still matches anyone: buying with your own
    account works before you confirm);
  - profiles.is_admin is true only for a listed address that is confirmed.
*/

/*
  The ADMIN_EMAILS list as the app last synced it, so the auth.users triggers
  can make an account admin at the moment its address becomes confirmed.
*/
create table if not exists public.admin_emails (
  email text primary key check (email = lower(trim(email)) and email <> '')
);
comment on table public.admin_emails is
  'The ADMIN_EMAILS configuration as last synced by sync_admin_emails; read by the auth.users triggers.';
alter table public.admin_emails enable row level security;
revoke all on public.admin_emails from public, anon, authenticated;
grant all on public.admin_emails to service_role;

/* Whether a profile should be admin: listed and confirmed. */
create or replace function public.admin_email_confirmed(p_email text, p_confirmed_at timestamptz)
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

/* New account → profile and wallet; pending grants only when the address is already confirmed. */
create or replace function public.handle_new_auth_user() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into public.profiles (id, email, is_admin)
  values (new.id, coalesce(new.email, ''), public.admin_email_confirmed(new.email, new.email_confirmed_at))
  on conflict (id) do nothing;
  insert into public.wallets (user_id) values (new.id)
  on conflict (user_id) do nothing;
  if coalesce(new.email, '') <> '' and new.email_confirmed_at is not null then
    perform public.claim_pending_credit_grants(new.id, new.email);
  end if;
  return new;
end
$$;
comment on function public.handle_new_auth_user() is
  'Trigger on auth.users insert: creates profile and wallet; claims pending grants for the e-mail only when it is already confirmed.';

/*
  The update that confirms an address (or changes a confirmed one) claims the
  grants waiting for it and re-derives is_admin; un-confirming drops admin.
*/
create or replace function public.handle_auth_user_updated() returns trigger
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
    perform public.claim_pending_credit_grants(new.id, new.email);
  end if;
  return new;
end
$$;
comment on function public.handle_auth_user_updated() is
  'Trigger on auth.users update of email / email_confirmed_at: keeps profiles.email and is_admin in step, and claims pending grants when the address becomes confirmed.';
revoke execute on function public.handle_auth_user_updated() from public, anon, authenticated;
drop trigger if exists on_auth_user_updated on auth.users;
create trigger on_auth_user_updated
  after update of email, email_confirmed_at on auth.users
  for each row execute function public.handle_auth_user_updated();

/*
  grant_credits_for_purchase: unchanged except that a buyer known only by
  e-mail is matched among confirmed accounts; an unconfirmed account with that
  address gets nothing and the payment waits as a pending grant, claimed when
  the address is confirmed.
*/
create or replace function public.grant_credits_for_purchase(
  p_provider     text,
  p_external_id  text,
  p_user_id      uuid,
  p_email        text,
  p_credits      bigint,
  p_amount_minor bigint,
  p_currency     text,
  p_package_id   text default null,
  p_event_id     text default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_credits  bigint := p_credits;
  v_email    text := nullif(lower(trim(p_email)), '');
  v_user_id  uuid;
  v_purchase public.purchases%rowtype;
  v_balance  bigint;
begin
  if p_provider is null or p_provider not in ('stripe', 'fireblocks', 'invoices', 'paystack') then
    raise exception 'unknown provider: %', coalesce(p_provider, 'null') using errcode = '22023';
  end if;
  if coalesce(trim(p_external_id), '') = '' or length(p_external_id) > 255 then
    raise exception 'external id is required (at most 255 characters)' using errcode = '22023';
  end if;
  if p_amount_minor is null or p_amount_minor < 0 then
    raise exception 'amount must be a non-negative integer' using errcode = '22023';
  end if;
  if coalesce(p_currency, '') !~ '^[A-Za-z]{3}$' then
    raise exception 'currency must be a three-letter code' using errcode = '22023';
  end if;
  if v_credits is null then
    select credits into v_credits from public.credit_packages where id = p_package_id;
    if v_credits is null then
      raise exception 'unknown package: %', coalesce(p_package_id, 'none') using errcode = 'P0002';
    end if;
  elsif p_package_id is not null and not exists (select 1 from public.credit_packages where id = p_package_id) then
    raise exception 'unknown package: %', p_package_id using errcode = 'P0002';
  end if;
  if v_credits <= 0 then
    raise exception 'credits must be positive' using errcode = '22023';
  end if;

  if p_user_id is not null then
    select id into v_user_id from public.profiles where id = p_user_id;
  end if;
  if v_user_id is null and v_email is not null then
    -- serializes with a confirmation claiming this e-mail (see claim_pending_credit_grants)
    perform pg_advisory_xact_lock(hashtextextended('credits:buyer-email:' || v_email, 0));
    select p.id into v_user_id
      from public.profiles p
      join auth.users u on u.id = p.id
     where lower(p.email) = v_email and lower(u.email) = v_email and u.email_confirmed_at is not null
     order by u.email_confirmed_at, p.created_at
     limit 1;
  end if;
  if v_user_id is null and v_email is null then
    raise exception 'buyer unknown: no user id or email' using errcode = '22023';
  end if;

  insert into public.purchases as p
    (provider, external_id, user_id, email, package_id, credits, amount_minor, currency, status, event_id)
  values
    (p_provider, trim(p_external_id), v_user_id, v_email, p_package_id, v_credits, p_amount_minor,
     lower(p_currency), case when v_user_id is null then 'pending_user' else 'completed' end, p_event_id)
  on conflict (provider, external_id) do nothing
  returning * into v_purchase;

  if v_purchase.id is null then
    select * into v_purchase from public.purchases
     where provider = p_provider and external_id = trim(p_external_id);
    select balance into v_balance from public.wallets where user_id = v_purchase.user_id;
    return jsonb_build_object('outcome', 'duplicate', 'purchase_id', v_purchase.id,
      'user_id', v_purchase.user_id, 'balance', v_balance, 'credits', v_purchase.credits,
      'email', v_purchase.email);
  end if;

  if v_user_id is null then
    insert into public.pending_credit_grants (purchase_id, email, credits)
    values (v_purchase.id, v_email, v_credits);
    return jsonb_build_object('outcome', 'pending', 'purchase_id', v_purchase.id,
      'user_id', null, 'balance', null, 'credits', v_credits, 'email', v_email);
  end if;

  insert into public.credit_ledger (user_id, delta, kind, purchase_id, reference)
  values (v_user_id, v_credits, 'purchase', v_purchase.id, v_purchase.id::text);
  select balance into v_balance from public.wallets where user_id = v_user_id;
  return jsonb_build_object('outcome', 'granted', 'purchase_id', v_purchase.id,
    'user_id', v_user_id, 'balance', v_balance, 'credits', v_credits, 'email', v_email);
end
$$;
comment on function public.grant_credits_for_purchase(text, text, uuid, text, bigint, bigint, text, text, text) is
  'Records a payment and grants its credits exactly once per (provider, external_id): to the user by id, else to the account whose e-mail is confirmed, else as a pending grant. Returns {outcome: granted|pending|duplicate, purchase_id, user_id, balance}.';

/* sync_admin_emails: keeps the list (admin_emails) and sets is_admin for listed, confirmed addresses only. */
create or replace function public.sync_admin_emails(p_emails text[])
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

-- An unconfirmed account made admin before this migration loses it now (the app re-syncs the list at start).
update public.profiles p set is_admin = false
  from auth.users u
 where u.id = p.id and p.is_admin and u.email_confirmed_at is null;

/*
  local_find_account returns password hashes. It is created by the bootstrap
  (local accounts); on Supabase, default privileges give anon and authenticated
  EXECUTE on new functions, so revoking from PUBLIC is not enough.
*/
do $$
begin
  if to_regprocedure('public.local_find_account(text)') is not null then
    revoke all on function public.local_find_account(text) from public, anon, authenticated;
  end if;
  if to_regprocedure('public.local_create_account(text, text)') is not null then
    revoke all on function public.local_create_account(text, text) from public, anon, authenticated;
  end if;
end
$$;

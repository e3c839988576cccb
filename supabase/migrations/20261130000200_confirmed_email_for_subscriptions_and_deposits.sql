/*
  "An e-mail address counts only once it is confirmed" (20261130000110) now
  also holds for the two other places that find an account by e-mail:

  - upsert_subscription linked a subscription named only by e-mail (made in
    the Dashboard: metadata.email, no user id) to any account with that
    address, confirmed or not, and every invoice.paid of that subscription
    then granted its credits to that account by id. Someone who signed up with
    a buyer's address without owning the mailbox collected the buyer's
    subscription credits. Now only a confirmed account is linked; until there
    is one, the subscription has no account and each paid invoice waits as a
    pending grant for the address (grant_credits_for_purchase's own rule). The
    confirmation links the subscription to the account, after claiming the
    grants, under the same per-address lock as the grants, so a confirmation
    and a subscription event at the same moment cannot miss each other.
  - assign_deposit_address (an admin typing a customer's e-mail) could give an
    address to such an account, which would then be credited every deposit
    the real customer made to it. It now refuses an unconfirmed account and
    says so.

  Subscriptions and addresses already linked stay as they are: a link made by
  user id (our own checkout) is legitimate whether or not the account has
  confirmed, and the two cannot be told apart afterwards.
*/

create index if not exists subscriptions_unlinked_email_idx
  on public.subscriptions (email) where user_id is null and email is not null;

/*
  The confirmed account that owns an e-mail address (case-insensitive), or
  null. The caller holds the per-address lock when it writes with the answer.
*/
create or replace function private.confirmed_account_for_email(p_email text)
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

create or replace function public.upsert_subscription(
  p_provider text, p_external_id text, p_status text, p_customer_id text, p_user_id uuid, p_email text,
  p_package_id text, p_credits_per_period bigint, p_current_period_end timestamptz,
  p_cancel_at_period_end boolean, p_event_at timestamptz
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_email text := nullif(lower(trim(p_email)), '');
  v_user  uuid;
  v_row   public.subscriptions%rowtype;
begin
  if coalesce(trim(p_external_id), '') = '' or coalesce(trim(p_status), '') = '' or p_event_at is null then
    raise exception 'subscription id, status and event time are required' using errcode = '22023';
  end if;
  if p_user_id is not null then
    select id into v_user from public.profiles where id = p_user_id;
  elsif v_email is not null then
    -- serializes with a confirmation of this address (settle_confirmed_email)
    perform pg_advisory_xact_lock(hashtextextended('credits:buyer-email:' || v_email, 0));
    v_user := private.confirmed_account_for_email(v_email);
  end if;
  insert into public.subscriptions as s (provider, external_id, user_id, email, customer_id, status, package_id,
      credits_per_period, current_period_end, cancel_at_period_end, last_event_at)
  values (p_provider, p_external_id, v_user, v_email, p_customer_id, p_status, p_package_id,
      p_credits_per_period, p_current_period_end, coalesce(p_cancel_at_period_end, false), p_event_at)
  on conflict (provider, external_id) do update set
      status = excluded.status,
      user_id = coalesce(excluded.user_id, s.user_id),
      email = coalesce(excluded.email, s.email),
      customer_id = coalesce(excluded.customer_id, s.customer_id),
      package_id = coalesce(excluded.package_id, s.package_id),
      credits_per_period = coalesce(excluded.credits_per_period, s.credits_per_period),
      current_period_end = coalesce(excluded.current_period_end, s.current_period_end),
      cancel_at_period_end = excluded.cancel_at_period_end,
      last_event_at = excluded.last_event_at,
      updated_at = now()
    where s.last_event_at <= excluded.last_event_at
  returning * into v_row;
  if v_row.id is null then
    return jsonb_build_object('outcome', 'stale');
  end if;
  return jsonb_build_object('outcome', 'updated', 'status', v_row.status, 'id', v_row.id);
end
$$;
comment on function public.upsert_subscription(text, text, text, text, uuid, text, text, bigint, timestamptz, boolean, timestamptz) is
  'Creates or updates a subscription; the newest event time wins (older events are reported stale). Linked to an account by user id, or by e-mail only when that account''s address is confirmed.';

/*
  Everything that waited for this address, handed to the account that has
  just confirmed it: its pending grants (claim_pending_credit_grants, which
  takes the per-address lock) and the subscriptions that name it and no
  account yet. Both auth.users triggers call this, so what "waits for an
  address" is decided here only. Returns the credits claimed.
*/
create or replace function private.settle_confirmed_email(p_user_id uuid, p_email text)
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
create or replace function public.handle_new_auth_user() returns trigger
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

/* The update that confirms an address (or changes a confirmed one): grants and subscriptions waiting for it, is_admin. */
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
    perform private.settle_confirmed_email(new.id, new.email);
  end if;
  return new;
end
$$;
comment on function public.handle_auth_user_updated() is
  'Trigger on auth.users update of email / email_confirmed_at: keeps profiles.email and is_admin in step; when the address becomes confirmed, claims its pending grants and links its subscriptions.';

/* Admin: a deposit address for the account with this confirmed e-mail. */
create or replace function public.assign_deposit_address(p_address text, p_asset_id text, p_email text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_address text := trim(p_address);
  v_asset   text := upper(trim(p_asset_id));
  v_user    uuid;
  v_email   text;
  v_row     public.deposit_addresses%rowtype;
begin
  if coalesce(v_address, '') = '' or length(v_address) > 200 or v_address ~ '\s' then
    raise exception 'address must be 1 to 200 characters without spaces' using errcode = '22023';
  end if;
  if not exists (select 1 from public.crypto_rates r where r.asset_id = v_asset) then
    raise exception 'no credit rate for asset %', coalesce(v_asset, 'null') using errcode = '22023';
  end if;
  v_user := private.confirmed_account_for_email(p_email);
  if v_user is null then
    if exists (select 1 from public.profiles p where lower(p.email) = lower(trim(p_email))) then
      raise exception 'the account with e-mail % has not confirmed it yet; assign an address once it has',
        trim(p_email) using errcode = '55000';
    end if;
    raise exception 'no account with e-mail %', coalesce(trim(p_email), 'null') using errcode = 'P0002';
  end if;
  select p.email into v_email from public.profiles p where p.id = v_user;

  insert into public.deposit_addresses (address, asset_id, user_id)
  values (v_address, v_asset, v_user)
  on conflict ((lower(address))) do nothing
  returning * into v_row;
  if v_row.id is null then
    select * into v_row from public.deposit_addresses d where lower(d.address) = lower(v_address);
    if v_row.user_id <> v_user or v_row.asset_id <> v_asset then
      raise exception 'address % is already assigned (asset %) to another account or asset', v_row.address, v_row.asset_id
        using errcode = '23505';
    end if;
    return jsonb_build_object('outcome', 'unchanged', 'address', v_row.address, 'asset_id', v_row.asset_id,
      'user_id', v_row.user_id, 'email', v_email);
  end if;
  return jsonb_build_object('outcome', 'assigned', 'address', v_row.address, 'asset_id', v_row.asset_id,
    'user_id', v_row.user_id, 'email', v_email);
end
$$;
comment on function public.assign_deposit_address(text, text, text) is
  'Admin: assigns a deposit address (unique whatever its letter case) for an asset (which must have a rate) to the account whose confirmed e-mail this is. Returns {outcome: assigned|unchanged, …}; an unconfirmed account, an address owned by another account or for another asset is refused.';

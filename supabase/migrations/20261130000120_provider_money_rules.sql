/*
  Provider money rules (issue 12): only a real payment of the real price
  becomes credits, and every refund can take them back.

  - Deposit addresses are unique case-insensitively, so the address a deposit
    names finds exactly one owner (EVM hex and bech32 addresses are
    case-insensitive; a case variant is the same address, never a second one).
  - Fireblocks credits only a deposit from outside (source UNKNOWN,
    EXTERNAL_WALLET or ONE_TIME_ADDRESS) in the asset the address is for. Our
    own transfers (vault, gas station, internal wallets, exchange accounts), a
    wrong asset, or an address that is not ours are recorded as ignored with
    the reason: retrying cannot change them.
  - Paystack credits come only from the package the payment names, paid in
    full in the package's currency; a credit count in metadata is never used.
    Refunds are kept one row per refund, so partial refunds add up.
*/

/* ---- Deposit addresses: unique whatever the letter case ---- */

do $$
declare
  v_dupes text;
begin
  select string_agg(format('%s (%s rows)', k, n), ', ') into v_dupes
    from (select lower(address) k, count(*) n from public.deposit_addresses group by 1 having count(*) > 1) d;
  if v_dupes is not null then
    raise exception 'deposit_addresses holds addresses that differ only in letter case: %. Keep one row per address (the owner who should be credited), then run the migrations again.', v_dupes
      using errcode = '23505';
  end if;
end
$$;

create unique index if not exists deposit_addresses_address_lower_key on public.deposit_addresses (lower(address));
comment on index public.deposit_addresses_address_lower_key is
  'One owner per address whatever its letter case: the deposit lookup by lower(address) finds at most one row.';

/*
  assign_deposit_address: as before, but an address already assigned in any
  letter case is the same address (unchanged for its owner and asset, refused
  for anyone or anything else).
*/
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
  select p.id, p.email into v_user, v_email from public.profiles p
   where lower(p.email) = lower(trim(p_email)) order by p.created_at limit 1;
  if v_user is null then
    raise exception 'no account with e-mail %', coalesce(trim(p_email), 'null') using errcode = 'P0002';
  end if;

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
  'Admin: assigns a deposit address (unique whatever its letter case) for an asset (which must have a rate) to the account with this e-mail. Returns {outcome: assigned|unchanged, …}; an address owned by another account or for another asset is refused.';

/* ---- Fireblocks deposits ---- */

/*
  A COMPLETED Fireblocks transfer. Credited only when it is a deposit a
  customer made: from outside (source UNKNOWN, EXTERNAL_WALLET or
  ONE_TIME_ADDRESS; the planner ignores the others before calling, this is the
  guard), to one of our addresses, in the asset that address is for. Then the
  asset's rate names the credits: floor(amount × credits_per_unit), granted
  once per transaction id (v1 and v2 notifications, redeliveries). Everything
  else is ignored with the reason, never failed: a gas top-up or a transfer
  between our own accounts does not become a payment by being retried.
*/
create or replace function public.webhook_action_fireblocks_transfer(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_tx      text := p_args ->> 'tx_id';
  v_address text := trim(p_args ->> 'address');
  v_asset   text := upper(trim(p_args ->> 'asset_id'));
  v_source  text := upper(trim(p_args ->> 'source_type'));
  v_amount  numeric;
  v_owner   public.deposit_addresses%rowtype;
  v_rate    numeric;
  v_credits bigint;
  v_usd     numeric;
  v         jsonb;
begin
  if coalesce(v_tx, '') = '' then
    raise exception 'transaction id is required' using errcode = '22023';
  end if;
  if v_source is null or v_source not in ('UNKNOWN', 'EXTERNAL_WALLET', 'ONE_TIME_ADDRESS') then
    return jsonb_build_object('status', 'ignored', 'outcome',
      format('transaction %s comes from %s, not from outside: not a customer deposit', v_tx, coalesce(v_source, 'an unnamed source')));
  end if;
  v_amount := (p_args ->> 'amount')::numeric;
  if v_amount is null or v_amount <= 0 then
    raise exception 'transfer % has no positive amount', v_tx using errcode = '22023';
  end if;
  select * into v_owner from public.deposit_addresses d where lower(d.address) = lower(v_address);
  if v_owner.id is null then
    return jsonb_build_object('status', 'ignored', 'outcome',
      format('transaction %s goes to %s, which is not one of our deposit addresses', v_tx, coalesce(v_address, '(no address)')));
  end if;
  if v_asset is distinct from v_owner.asset_id then
    return jsonb_build_object('status', 'ignored', 'outcome',
      format('transaction %s sends %s to an address for %s: wrong asset, no credits', v_tx, coalesce(v_asset, '(no asset)'), v_owner.asset_id));
  end if;
  select r.credits_per_unit into v_rate from public.crypto_rates r where r.asset_id = v_asset;
  if v_rate is null then
    -- the address was assigned with a rate that is gone: an admin can restore it, so this one is retried
    raise exception 'no credit rate for asset %', v_asset using errcode = 'P0002';
  end if;
  v_credits := floor(v_amount * v_rate);
  if v_credits <= 0 then
    return jsonb_build_object('status', 'ignored', 'outcome',
      format('transfer %s of %s %s is worth less than one credit', v_tx, v_amount, v_asset));
  end if;
  -- purchases keep money in minor units of a 3-letter currency: the USD value Fireblocks reports, when it does
  v_usd := coalesce((p_args ->> 'amount_usd')::numeric, 0);
  v := public.grant_credits_for_purchase('fireblocks', v_tx, v_owner.user_id, null, v_credits,
    greatest(round(v_usd * 100), 0)::bigint, 'usd', null, p_args ->> 'event_id');
  return jsonb_build_object('status', 'processed', 'result', v, 'outcome',
    case v ->> 'outcome'
      when 'duplicate' then format('transaction %s already credited', v_tx)
      else format('granted %s credits for %s %s to %s (balance %s)', v ->> 'credits', v_amount, v_asset,
                  coalesce(v ->> 'email', v ->> 'user_id'), v ->> 'balance') end);
end
$$;
comment on function public.webhook_action_fireblocks_transfer(jsonb) is
  'Action: a COMPLETED Fireblocks deposit from outside, to one of our addresses, in that address''s asset, grants floor(amount × rate) credits once per transaction id; anything else is ignored with the reason.';

/* ---- Paystack ---- */

/*
  Every processed refund of a payment, one row per refund. Paystack reports
  each refund's own amount (not the running total Stripe sends), so the total
  refunded is the sum of these rows; a redelivered refund adds nothing.
*/
create table if not exists public.purchase_refunds (
  id           uuid primary key default gen_random_uuid(),
  purchase_id  uuid not null references public.purchases (id) on delete cascade,
  provider     text not null,
  refund_id    text not null check (length(refund_id) between 1 and 255),
  amount_minor bigint not null check (amount_minor >= 0),
  created_at   timestamptz not null default now(),
  unique (provider, refund_id)
);
create index if not exists purchase_refunds_purchase_idx on public.purchase_refunds (purchase_id);
comment on table public.purchase_refunds is
  'Refunds reported one by one (Paystack): their sum is the cumulative refunded amount handed to reverse_purchase_credits.';

alter table public.purchase_refunds enable row level security;
revoke insert, update, delete, truncate on public.purchase_refunds from anon, authenticated;
grant select on public.purchase_refunds to authenticated;
grant all on public.purchase_refunds to service_role;
drop policy if exists purchase_refunds_admin_read on public.purchase_refunds;
/* Admins only: a refund row says nothing a user does not see on their purchase. */
create policy purchase_refunds_admin_read on public.purchase_refunds for select to authenticated
  using (public.is_admin());

/*
  A charge.success. Credits come only from the package the payment names, and
  only when what was paid is at least that package's price in its currency:
  Paystack's inline checkout lets the browser choose the amount and the
  metadata, so neither a signed event nor a credit count in metadata proves
  the buyer paid for anything. Then the usual grant, once per reference.
*/
create or replace function public.webhook_action_paystack_charge(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_pack public.credit_packages%rowtype;
begin
  if coalesce(p_args ->> 'package_id', '') = '' then
    raise exception 'unknown package: the payment names no package_id (a credit count in metadata is never trusted)'
      using errcode = '22023';
  end if;
  select * into v_pack from public.credit_packages c where c.id = p_args ->> 'package_id';
  if v_pack.id is null then
    raise exception 'unknown package: %', p_args ->> 'package_id' using errcode = 'P0002';
  end if;
  if lower(p_args ->> 'currency') is distinct from v_pack.currency
     or coalesce((p_args ->> 'amount_minor')::bigint, -1) < v_pack.amount_minor then
    raise exception 'amount does not match package %: paid % %, price % %', v_pack.id,
      coalesce(p_args ->> 'amount_minor', 'nothing'), lower(p_args ->> 'currency'), v_pack.amount_minor, v_pack.currency
      using errcode = '22023';
  end if;
  -- the package's credits, never the caller's
  return public.webhook_action_grant(p_args - 'credits');
end
$$;
comment on function public.webhook_action_paystack_charge(jsonb) is
  'Action: a Paystack charge.success; grants the named package''s credits once per reference, only when at least its price was paid in its currency (case-insensitive). No package → failed.';

/*
  A refund.processed: records the refund once (by its reference), then hands
  the payment's total refunded so far to reverse_purchase_credits, which takes
  back credits in proportion. The purchase row is locked first, so two refunds
  of one payment arriving together each see the other's row. A refund for a
  payment not seen yet raises (purchase not found): kept failed and retried.
*/
create or replace function public.webhook_action_paystack_refund(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_purchase uuid;
  v_total    bigint;
  v_amount   bigint := (p_args ->> 'amount_minor')::bigint;
begin
  if coalesce(p_args ->> 'refund_id', '') = '' or v_amount is null or v_amount < 0 then
    raise exception 'refund id and a non-negative amount are required' using errcode = '22023';
  end if;
  select id into v_purchase from public.purchases
   where provider = 'paystack' and external_id = p_args ->> 'external_id'
   for update;
  if v_purchase is null then
    raise exception 'purchase not found: paystack %', coalesce(p_args ->> 'external_id', 'null') using errcode = 'P0002';
  end if;
  insert into public.purchase_refunds (purchase_id, provider, refund_id, amount_minor)
  values (v_purchase, 'paystack', p_args ->> 'refund_id', v_amount)
  on conflict (provider, refund_id) do nothing;
  select coalesce(sum(amount_minor), 0) into v_total from public.purchase_refunds where purchase_id = v_purchase;
  return public.webhook_action_reverse(jsonb_build_object('provider', 'paystack', 'external_id', p_args ->> 'external_id',
    'kind', 'refund', 'reference', p_args ->> 'refund_id', 'refunded_minor', v_total));
end
$$;
comment on function public.webhook_action_paystack_refund(jsonb) is
  'Action: a Paystack refund.processed; stores the refund once and reverses credits for the sum of the payment''s refunds (cumulative, idempotent).';

/* ---- Privileges: service_role only ---- */
revoke execute on function public.assign_deposit_address(text, text, text) from public, anon, authenticated;
revoke execute on function public.webhook_action_fireblocks_transfer(jsonb) from public, anon, authenticated;
revoke execute on function public.webhook_action_paystack_charge(jsonb) from public, anon, authenticated;
revoke execute on function public.webhook_action_paystack_refund(jsonb) from public, anon, authenticated;
grant execute on function public.assign_deposit_address(text, text, text) to service_role;
grant execute on function public.webhook_action_fireblocks_transfer(jsonb) to service_role;
grant execute on function public.webhook_action_paystack_charge(jsonb) to service_role;
grant execute on function public.webhook_action_paystack_refund(jsonb) to service_role;

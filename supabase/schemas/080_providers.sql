/*
  Provider state and actions: Fireblocks deposits, the crypto invoice gateway,
  Paystack refunds and TradingView alerts, plus the helpers the pages call
  (assigning deposit addresses, opening invoices). Each webhook_action_* here
  is reached only through the event log (060_webhook_events.sql), in the
  savepoint of its event.

  The helpers called directly by the server are SECURITY DEFINER with an empty
  search_path. The server calls them as service_role with the user id taken
  from the session, never from the request.
*/

/* ---- Fireblocks deposits ---- */

/* How many credits one unit of a crypto asset buys (the rates are seeded by a migration). */
create table public.crypto_rates (
  asset_id         text primary key,
  credits_per_unit numeric not null check (credits_per_unit > 0),
  updated_at       timestamptz not null default now()
);
comment on table public.crypto_rates is 'Credits per unit of each asset accepted as a Fireblocks deposit.';
alter table public.crypto_rates enable row level security;
revoke insert, update, delete, truncate on public.crypto_rates from anon, authenticated;
grant select on public.crypto_rates to anon, authenticated;
grant all on public.crypto_rates to service_role;

/* Rates are public information. */
create policy crypto_rates_read on public.crypto_rates for select to anon, authenticated using (true);

/*
  Fireblocks deposit addresses assigned to users by an admin. An address is
  unique whatever its letter case (EVM hex and bech32 addresses are
  case-insensitive; a case variant is the same address, never a second one),
  so the address a deposit names finds exactly one owner.
*/
create table public.deposit_addresses (
  id         uuid primary key default gen_random_uuid(),
  address    text not null unique,
  asset_id   text not null,
  user_id    uuid not null references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now()
);
create index deposit_addresses_user_idx on public.deposit_addresses (user_id);
create unique index deposit_addresses_address_lower_key on public.deposit_addresses (lower(address));
comment on index public.deposit_addresses_address_lower_key is
  'One owner per address whatever its letter case: the deposit lookup by lower(address) finds at most one row.';
comment on table public.deposit_addresses is 'Which user a Fireblocks deposit to an address belongs to.';
alter table public.deposit_addresses enable row level security;
revoke insert, update, delete, truncate on public.deposit_addresses from anon, authenticated;
grant select on public.deposit_addresses to authenticated;
grant all on public.deposit_addresses to service_role;

/* A user sees their own deposit addresses; admins see all. */
create policy deposit_addresses_read_own on public.deposit_addresses for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/*
  assign_deposit_address: an admin gives the account whose confirmed e-mail
  this is a deposit address for one asset. An address belongs to one account
  for good (credits for a deposit go to its owner), so assigning it, in any
  letter case, to another account or asset is refused rather than silently
  redirecting future deposits. So is an account that has not confirmed its
  address: whoever signed up with a customer's address would be credited
  every deposit the customer made.
*/
create function public.assign_deposit_address(p_address text, p_asset_id text, p_email text)
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
revoke execute on function public.assign_deposit_address(text, text, text) from public, anon, authenticated;
grant execute on function public.assign_deposit_address(text, text, text) to service_role;

/* list_deposit_addresses: one user's addresses (wallet page), or all of them (admin page). */
create function public.list_deposit_addresses(p_user_id uuid default null)
returns table (address text, asset_id text, user_id uuid, email text, credits_per_unit numeric, created_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select d.address, d.asset_id, d.user_id, p.email, r.credits_per_unit, d.created_at
    from public.deposit_addresses d
    join public.profiles p on p.id = d.user_id
    left join public.crypto_rates r on r.asset_id = d.asset_id
   where p_user_id is null or d.user_id = p_user_id
   order by d.created_at desc, d.address
   limit 500
$$;
comment on function public.list_deposit_addresses(uuid) is
  'Deposit addresses with owner e-mail and the asset''s credit rate: one user''s, or every one (newest first) when p_user_id is null.';
revoke execute on function public.list_deposit_addresses(uuid) from public, anon, authenticated;
grant execute on function public.list_deposit_addresses(uuid) to service_role;

/* list_crypto_rates: the assets we accept and what one unit buys. */
create function public.list_crypto_rates()
returns table (asset_id text, credits_per_unit numeric)
language sql
stable
security definer
set search_path = ''
as $$
  select r.asset_id, r.credits_per_unit from public.crypto_rates r order by r.asset_id
$$;
comment on function public.list_crypto_rates() is 'Assets accepted as Fireblocks deposits and their credits per unit.';
revoke execute on function public.list_crypto_rates() from public, anon, authenticated;
grant execute on function public.list_crypto_rates() to service_role;

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
create function public.webhook_action_fireblocks_transfer(p_args jsonb)
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
revoke execute on function public.webhook_action_fireblocks_transfer(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_fireblocks_transfer(jsonb) to service_role;

/* ---- Crypto invoice gateway ---- */

/*
  Invoices opened with the crypto gateway. State machine: Ready → Pending →
  Complete | Fail, Ready → Cancel, Ready → Wait → Pending | Reject. A row
  inserted with just invoice_id, user_id, package_id and state = 'Ready' is a
  valid invoice.
*/
create table public.crypto_invoices (
  id              uuid primary key default gen_random_uuid(),
  invoice_id      text not null unique,
  user_id         uuid references public.profiles (id) on delete set null,
  package_id      text references public.credit_packages (id),
  state           text not null default 'Ready'
                    check (state in ('Ready', 'Pending', 'Wait', 'Complete', 'Fail', 'Cancel', 'Reject')),
  fail_reason     text,
  expected_amount text,
  received_amount text,
  crypto_amount   text,
  cash_amount     text,
  last_event_at   timestamptz,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create index crypto_invoices_user_idx on public.crypto_invoices (user_id, created_at desc);
comment on table public.crypto_invoices is 'Invoices opened with the crypto gateway and their state; Complete grants the package once.';
alter table public.crypto_invoices enable row level security;
revoke insert, update, delete, truncate on public.crypto_invoices from anon, authenticated;
grant select on public.crypto_invoices to authenticated;
grant all on public.crypto_invoices to service_role;

/* A user sees their own invoices; admins see all. */
create policy crypto_invoices_read_own on public.crypto_invoices for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/*
  open_crypto_invoice: "Pay with crypto" on a pack. The invoice starts Ready
  and remembers who pays for what: the gateway's later updates carry only the
  invoice id, and Complete grants this package to this user.
*/
create function public.open_crypto_invoice(p_user_id uuid, p_package_id text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_pack public.credit_packages%rowtype;
  v_row  public.crypto_invoices%rowtype;
begin
  if not exists (select 1 from public.profiles p where p.id = p_user_id) then
    raise exception 'unknown user' using errcode = 'P0002';
  end if;
  select * into v_pack from public.credit_packages c where c.id = p_package_id and c.active;
  if v_pack.id is null then
    raise exception 'unknown or inactive package: %', coalesce(p_package_id, 'none') using errcode = 'P0002';
  end if;
  insert into public.crypto_invoices (invoice_id, user_id, package_id, state, expected_amount)
  values ('inv_' || replace(gen_random_uuid()::text, '-', ''), p_user_id, v_pack.id, 'Ready',
          to_char(v_pack.amount_minor / 100.0, 'FM999999999990.00') || ' ' || upper(v_pack.currency))
  returning * into v_row;
  return to_jsonb(v_row);
end
$$;
comment on function public.open_crypto_invoice(uuid, text) is
  'Opens a Ready crypto invoice for a user and an active package; returns the invoice row.';
revoke execute on function public.open_crypto_invoice(uuid, text) from public, anon, authenticated;
grant execute on function public.open_crypto_invoice(uuid, text) to service_role;

/* get_crypto_invoice: one invoice with its package, for the gateway page (the caller checks ownership). */
create function public.get_crypto_invoice(p_invoice_id text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select to_jsonb(i) || jsonb_build_object('package_name', c.name, 'credits', c.credits,
           'amount_minor', c.amount_minor, 'currency', c.currency)
    from public.crypto_invoices i
    left join public.credit_packages c on c.id = i.package_id
   where i.invoice_id = p_invoice_id
$$;
comment on function public.get_crypto_invoice(text) is 'One crypto invoice with its package name, credits and price; null when unknown.';
revoke execute on function public.get_crypto_invoice(text) from public, anon, authenticated;
grant execute on function public.get_crypto_invoice(text) to service_role;

/*
  The invoice state machine. Legal forward moves:
    Ready → Pending → Complete | Fail,  Ready → Cancel,  Ready → Wait → Pending | Reject.
  Earlier states of each state, for recognising a late (older) update.
*/
create function private.invoice_transition_is_legal(p_from text, p_to text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select (p_from, p_to) in (('Ready', 'Pending'), ('Ready', 'Cancel'), ('Ready', 'Wait'),
                            ('Wait', 'Pending'), ('Wait', 'Reject'),
                            ('Pending', 'Complete'), ('Pending', 'Fail'))
$$;
comment on function private.invoice_transition_is_legal(text, text) is
  'True when an invoice may move from p_from to p_to (the gateway''s forward transitions).';
revoke execute on function private.invoice_transition_is_legal(text, text) from public, anon, authenticated;

create function private.invoice_states_before(p_state text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select case p_state
    when 'Ready' then '{}'::text[]
    when 'Wait' then array['Ready']
    when 'Pending' then array['Ready', 'Wait']
    when 'Complete' then array['Ready', 'Wait', 'Pending']
    when 'Fail' then array['Ready', 'Wait', 'Pending']
    when 'Cancel' then array['Ready']
    when 'Reject' then array['Ready', 'Wait']
  end
$$;
comment on function private.invoice_states_before(text) is
  'The states an invoice passes before reaching p_state: an update to one of them is late, not illegal.';
revoke execute on function private.invoice_states_before(text) from public, anon, authenticated;

/*
  An invoice.updated from the gateway, applied under the invoice's row lock:
  - a legal forward move changes the state (Complete also grants the invoice's
    package to the invoice's user, once per invoice id, in the same savepoint);
  - the same state again, or a state that comes before the current one (a late
    delivery), changes nothing and is recorded as ignored;
  - anything else (Complete while still Ready, Pending after Cancel) raises: the
    event is kept failed with the reason. If it was only early (Complete before
    its Pending arrived), the retry sweep applies it once Pending has.
  Fail keeps the gateway's reason and, for amount_mismatch, received vs expected.
*/
create function public.webhook_action_invoice_update(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_invoice_id text := p_args ->> 'invoice_id';
  v_to         text := p_args ->> 'state';
  v_at         timestamptz := (p_args ->> 'event_at')::timestamptz;
  v_inv        public.crypto_invoices%rowtype;
  v_pack       public.credit_packages%rowtype;
  v_reason     text := nullif(trim(p_args ->> 'reason'), '');
  v_received   text := nullif(trim(p_args ->> 'received_amount'), '');
  v_expected   text;
  v          jsonb;
begin
  if v_to is null or v_to not in ('Ready', 'Pending', 'Wait', 'Complete', 'Fail', 'Cancel', 'Reject') then
    raise exception 'unknown invoice state %', coalesce(v_to, 'null') using errcode = '22023';
  end if;
  select * into v_inv from public.crypto_invoices i where i.invoice_id = v_invoice_id for update;
  if v_inv.id is null then
    raise exception 'unknown invoice %', coalesce(v_invoice_id, 'null') using errcode = 'P0002';
  end if;

  if v_to = v_inv.state then
    return jsonb_build_object('status', 'ignored', 'outcome', format('invoice %s is already %s', v_invoice_id, v_to));
  end if;
  if v_to = any (private.invoice_states_before(v_inv.state)) then
    return jsonb_build_object('status', 'ignored', 'outcome',
      format('late update: invoice %s is already %s, %s comes before it', v_invoice_id, v_inv.state, v_to));
  end if;
  if not private.invoice_transition_is_legal(v_inv.state, v_to) then
    raise exception 'illegal invoice transition % → % for %', v_inv.state, v_to, v_invoice_id using errcode = '22023';
  end if;

  v_expected := coalesce(nullif(trim(p_args ->> 'expected_amount'), ''), v_inv.expected_amount);
  update public.crypto_invoices
     set state = v_to,
         fail_reason = case when v_to in ('Fail', 'Reject', 'Cancel') then coalesce(v_reason, fail_reason) else fail_reason end,
         expected_amount = v_expected,
         received_amount = coalesce(v_received, received_amount),
         crypto_amount = coalesce(nullif(p_args ->> 'crypto_amount', ''), crypto_amount),
         cash_amount = coalesce(nullif(p_args ->> 'cash_amount', ''), cash_amount),
         last_event_at = greatest(last_event_at, v_at),
         updated_at = now()
   where id = v_inv.id;

  if v_to = 'Complete' then
    select * into v_pack from public.credit_packages c where c.id = v_inv.package_id;
    if v_pack.id is null then
      raise exception 'unknown package: %', coalesce(v_inv.package_id, 'none') using errcode = 'P0002';
    end if;
    if v_inv.user_id is null then
      raise exception 'buyer unknown: invoice % has no account', v_invoice_id using errcode = '22023';
    end if;
    v := public.grant_credits_for_purchase('invoices', v_invoice_id, v_inv.user_id, null, null,
      v_pack.amount_minor, v_pack.currency, v_pack.id, p_args ->> 'event_id');
    return jsonb_build_object('status', 'processed', 'result', v, 'outcome',
      case v ->> 'outcome'
        when 'duplicate' then format('invoice %s Complete: already credited', v_invoice_id)
        else format('invoice %s Complete: granted %s credits to %s (balance %s)', v_invoice_id, v ->> 'credits',
                    coalesce(v ->> 'email', v ->> 'user_id'), v ->> 'balance') end);
  end if;
  if v_to = 'Fail' and v_reason = 'amount_mismatch' then
    return jsonb_build_object('status', 'processed', 'outcome',
      format('invoice %s failed: amount_mismatch (received %s, expected %s); no credits', v_invoice_id,
             coalesce(v_received, 'unknown'), coalesce(v_expected, 'unknown')),
      'received_amount', v_received, 'expected_amount', v_expected);
  end if;
  return jsonb_build_object('status', 'processed', 'outcome',
    format('invoice %s: %s → %s%s', v_invoice_id, v_inv.state, v_to,
           case when v_reason is not null and v_to in ('Fail', 'Reject', 'Cancel') then ' (' || v_reason || ')' else '' end));
end
$$;
comment on function public.webhook_action_invoice_update(jsonb) is
  'Action: applies a crypto invoice state update if it is a legal forward move (Complete grants the package once); late older states are ignored, impossible ones fail.';
revoke execute on function public.webhook_action_invoice_update(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_invoice_update(jsonb) to service_role;

/* ---- Paystack ---- */

/*
  Every processed refund of a payment, one row per refund. Paystack reports
  each refund's own amount (not the running total Stripe sends), so the total
  refunded is the sum of these rows; a redelivered refund adds nothing.
*/
create table public.purchase_refunds (
  id           uuid primary key default gen_random_uuid(),
  purchase_id  uuid not null references public.purchases (id) on delete cascade,
  provider     text not null,
  refund_id    text not null check (length(refund_id) between 1 and 255),
  amount_minor bigint not null check (amount_minor >= 0),
  created_at   timestamptz not null default now(),
  unique (provider, refund_id)
);
create index purchase_refunds_purchase_idx on public.purchase_refunds (purchase_id);
comment on table public.purchase_refunds is
  'Refunds reported one by one (Paystack): their sum is the cumulative refunded amount handed to reverse_purchase_credits.';
alter table public.purchase_refunds enable row level security;
revoke insert, update, delete, truncate on public.purchase_refunds from anon, authenticated;
grant select on public.purchase_refunds to authenticated;
grant all on public.purchase_refunds to service_role;

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
create function public.webhook_action_paystack_charge(p_args jsonb)
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
revoke execute on function public.webhook_action_paystack_charge(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_paystack_charge(jsonb) to service_role;

/*
  A refund.processed: records the refund once (by its reference), then hands
  the payment's total refunded so far to reverse_purchase_credits, which takes
  back credits in proportion. The purchase row is locked first, so two refunds
  of one payment arriving together each see the other's row. A refund for a
  payment not seen yet raises (purchase not found): kept failed and retried.
*/
create function public.webhook_action_paystack_refund(p_args jsonb)
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
revoke execute on function public.webhook_action_paystack_refund(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_paystack_refund(jsonb) to service_role;

/* ---- TradingView ---- */

/* TradingView alerts, stored once per alert and shown to admins; no trading is executed. */
create table public.trading_alerts (
  id          uuid primary key default gen_random_uuid(),
  event_id    text not null unique,
  ticker      text,
  action      text,
  message     text,
  payload     jsonb not null,
  received_at timestamptz not null default now()
);
create index trading_alerts_received_idx on public.trading_alerts (received_at desc);
comment on table public.trading_alerts is 'Alerts received from TradingView (informational only).';
alter table public.trading_alerts enable row level security;
revoke insert, update, delete, truncate on public.trading_alerts from anon, authenticated;
grant select on public.trading_alerts to authenticated;
grant all on public.trading_alerts to service_role;

/* Alerts may carry whatever a strategy sends: admins only. */
create policy trading_alerts_admin_read on public.trading_alerts for select to authenticated
  using (public.is_admin());

/* An alert is information only: stored once per event id, shown to admins; no trade is executed. */
create function public.webhook_action_trading_alert(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid;
begin
  if coalesce(p_args ->> 'event_id', '') = '' or p_args -> 'payload' is null then
    raise exception 'alert id and payload are required' using errcode = '22023';
  end if;
  insert into public.trading_alerts (event_id, ticker, action, message, payload)
  values (p_args ->> 'event_id', left(p_args ->> 'ticker', 100), left(p_args ->> 'action', 100),
          left(p_args ->> 'message', 2000), p_args -> 'payload')
  on conflict (event_id) do nothing
  returning id into v_id;
  if v_id is null then
    return jsonb_build_object('status', 'ignored', 'outcome', 'alert already stored');
  end if;
  return jsonb_build_object('status', 'processed', 'outcome',
    format('stored alert%s%s (no trade executed)',
           coalesce(': ' || nullif(p_args ->> 'action', ''), ''), coalesce(' ' || nullif(p_args ->> 'ticker', ''), '')));
end
$$;
comment on function public.webhook_action_trading_alert(jsonb) is
  'Action: stores a TradingView alert once per event id (informational; no trading).';
revoke execute on function public.webhook_action_trading_alert(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_trading_alert(jsonb) to service_role;

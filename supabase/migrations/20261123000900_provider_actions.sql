/*
  Provider actions: what Fireblocks deposits, crypto invoice updates, Paystack
  charges and TradingView alerts do, plus the helpers the pages call
  (assigning deposit addresses, opening invoices).

  The webhook_action_* functions are reached only through ingest_webhook_event /
  retry_webhook_event (SECURITY DEFINER already), inside the savepoint that
  keeps an event and its effect in one transaction: they are not SECURITY
  DEFINER themselves. An exception in one of them stores the event as failed
  with the message as the reason, and the retry sweep runs it again later.

  The helpers called directly by the server are SECURITY DEFINER with an empty
  search_path. The server calls them as service_role with the user id taken
  from the session, never from the request.
*/

/* ---- Fireblocks deposits ---- */

/*
  assign_deposit_address: an admin gives a user a deposit address for one
  asset. An address belongs to one account for good (credits for a deposit go
  to its owner), so re-assigning it to someone else is refused rather than
  silently redirecting future deposits.
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
  select p.id, p.email into v_user, v_email from public.profiles p
   where lower(p.email) = lower(trim(p_email)) order by p.created_at limit 1;
  if v_user is null then
    raise exception 'no account with e-mail %', coalesce(trim(p_email), 'null') using errcode = 'P0002';
  end if;

  insert into public.deposit_addresses (address, asset_id, user_id)
  values (v_address, v_asset, v_user)
  on conflict (address) do nothing
  returning * into v_row;
  if v_row.id is null then
    select * into v_row from public.deposit_addresses d where d.address = v_address;
    if v_row.user_id <> v_user or v_row.asset_id <> v_asset then
      raise exception 'address % is already assigned (asset %) to another account or asset', v_address, v_row.asset_id
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
  'Admin: assigns a deposit address for an asset (which must have a rate) to the account with this e-mail. Returns {outcome: assigned|unchanged, …}; an address owned by another account is refused.';

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

/*
  A COMPLETED Fireblocks transfer. The deposit address names the buyer; the
  asset's rate names the credits: floor(amount × credits_per_unit). The
  transaction id is the purchase's external id, so every notification about
  one transaction (v1 and v2, redeliveries) grants once. A transfer to an
  address that is not ours raises: the event is kept failed ("unknown deposit
  address") so an admin sees it, and assigning the address later lets a retry
  credit it. Amounts arrive as decimal text: numeric keeps every digit.
*/
create function public.webhook_action_fireblocks_transfer(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_tx      text := p_args ->> 'tx_id';
  v_address text := trim(p_args ->> 'address');
  v_asset   text := upper(p_args ->> 'asset_id');
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
  v_amount := (p_args ->> 'amount')::numeric;
  if v_amount is null or v_amount <= 0 then
    raise exception 'transfer % has no positive amount', v_tx using errcode = '22023';
  end if;
  select * into v_owner from public.deposit_addresses d
   where d.address = v_address
      -- EVM addresses are case-insensitive hex (checksummed case is cosmetic)
      or (v_address ~* '^0x[0-9a-f]{40}$' and lower(d.address) = lower(v_address))
   limit 1;
  if v_owner.id is null then
    raise exception 'unknown deposit address %', coalesce(v_address, '(none)') using errcode = 'P0002';
  end if;
  select r.credits_per_unit into v_rate from public.crypto_rates r where r.asset_id = v_asset;
  if v_rate is null then
    raise exception 'no credit rate for asset %', coalesce(v_asset, '(none)') using errcode = 'P0002';
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
  'Action: a COMPLETED Fireblocks deposit to one of our addresses grants floor(amount × rate) credits once per transaction id; an unknown address fails the event.';

/* ---- Crypto invoice gateway ---- */

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

/* ---- Paystack ---- */

/*
  A charge.success. When the payment names a package, what was paid must be at
  least that package's price in its currency: Paystack's inline checkout lets
  the browser choose the amount, so a signed event alone does not prove the
  buyer paid for the pack. Then the usual grant, once per reference.
*/
create function public.webhook_action_paystack_charge(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_pack public.credit_packages%rowtype;
begin
  if p_args ->> 'package_id' is not null then
    select * into v_pack from public.credit_packages c where c.id = p_args ->> 'package_id';
    if v_pack.id is null then
      raise exception 'unknown package: %', p_args ->> 'package_id' using errcode = 'P0002';
    end if;
    if lower(p_args ->> 'currency') <> v_pack.currency or (p_args ->> 'amount_minor')::bigint < v_pack.amount_minor then
      raise exception 'amount does not match package %: paid % %, price % %', v_pack.id,
        p_args ->> 'amount_minor', lower(p_args ->> 'currency'), v_pack.amount_minor, v_pack.currency
        using errcode = '22023';
    end if;
  end if;
  return public.webhook_action_grant(p_args);
end
$$;
comment on function public.webhook_action_paystack_charge(jsonb) is
  'Action: a Paystack charge.success; checks the amount and currency against the named package, then grants once per reference.';

/* ---- TradingView ---- */

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

/* ---- Privileges: service_role only (new functions are executable by PUBLIC by default). ---- */
revoke execute on function public.assign_deposit_address(text, text, text) from public, anon, authenticated;
revoke execute on function public.list_deposit_addresses(uuid) from public, anon, authenticated;
revoke execute on function public.list_crypto_rates() from public, anon, authenticated;
revoke execute on function public.webhook_action_fireblocks_transfer(jsonb) from public, anon, authenticated;
revoke execute on function public.open_crypto_invoice(uuid, text) from public, anon, authenticated;
revoke execute on function public.get_crypto_invoice(text) from public, anon, authenticated;
revoke execute on function public.webhook_action_invoice_update(jsonb) from public, anon, authenticated;
revoke execute on function public.webhook_action_paystack_charge(jsonb) from public, anon, authenticated;
revoke execute on function public.webhook_action_trading_alert(jsonb) from public, anon, authenticated;
revoke execute on function private.invoice_transition_is_legal(text, text) from public;
revoke execute on function private.invoice_states_before(text) from public;

grant execute on function public.assign_deposit_address(text, text, text) to service_role;
grant execute on function public.list_deposit_addresses(uuid) to service_role;
grant execute on function public.list_crypto_rates() to service_role;
grant execute on function public.webhook_action_fireblocks_transfer(jsonb) to service_role;
grant execute on function public.open_crypto_invoice(uuid, text) to service_role;
grant execute on function public.get_crypto_invoice(text) to service_role;
grant execute on function public.webhook_action_invoice_update(jsonb) to service_role;
grant execute on function public.webhook_action_paystack_charge(jsonb) to service_role;
grant execute on function public.webhook_action_trading_alert(jsonb) to service_role;

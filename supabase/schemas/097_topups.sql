/*
  Automatic top-up: buy a pack off-session when a debit leaves the balance
  below the user's threshold.

  - A user saves a card while buying (Stripe Checkout with a Customer and
    setup_future_usage = off_session, or the local test checkout's test card):
    saved_cards keeps only Stripe's ids and the card's brand and last 4.
  - topup_settings: on/off, the pack, the threshold (credits), the monthly
    limit (minor units of the pack's currency) and the run of failures.
  - A debit (a ledger row with a negative delta, except refunds and disputes:
    taking back a payment must not charge the card again) runs
    private.consider_topup under the wallet row lock the ledger trigger took:
    when top-up is on, the balance is below the threshold, no attempt of that
    user is in flight (a partial unique index says so too) and this month's
    top-ups plus this pack stay within the limit, it records one
    topup_attempts row, in the debit's transaction. Concurrent debits wait for
    each other on the wallet row, so they record exactly one.
  - The worker (lib/topups) claims pending attempts with a lease (skip locked)
    and creates the off-session PaymentIntent with the idempotency key
    topup_<id>, so a retried or doubly claimed charge is one charge at Stripe.
  - Credits come only from the signed payment_intent.succeeded webhook
    (webhook_action_topup_succeeded): granted once as a purchase keyed by the
    PaymentIntent, like any payment. payment_intent.payment_failed (or the
    decline the worker saw) fails the attempt once, mails the user, and after
    three failures in a row turns automatic top-up off.
  - Each result is also an outgoing webhook event (095_outgoing_webhooks.sql),
    written with it: topup.succeeded with the grant, topup.failed with the
    failure, once per attempt.
*/

/* The card a user saved for off-session charges: Stripe's ids and what the user may see of it. */
create table public.saved_cards (
  user_id                  uuid primary key references public.profiles (id) on delete cascade,
  stripe_customer_id       text not null check (length(stripe_customer_id) between 1 and 255),
  -- null until the worker has read it from the payment that saved the card
  stripe_payment_method_id text check (length(stripe_payment_method_id) between 1 and 255),
  brand                    text check (length(brand) between 1 and 40),
  last4                    text check (last4 ~ '^[0-9]{4}$'),
  -- saved by the local test checkout: nothing real can be charged
  is_test                  boolean not null default false,
  -- the payment that saved it (its payment method and card details are read from it)
  source_payment_intent    text,
  created_at               timestamptz not null default now(),
  updated_at               timestamptz not null default now()
);
comment on table public.saved_cards is
  'The card a user saved for automatic top-ups: Stripe customer and payment method ids, brand and last 4 only (is_test: the local test checkout''s card).';
alter table public.saved_cards enable row level security;
revoke insert, update, delete, truncate on public.saved_cards from anon, authenticated;
grant select on public.saved_cards to authenticated;
grant all on public.saved_cards to service_role;

/* A user sees their own card; admins see all. */
create policy saved_cards_read_own on public.saved_cards for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/* Per-user automatic top-up settings and its run of failures. */
create table public.topup_settings (
  user_id              uuid primary key references public.profiles (id) on delete cascade,
  enabled              boolean not null default false,
  package_id           text not null references public.credit_packages (id),
  threshold            bigint not null check (threshold >= 1),
  monthly_limit_minor  bigint not null check (monthly_limit_minor >= 1),
  consecutive_failures bigint not null default 0 check (consecutive_failures >= 0),
  last_failure_at      timestamptz,
  last_failure_reason  text,
  -- why it is off when it turned itself off (failures, card removed); cleared when turned on
  disabled_reason      text,
  -- local test checkout only: the next top-up's simulated charge is declined
  test_decline_next    boolean not null default false,
  updated_at           timestamptz not null default now()
);
comment on table public.topup_settings is
  'Automatic top-up per user: on/off, pack, threshold (credits), monthly limit (minor units of the pack''s currency), failures in a row.';
alter table public.topup_settings enable row level security;
revoke insert, update, delete, truncate on public.topup_settings from anon, authenticated;
grant select on public.topup_settings to authenticated;
grant all on public.topup_settings to service_role;

/* A user sees their own settings; admins see all. */
create policy topup_settings_read_own on public.topup_settings for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/*
  One automatic purchase. status: pending (recorded by a debit) → charging
  (claimed by a worker: lease until next_try_at) → processing (PaymentIntent
  created, waiting for its webhook) → succeeded | failed. A charging attempt
  whose lease ran out is claimed again and charged with the same idempotency
  key. At most one attempt per user is in flight (pending, charging,
  processing).
*/
create table public.topup_attempts (
  id                uuid primary key default gen_random_uuid(),
  user_id           uuid not null references public.profiles (id) on delete cascade,
  package_id        text not null references public.credit_packages (id),
  credits           bigint not null check (credits > 0),
  amount_minor      bigint not null check (amount_minor >= 0),
  currency          text not null check (currency ~ '^[a-z]{3}$'),
  status            text not null default 'pending'
                      check (status in ('pending', 'charging', 'processing', 'succeeded', 'failed')),
  balance_before    bigint not null,
  threshold         bigint not null,
  payment_intent_id text unique,
  purchase_id       uuid references public.purchases (id) on delete set null,
  -- charges tried (claims); a charge that keeps erroring (not a decline) fails after the last
  tries             bigint not null default 0 check (tries >= 0),
  -- when a worker may claim it: now for a new attempt, the end of the lease while charging
  next_try_at       timestamptz not null default now(),
  last_error        text,
  failure_code      text,
  failure_reason    text,
  -- test card only: decided at the first claim (the "decline next top-up" switch)
  test_outcome      text check (test_outcome in ('succeed', 'decline')),
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  finished_at       timestamptz
);
create unique index topup_attempts_one_in_flight on public.topup_attempts (user_id)
  where status in ('pending', 'charging', 'processing');
create index topup_attempts_user_idx on public.topup_attempts (user_id, created_at desc, id desc);
create index topup_attempts_due_idx on public.topup_attempts (next_try_at) where status in ('pending', 'charging');
comment on table public.topup_attempts is
  'Automatic top-ups: recorded by a debit under the wallet lock, charged off-session by a leased worker (idempotency key topup_<id>), settled by the PaymentIntent webhook.';
alter table public.topup_attempts enable row level security;
revoke insert, update, delete, truncate on public.topup_attempts from anon, authenticated;
grant select on public.topup_attempts to authenticated;
grant all on public.topup_attempts to service_role;

/* A user sees their own top-ups; admins see all. */
create policy topup_attempts_read_own on public.topup_attempts for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/* Failures in a row after which automatic top-up turns itself off. */
create function private.topup_max_failures()
returns integer
language sql
immutable
set search_path = ''
as $$ select 3 $$;
comment on function private.topup_max_failures() is
  'Failures in a row after which automatic top-up turns itself off (3).';
revoke execute on function private.topup_max_failures() from public, anon, authenticated;

/* Minor units as a mail reads them: 12.50 USD (zero- and three-decimal currencies honoured). */
create function private.format_minor(p_amount bigint, p_currency text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when lower(p_currency) in ('bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd',
                                'vuv', 'xaf', 'xof', 'xpf', 'isk')
      then p_amount::text
    when lower(p_currency) in ('bhd', 'jod', 'kwd', 'omr', 'tnd')
      then to_char(p_amount / 1000.0, 'FM999999999990.000')
    else to_char(p_amount / 100.0, 'FM999999999990.00')
  end || ' ' || upper(p_currency)
$$;
comment on function private.format_minor(bigint, text) is 'An amount in minor units as text for mails: "12.50 USD".';
revoke execute on function private.format_minor(bigint, text) from public, anon, authenticated;

/* This month's (UTC) automatic top-ups of a user in a currency that count against the limit: all but failed ones. */
create function private.topup_month_spent(p_user_id uuid, p_currency text)
returns bigint
language sql
stable
set search_path = ''
as $$
  select coalesce(sum(a.amount_minor), 0)::bigint
    from public.topup_attempts a
   where a.user_id = p_user_id
     and a.currency = lower(p_currency)
     and a.status <> 'failed'
     and a.created_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'
$$;
comment on function private.topup_month_spent(uuid, text) is
  'Sum of this calendar month''s (UTC) automatic top-ups of the user in that currency, failed ones excluded.';
revoke execute on function private.topup_month_spent(uuid, text) from public, anon, authenticated;

/*
  consider_topup: called after a debit moved the wallet (the wallet row is
  locked by this transaction, so concurrent debits of one user run this one at
  a time and each sees the attempt the previous one recorded). Records one
  pending attempt when top-up is on, the balance is below the threshold, none
  is in flight and the month's limit allows the pack. Returns the attempt id
  or null.
*/
create function private.consider_topup(p_user_id uuid, p_balance bigint)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_s    public.topup_settings%rowtype;
  v_pack public.credit_packages%rowtype;
  v_id   uuid;
begin
  select * into v_s from public.topup_settings where user_id = p_user_id and enabled;
  if not found or p_balance >= v_s.threshold then
    return null;
  end if;
  if not exists (select 1 from public.saved_cards where user_id = p_user_id) then
    return null;
  end if;
  if exists (select 1 from public.topup_attempts
              where user_id = p_user_id and status in ('pending', 'charging', 'processing')) then
    return null;
  end if;
  select * into v_pack from public.credit_packages where id = v_s.package_id and active;
  if not found then
    return null;
  end if;
  if private.topup_month_spent(p_user_id, v_pack.currency) + v_pack.amount_minor > v_s.monthly_limit_minor then
    return null;
  end if;
  insert into public.topup_attempts (user_id, package_id, credits, amount_minor, currency, balance_before, threshold)
  values (p_user_id, v_pack.id, v_pack.credits, v_pack.amount_minor, v_pack.currency, p_balance, v_s.threshold)
  on conflict (user_id) where status in ('pending', 'charging', 'processing') do nothing
  returning id into v_id;
  return v_id;
end
$$;
comment on function private.consider_topup(uuid, bigint) is
  'After a debit, under the wallet lock: records one pending top-up attempt when top-up is on, the balance is below the threshold, none is in flight and the monthly limit allows it.';
revoke execute on function private.consider_topup(uuid, bigint) from public, anon, authenticated;

/*
  The trigger: after the ledger row has moved the wallet (credit_ledger_to_wallet
  fires first: same-event triggers fire in name order, and this name sorts
  after it), a debit other than a refund or dispute may record a top-up.
*/
create function public.credit_ledger_consider_topup() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_balance bigint;
begin
  if not exists (select 1 from public.topup_settings where user_id = new.user_id and enabled) then
    return null;
  end if;
  select balance into v_balance from public.wallets where user_id = new.user_id for update;
  perform private.consider_topup(new.user_id, v_balance);
  return null;
end
$$;
comment on function public.credit_ledger_consider_topup() is
  'Trigger after a debit (not a refund or dispute): may record an automatic top-up attempt (private.consider_topup) under the wallet lock.';
revoke execute on function public.credit_ledger_consider_topup() from public, anon, authenticated;
grant execute on function public.credit_ledger_consider_topup() to service_role;
create trigger credit_ledger_to_wallet_then_topup
  after insert on public.credit_ledger
  for each row when (new.delta < 0 and new.kind not in ('refund', 'dispute'))
  execute function public.credit_ledger_consider_topup();

/*
  save_card: keeps the card a payment saved (upsert per user: the newest card
  wins). A real card comes with its customer and, when the event carries it,
  its payment method; brand and last 4 are read by the worker later
  (topup_card_details). A test card has its details at once.
*/
create function public.save_card(
  p_user_id           uuid,
  p_customer_id       text,
  p_payment_method_id text default null,
  p_payment_intent_id text default null,
  p_is_test           boolean default false
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_user_id is null or not exists (select 1 from public.profiles where id = p_user_id) then
    raise exception 'unknown user' using errcode = 'P0002';
  end if;
  if coalesce(trim(p_customer_id), '') = '' then
    raise exception 'customer id is required' using errcode = '22023';
  end if;
  insert into public.saved_cards as c (user_id, stripe_customer_id, stripe_payment_method_id, brand, last4, is_test,
      source_payment_intent)
  values (p_user_id, p_customer_id, nullif(p_payment_method_id, ''),
      case when p_is_test then 'test' end, case when p_is_test then '4242' end, coalesce(p_is_test, false),
      p_payment_intent_id)
  on conflict (user_id) do update
     set stripe_customer_id = excluded.stripe_customer_id,
         -- the same payment seen again (checkout.session.completed, then payment_intent.succeeded) keeps what it knew
         stripe_payment_method_id = case
           when c.source_payment_intent is not distinct from excluded.source_payment_intent
             then coalesce(excluded.stripe_payment_method_id, c.stripe_payment_method_id)
           else excluded.stripe_payment_method_id end,
         brand = case when c.source_payment_intent is not distinct from excluded.source_payment_intent
                      then coalesce(c.brand, excluded.brand) else excluded.brand end,
         last4 = case when c.source_payment_intent is not distinct from excluded.source_payment_intent
                      then coalesce(c.last4, excluded.last4) else excluded.last4 end,
         is_test = excluded.is_test,
         source_payment_intent = excluded.source_payment_intent,
         updated_at = now();
  return jsonb_build_object('saved', true, 'user_id', p_user_id, 'test', coalesce(p_is_test, false));
end
$$;
comment on function public.save_card(uuid, text, text, text, boolean) is
  'Keeps the card a payment saved for automatic top-ups (one per user, the newest wins); a test card is saved with its details.';
revoke execute on function public.save_card(uuid, text, text, text, boolean) from public, anon, authenticated;
grant execute on function public.save_card(uuid, text, text, text, boolean) to service_role;

/* Saved real cards whose payment method or brand/last 4 the worker still has to read from Stripe. */
create function public.topup_cards_missing_details(p_limit integer default 20)
returns table (user_id uuid, stripe_customer_id text, source_payment_intent text)
language sql
stable
security definer
set search_path = ''
as $$
  select c.user_id, c.stripe_customer_id, c.source_payment_intent
    from public.saved_cards c
   where not c.is_test and c.source_payment_intent is not null
     and (c.stripe_payment_method_id is null or c.brand is null or c.last4 is null)
   order by c.updated_at
   limit least(greatest(coalesce(p_limit, 20), 1), 100)
$$;
comment on function public.topup_cards_missing_details(integer) is
  'Saved cards (not test cards) still lacking their payment method id or brand/last 4, oldest first.';
revoke execute on function public.topup_cards_missing_details(integer) from public, anon, authenticated;
grant execute on function public.topup_cards_missing_details(integer) to service_role;

/* The card details read from Stripe; only for the payment that saved the current card. */
create function public.topup_card_details(
  p_user_id           uuid,
  p_payment_intent_id text,
  p_payment_method_id text,
  p_brand             text,
  p_last4             text
) returns boolean
language sql
security definer
set search_path = ''
as $$
  with changed as (
    update public.saved_cards
       set stripe_payment_method_id = coalesce(nullif(p_payment_method_id, ''), stripe_payment_method_id),
           brand = coalesce(left(nullif(p_brand, ''), 40), brand),
           last4 = case when p_last4 ~ '^[0-9]{4}$' then p_last4 else last4 end,
           updated_at = now()
     where user_id = p_user_id and source_payment_intent = p_payment_intent_id and not is_test
    returning 1
  )
  select exists (select 1 from changed)
$$;
comment on function public.topup_card_details(uuid, text, text, text, text) is
  'Stores the payment method id, brand and last 4 read from the payment that saved the user''s card; false when the card changed meanwhile.';
revoke execute on function public.topup_card_details(uuid, text, text, text, text) from public, anon, authenticated;
grant execute on function public.topup_card_details(uuid, text, text, text, text) to service_role;

/* The Stripe Customer of the user's saved card (not a test card's): a new checkout that saves a card reuses it. */
create function public.get_saved_stripe_customer(p_user_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select c.stripe_customer_id from public.saved_cards c where c.user_id = p_user_id and not c.is_test
$$;
comment on function public.get_saved_stripe_customer(uuid) is
  'The Stripe Customer id of the user''s saved (real) card, or null: Checkout reuses it when saving a card again.';
revoke execute on function public.get_saved_stripe_customer(uuid) from public, anon, authenticated;
grant execute on function public.get_saved_stripe_customer(uuid) to service_role;

/* remove_saved_card: forgets the card and turns automatic top-up off (nothing can be charged without it). */
create function public.remove_saved_card(p_user_id uuid)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_removed boolean;
begin
  delete from public.saved_cards where user_id = p_user_id;
  v_removed := found;
  update public.topup_settings
     set enabled = false,
         disabled_reason = case when enabled then 'the saved card was removed' else disabled_reason end,
         updated_at = now()
   where user_id = p_user_id;
  -- an attempt not yet sent to Stripe has no card to charge any more
  update public.topup_attempts
     set status = 'failed', failure_reason = 'the saved card was removed', finished_at = now(), updated_at = now()
   where user_id = p_user_id and status = 'pending';
  return v_removed;
end
$$;
comment on function public.remove_saved_card(uuid) is
  'Forgets the user''s saved card, turns automatic top-up off and drops a top-up not yet charged. True when a card was removed.';
revoke execute on function public.remove_saved_card(uuid) from public, anon, authenticated;
grant execute on function public.remove_saved_card(uuid) to service_role;

/*
  set_topup_settings: the user's form. Turning it on needs a saved card, an
  active pack and a monthly limit of at least one pack; it clears the run of
  failures. Bad input raises 22023 with the reason and changes nothing.
*/
create function public.set_topup_settings(
  p_user_id             uuid,
  p_enabled             boolean,
  p_package_id          text,
  p_threshold           bigint,
  p_monthly_limit_minor bigint
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_pack public.credit_packages%rowtype;
begin
  if p_user_id is null or not exists (select 1 from public.profiles where id = p_user_id) then
    raise exception 'unknown user' using errcode = 'P0002';
  end if;
  select * into v_pack from public.credit_packages where id = p_package_id and active;
  if not found then
    raise exception 'choose a pack that is on sale' using errcode = '22023';
  end if;
  if p_threshold is null or p_threshold < 1 or p_threshold > 1000000000000 then
    raise exception 'the threshold must be a whole number of credits from 1' using errcode = '22023';
  end if;
  if p_monthly_limit_minor is null or p_monthly_limit_minor < v_pack.amount_minor
     or p_monthly_limit_minor < 1 or p_monthly_limit_minor > 100000000000 then
    raise exception 'the monthly limit must be at least the price of one pack (%)',
      private.format_minor(v_pack.amount_minor, v_pack.currency) using errcode = '22023';
  end if;
  if coalesce(p_enabled, false) and not exists (select 1 from public.saved_cards where user_id = p_user_id) then
    raise exception 'save a card first: buy a pack with "Save this card for automatic top-ups"' using errcode = '22023';
  end if;
  insert into public.topup_settings as s (user_id, enabled, package_id, threshold, monthly_limit_minor)
  values (p_user_id, coalesce(p_enabled, false), v_pack.id, p_threshold, p_monthly_limit_minor)
  on conflict (user_id) do update
     set enabled = excluded.enabled,
         package_id = excluded.package_id,
         threshold = excluded.threshold,
         monthly_limit_minor = excluded.monthly_limit_minor,
         consecutive_failures = case when excluded.enabled and not s.enabled then 0 else s.consecutive_failures end,
         disabled_reason = case when excluded.enabled then null else s.disabled_reason end,
         updated_at = now();
  return public.get_topup_status(p_user_id);
end
$$;
comment on function public.set_topup_settings(uuid, boolean, text, bigint, bigint) is
  'Saves a user''s automatic top-up settings (on needs a saved card; limit ≥ one pack; turning on clears the failures). Returns get_topup_status.';
revoke execute on function public.set_topup_settings(uuid, boolean, text, bigint, bigint) from public, anon, authenticated;
grant execute on function public.set_topup_settings(uuid, boolean, text, bigint, bigint) to service_role;

/* turn_off_topup: one click, whatever the pack's state; the pack, threshold and limit stay for next time. */
create function public.turn_off_topup(p_user_id uuid)
returns boolean
language sql
security definer
set search_path = ''
as $$
  with changed as (
    update public.topup_settings set enabled = false, updated_at = now()
     where user_id = p_user_id and enabled
    returning 1
  )
  select exists (select 1 from changed)
$$;
comment on function public.turn_off_topup(uuid) is
  'Turns the user''s automatic top-up off (settings kept). True when it was on.';
revoke execute on function public.turn_off_topup(uuid) from public, anon, authenticated;
grant execute on function public.turn_off_topup(uuid) to service_role;

/* The "decline next top-up" switch of the local test checkout (the app allows it in test mode only, test cards only). */
create function public.set_topup_test_decline(p_user_id uuid, p_decline boolean)
returns boolean
language sql
security definer
set search_path = ''
as $$
  with changed as (
    update public.topup_settings s
       set test_decline_next = coalesce(p_decline, false), updated_at = now()
     where s.user_id = p_user_id
       and exists (select 1 from public.saved_cards c where c.user_id = p_user_id and c.is_test)
    returning 1
  )
  select exists (select 1 from changed)
$$;
comment on function public.set_topup_test_decline(uuid, boolean) is
  'Test mode: makes the next simulated top-up charge of a test card decline (or not). False when the user has no test card or no settings.';
revoke execute on function public.set_topup_test_decline(uuid, boolean) from public, anon, authenticated;
grant execute on function public.set_topup_test_decline(uuid, boolean) to service_role;

/*
  get_topup_status: what the settings page and the wallet show: the settings
  (null before the first save), the card, this month's top-ups against the
  limit, the last failure and the latest attempts.
*/
create function public.get_topup_status(p_user_id uuid, p_attempts integer default 10)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'settings', (select jsonb_build_object('enabled', s.enabled, 'package_id', s.package_id, 'threshold', s.threshold,
                   'monthly_limit_minor', s.monthly_limit_minor, 'consecutive_failures', s.consecutive_failures,
                   'last_failure_at', s.last_failure_at, 'last_failure_reason', s.last_failure_reason,
                   'disabled_reason', s.disabled_reason, 'test_decline_next', s.test_decline_next,
                   'currency', p.currency, 'package_name', p.name, 'package_credits', p.credits,
                   'package_amount_minor', p.amount_minor,
                   'month_spent_minor', private.topup_month_spent(s.user_id, p.currency),
                   'month_count', (select count(*) from public.topup_attempts a
                                    where a.user_id = s.user_id and a.status <> 'failed'
                                      and a.created_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'))
                   from public.topup_settings s join public.credit_packages p on p.id = s.package_id
                  where s.user_id = p_user_id),
    'card', (select jsonb_build_object('brand', c.brand, 'last4', c.last4, 'test', c.is_test,
               'ready', c.is_test or c.stripe_payment_method_id is not null, 'saved_at', c.created_at)
               from public.saved_cards c where c.user_id = p_user_id),
    'attempts', coalesce((select jsonb_agg(jsonb_build_object('id', a.id, 'status', a.status, 'package_id', a.package_id,
                   'credits', a.credits, 'amount_minor', a.amount_minor, 'currency', a.currency,
                   'balance_before', a.balance_before, 'threshold', a.threshold,
                   'payment_intent_id', a.payment_intent_id, 'failure_reason', a.failure_reason,
                   'tries', a.tries, 'created_at', a.created_at, 'finished_at', a.finished_at)
                   order by a.created_at desc, a.id desc)
                   from (select * from public.topup_attempts where user_id = p_user_id
                          order by created_at desc, id desc
                          limit least(greatest(coalesce(p_attempts, 10), 1), 100)) a), '[]'::jsonb))
$$;
comment on function public.get_topup_status(uuid, integer) is
  'A user''s automatic top-up: {settings (with this month''s total), card, attempts (newest first)}.';
revoke execute on function public.get_topup_status(uuid, integer) from public, anon, authenticated;
grant execute on function public.get_topup_status(uuid, integer) to service_role;

/*
  claim_topup_attempts: due attempts for this worker (pending, or charging
  with an expired lease), each moved to charging with tries + 1 and a lease;
  skip locked, so concurrent workers never hold one attempt at once. Each
  comes with what the charge needs: the card, and for a test card the
  simulated outcome (decided once, at the first claim, from the "decline
  next" switch, which it consumes).
*/
create function public.claim_topup_attempts(p_limit integer default 10, p_lease_seconds integer default 60)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_a       record;
  v_outcome text;
  v_claimed jsonb := '[]'::jsonb;
begin
  for v_a in
    select a.id, a.user_id, a.test_outcome from public.topup_attempts a
     where a.status in ('pending', 'charging') and a.next_try_at <= now()
     order by a.next_try_at, a.id
     limit least(greatest(coalesce(p_limit, 10), 1), 100)
     for update skip locked
  loop
    v_outcome := v_a.test_outcome;
    if v_outcome is null and exists (select 1 from public.saved_cards where user_id = v_a.user_id and is_test) then
      update public.topup_settings set test_decline_next = false
       where user_id = v_a.user_id and test_decline_next;
      v_outcome := case when found then 'decline' else 'succeed' end;
    end if;
    update public.topup_attempts
       set status = 'charging', tries = tries + 1, test_outcome = v_outcome,
           next_try_at = now() + make_interval(secs => greatest(coalesce(p_lease_seconds, 60), 1)),
           updated_at = now()
     where id = v_a.id;
    v_claimed := v_claimed || (
      select jsonb_build_object('id', a.id, 'user_id', a.user_id, 'package_id', a.package_id, 'credits', a.credits,
               'amount_minor', a.amount_minor, 'currency', a.currency, 'tries', a.tries,
               'test_outcome', a.test_outcome, 'email', p.email, 'package_name', k.name,
               'customer_id', c.stripe_customer_id, 'payment_method_id', c.stripe_payment_method_id,
               'test_card', coalesce(c.is_test, false), 'has_card', c.user_id is not null)
        from public.topup_attempts a
        join public.profiles p on p.id = a.user_id
        join public.credit_packages k on k.id = a.package_id
        left join public.saved_cards c on c.user_id = a.user_id
       where a.id = v_a.id);
  end loop;
  return v_claimed;
end
$$;
comment on function public.claim_topup_attempts(integer, integer) is
  'Claims due top-up attempts (pending, or charging past its lease) for charging: tries + 1, a lease, skip locked; returns what the charge needs.';
revoke execute on function public.claim_topup_attempts(integer, integer) from public, anon, authenticated;
grant execute on function public.claim_topup_attempts(integer, integer) to service_role;

/* The PaymentIntent exists: the attempt waits for its webhook (unless the webhook settled it already). */
create function public.topup_charge_created(p_id uuid, p_payment_intent_id text)
returns text
language sql
security definer
set search_path = ''
as $$
  update public.topup_attempts
     set status = case when status = 'charging' then 'processing' else status end,
         payment_intent_id = coalesce(payment_intent_id, p_payment_intent_id),
         updated_at = now()
   where id = p_id
  returning status
$$;
comment on function public.topup_charge_created(uuid, text) is
  'Records the PaymentIntent of a charging top-up (→ processing); an attempt the webhook already settled keeps its status. Returns the status.';
revoke execute on function public.topup_charge_created(uuid, text) from public, anon, authenticated;
grant execute on function public.topup_charge_created(uuid, text) to service_role;

/*
  fail_topup_attempt: the charge was declined, needs authentication, or could
  not be made. Only the first report of an attempt in flight counts (the
  worker and the webhook may both report one decline): the attempt fails, the
  run of failures grows, the user is mailed a link to pay on-session, and the
  third failure in a row turns automatic top-up off (the mail says so).
  Returns {outcome: failed|duplicate|unknown, failures, disabled}.
*/
create function public.fail_topup_attempt(
  p_id                uuid,
  p_reason            text,
  p_code              text default null,
  p_payment_intent_id text default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_a        public.topup_attempts%rowtype;
  v_s        public.topup_settings%rowtype;
  v_email    text;
  v_pack     text;
  v_reason   text := left(coalesce(nullif(trim(p_reason), ''), 'the payment was declined'), 300);
  v_disabled boolean := false;
  v_card     text;
begin
  select * into v_a from public.topup_attempts where id = p_id for update;
  if not found then
    return jsonb_build_object('outcome', 'unknown');
  end if;
  if v_a.status not in ('pending', 'charging', 'processing') then
    return jsonb_build_object('outcome', 'duplicate', 'status', v_a.status);
  end if;
  update public.topup_attempts
     set status = 'failed', failure_reason = v_reason, failure_code = left(p_code, 100),
         payment_intent_id = coalesce(payment_intent_id, p_payment_intent_id),
         finished_at = now(), updated_at = now()
   where id = p_id;
  update public.topup_settings
     set consecutive_failures = consecutive_failures + 1,
         last_failure_at = now(),
         last_failure_reason = v_reason,
         enabled = case when consecutive_failures + 1 >= private.topup_max_failures() then false else enabled end,
         disabled_reason = case when enabled and consecutive_failures + 1 >= private.topup_max_failures()
                                then format('%s failed top-ups in a row', consecutive_failures + 1)
                                else disabled_reason end,
         updated_at = now()
   where user_id = v_a.user_id
  returning * into v_s;
  v_disabled := v_s.user_id is not null and not v_s.enabled and v_s.consecutive_failures >= private.topup_max_failures();

  select p.email into v_email from public.profiles p where p.id = v_a.user_id;
  select k.name into v_pack from public.credit_packages k where k.id = v_a.package_id;
  select case when c.is_test then 'your test card'
              when c.brand is not null then format('your %s card ending in %s', initcap(c.brand), c.last4)
              else 'your saved card' end
    into v_card from public.saved_cards c where c.user_id = v_a.user_id;
  if v_email ~ '^[^@\s]+@[^@\s]+$' then
    perform public.enqueue_email(v_email,
      case when v_disabled then 'Automatic top-up failed and is now off' else 'Automatic top-up failed' end,
      concat_ws(e'\n',
        'Hello,',
        '',
        format('Your balance fell below %s credits, so we tried to buy %s (%s credits for %s) with %s.',
               v_a.threshold, coalesce(v_pack, v_a.package_id), v_a.credits,
               private.format_minor(v_a.amount_minor, v_a.currency), coalesce(v_card, 'your saved card')),
        format('The payment did not go through: %s', v_reason),
        '',
        'You can buy credits yourself here (your bank may ask you to confirm the payment):',
        '{{app_url}}/wallet/buy',
        '',
        case when v_disabled
          then format('This was the %s failure in a row, so automatic top-up is now turned off. Once your card works again, turn it back on here:',
                      case v_s.consecutive_failures when 3 then 'third' else v_s.consecutive_failures::text || 'th' end)
          else format('We will try again the next time your balance falls below the threshold. After %s failures in a row automatic top-up turns itself off. Your settings:',
                      private.topup_max_failures()) end,
        '{{app_url}}/settings/top-up'),
      'topup_failed');
  end if;
  perform private.enqueue_outgoing_event('topup.failed',
    jsonb_build_object('user_id', v_a.user_id, 'topup_id', v_a.id, 'package_id', v_a.package_id, 'credits', v_a.credits,
      'amount_minor', v_a.amount_minor, 'currency', v_a.currency, 'reason', v_reason, 'code', left(p_code, 100),
      'payment_intent_id', coalesce(v_a.payment_intent_id, p_payment_intent_id),
      'consecutive_failures', coalesce(v_s.consecutive_failures, 0), 'disabled', v_disabled),
    'topup.failed:' || v_a.id::text);
  return jsonb_build_object('outcome', 'failed', 'user_id', v_a.user_id, 'failures', coalesce(v_s.consecutive_failures, 0),
    'disabled', v_disabled);
end
$$;
comment on function public.fail_topup_attempt(uuid, text, text, text) is
  'Fails a top-up in flight once: failures + 1, mails the user (link to pay on-session), turns top-up off after 3 in a row. {outcome: failed|duplicate|unknown, failures, disabled}.';
revoke execute on function public.fail_topup_attempt(uuid, text, text, text) from public, anon, authenticated;
grant execute on function public.fail_topup_attempt(uuid, text, text, text) to service_role;

/*
  A charge that errored without an answer from the bank (network, Stripe
  down): the attempt stays charging and is claimed again after p_retry_seconds,
  with the same idempotency key; after p_max_tries it fails like a decline.
*/
create function public.topup_charge_errored(
  p_id            uuid,
  p_error         text,
  p_retry_seconds integer default 60,
  p_max_tries     integer default 5
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_a public.topup_attempts%rowtype;
begin
  select * into v_a from public.topup_attempts where id = p_id for update;
  if not found or v_a.status <> 'charging' then
    return jsonb_build_object('outcome', 'unchanged');
  end if;
  if v_a.tries >= coalesce(p_max_tries, 5) then
    return public.fail_topup_attempt(p_id, 'the charge could not be made: ' || left(coalesce(p_error, 'unknown error'), 200),
      'charge_error', null);
  end if;
  update public.topup_attempts
     set last_error = left(coalesce(p_error, 'unknown error'), 500),
         next_try_at = now() + make_interval(secs => greatest(coalesce(p_retry_seconds, 60), 1) * v_a.tries),
         updated_at = now()
   where id = p_id;
  return jsonb_build_object('outcome', 'retry', 'tries', v_a.tries);
end
$$;
comment on function public.topup_charge_errored(uuid, text, integer, integer) is
  'A top-up charge that errored (not a decline): retried later with the same idempotency key, failed after p_max_tries.';
revoke execute on function public.topup_charge_errored(uuid, text, integer, integer) from public, anon, authenticated;
grant execute on function public.topup_charge_errored(uuid, text, integer, integer) to service_role;

/*
  Action: payment_intent.succeeded of a top-up (metadata.topup_id). Grants the
  pack once as a purchase keyed by the PaymentIntent (a redelivery is a
  duplicate), marks the attempt succeeded and clears the run of failures. A
  webhook that arrives before the attempt row is visible here still grants
  (to metadata.user_id) and records the attempt as succeeded, so a later
  sighting of the row finds it settled.
*/
create function public.webhook_action_topup_succeeded(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_id    uuid := (p_args ->> 'topup_id')::uuid;
  v_a     public.topup_attempts%rowtype;
  v_grant jsonb;
  v_user  uuid;
  v_pack  text;
begin
  select * into v_a from public.topup_attempts where id = v_id for update;
  v_user := coalesce(v_a.user_id, (p_args ->> 'user_id')::uuid);
  v_pack := coalesce(v_a.package_id, p_args ->> 'package_id');
  if v_user is null then
    raise exception 'top-up % names no user', v_id using errcode = '22023';
  end if;
  v_grant := public.grant_credits_for_purchase('stripe', p_args ->> 'external_id', v_user, null, null,
    (p_args ->> 'amount_minor')::bigint, p_args ->> 'currency', v_pack, p_args ->> 'event_id');
  if v_a.id is null then
    insert into public.topup_attempts (id, user_id, package_id, credits, amount_minor, currency, status, balance_before,
        threshold, payment_intent_id, purchase_id, finished_at)
    select v_id, v_user, k.id, (v_grant ->> 'credits')::bigint, (p_args ->> 'amount_minor')::bigint,
           lower(p_args ->> 'currency'), 'succeeded', coalesce((v_grant ->> 'balance')::bigint, 0), 0,
           p_args ->> 'external_id', (v_grant ->> 'purchase_id')::uuid, now()
      from public.credit_packages k where k.id = v_pack
    on conflict (id) do nothing;
  elsif v_a.status <> 'succeeded' then
    update public.topup_attempts
       set status = 'succeeded', payment_intent_id = coalesce(payment_intent_id, p_args ->> 'external_id'),
           purchase_id = (v_grant ->> 'purchase_id')::uuid, failure_reason = null, finished_at = now(), updated_at = now()
     where id = v_id;
  end if;
  if v_grant ->> 'outcome' = 'granted' then
    perform private.enqueue_outgoing_event('topup.succeeded',
      jsonb_build_object('user_id', v_user, 'topup_id', v_id, 'package_id', v_pack,
        'credits', (v_grant ->> 'credits')::bigint, 'amount_minor', (p_args ->> 'amount_minor')::bigint,
        'currency', lower(p_args ->> 'currency'), 'payment_intent_id', p_args ->> 'external_id',
        'purchase_id', (v_grant ->> 'purchase_id')::uuid, 'balance', (v_grant ->> 'balance')::bigint),
      'topup.succeeded:' || v_id::text);
    -- the lot the grant made is a top-up's: the wallet and the admin page say where the credits came from
    update public.credit_lots set source = 'auto_topup'
     where purchase_id = (v_grant ->> 'purchase_id')::uuid and source = 'purchase';
    update public.topup_settings
       set consecutive_failures = 0, updated_at = now()
     where user_id = v_user and consecutive_failures > 0;
  end if;
  return jsonb_build_object('status', 'processed', 'result', v_grant, 'outcome',
    case v_grant ->> 'outcome'
      when 'granted' then format('automatic top-up %s: granted %s credits (balance %s)%s', v_id, v_grant ->> 'credits',
                                 v_grant ->> 'balance', case when v_a.id is null then '; attempt not seen before' else '' end)
      else format('automatic top-up %s: payment %s already granted', v_id, p_args ->> 'external_id') end);
end
$$;
comment on function public.webhook_action_topup_succeeded(jsonb) is
  'Action: payment_intent.succeeded of an automatic top-up: grants the pack once (purchase keyed by the PaymentIntent), marks the attempt succeeded, clears the failures.';
revoke execute on function public.webhook_action_topup_succeeded(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_topup_succeeded(jsonb) to service_role;

/* Action: payment_intent.payment_failed of an automatic top-up: fail_topup_attempt (once per attempt). */
create function public.webhook_action_topup_failed(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v jsonb;
begin
  v := public.fail_topup_attempt((p_args ->> 'topup_id')::uuid, p_args ->> 'reason', p_args ->> 'code',
    p_args ->> 'external_id');
  if v ->> 'outcome' = 'unknown' then
    -- the attempt is not visible yet (or never was ours): kept failed, the sweep retries
    raise exception 'top-up % not found', p_args ->> 'topup_id' using errcode = 'P0002';
  end if;
  return jsonb_build_object('status', case when v ->> 'outcome' = 'failed' then 'processed' else 'ignored' end,
    'result', v, 'outcome',
    case when v ->> 'outcome' = 'failed'
      then format('automatic top-up %s failed (%s in a row%s): %s', p_args ->> 'topup_id', v ->> 'failures',
                  case when (v ->> 'disabled')::boolean then ', now off' else '' end, p_args ->> 'reason')
      else format('automatic top-up %s already settled', p_args ->> 'topup_id') end);
end
$$;
comment on function public.webhook_action_topup_failed(jsonb) is
  'Action: payment_intent.payment_failed of an automatic top-up: fails the attempt once (mail, 3 in a row turn it off).';
revoke execute on function public.webhook_action_topup_failed(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_topup_failed(jsonb) to service_role;

/*
  Action: a paid checkout whose buyer ticked "Save this card for automatic
  top-ups": grants exactly as webhook_action_grant does, then keeps the card
  (customer, and the payment method when the event names it) for the buyer.
*/
create function public.webhook_action_grant_save_card(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v      jsonb;
  v_user uuid;
begin
  v := public.webhook_action_grant(p_args);
  v_user := (v -> 'result' ->> 'user_id')::uuid;
  if v_user is null then
    return v || jsonb_build_object('outcome', (v ->> 'outcome') || '; card not saved (no account yet)');
  end if;
  perform public.save_card(v_user, p_args ->> 'customer_id', p_args ->> 'payment_method_id', p_args ->> 'external_id',
    coalesce((p_args ->> 'test_card')::boolean, false));
  return v || jsonb_build_object('outcome', (v ->> 'outcome') || '; card saved for automatic top-ups');
end
$$;
comment on function public.webhook_action_grant_save_card(jsonb) is
  'Action: webhook_action_grant, then save_card for the buyer (the checkout asked to save the card for automatic top-ups).';
revoke execute on function public.webhook_action_grant_save_card(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_grant_save_card(jsonb) to service_role;

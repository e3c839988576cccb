/*
  Monthly credit plans: subscriptions that grant a fixed number of credits per
  paid billing period.

  Plans are a sibling of credit_packages, not a kind of pack: a pack is bought
  once through any provider, a plan only through Stripe Billing, and the packs
  on sale stay exactly the packs (home page, Paystack, crypto invoices).

  How credits flow: Stripe sends invoice.paid once per paid invoice; the plan
  (found by the invoice's largest line's Price id, else by the plan_id we put
  in the subscription's metadata at checkout) says how many credits a period
  buys, and what the invoice paid decides how much of that it grants (a full
  period, a proration's share, or nothing for $0).
  The purchase's external id is the invoice id, so each invoice grants at most
  once however often Stripe redelivers, and in whatever order
  customer.subscription.* and invoice.* arrive. A failed renewal
  (invoice.payment_failed) grants nothing and marks the subscription past due
  until that invoice is paid.
*/

/* The monthly plans (the first ones are seeded by a migration, like the packs). */
create table public.credit_plans (
  id                 text primary key check (id ~ '^[a-z0-9_-]{1,64}$'),
  name               text not null check (length(name) between 1 and 100),
  description        text not null default '',
  credits_per_period bigint not null check (credits_per_period > 0),
  amount_minor       bigint not null check (amount_minor > 0),
  currency           text not null check (currency ~ '^[a-z]{3}$'),
  billing_interval   text not null default 'month' check (billing_interval in ('month')),
  -- the recurring Price in the Stripe account (price_…); without one, checkout sends price_data
  stripe_price_id    text unique,
  active             boolean not null default true,
  sort_order         integer not null default 0,
  created_at         timestamptz not null default now(),
  -- a period's credits last this many extra periods after the period they were paid for (0: they end with it)
  rollover_periods   integer not null default 0 check (rollover_periods between 0 and 120)
);
comment on table public.credit_plans is
  'Monthly plans: credits_per_period granted for each paid Stripe invoice; inactive plans keep renewing for existing subscribers but are not sold.';
alter table public.credit_plans enable row level security;
revoke insert, update, delete, truncate on public.credit_plans from anon, authenticated;
grant select on public.credit_plans to anon, authenticated;
grant all on public.credit_plans to service_role;

/* Anyone may see the plans on sale (like the packs); admins see all. */
create policy credit_plans_read_active on public.credit_plans for select to anon, authenticated
  using (active or public.is_admin());

/*
  Stripe subscriptions that grant periodic credits; the newest event wins. The
  plan, the latest paid invoice, and a failed renewal (invoice id and reason)
  while the subscription is past due are what the wallet and the admin show.
*/
create table public.subscriptions (
  id                   uuid primary key default gen_random_uuid(),
  provider             text not null default 'stripe',
  external_id          text not null,
  user_id              uuid references public.profiles (id) on delete set null,
  email                text,
  customer_id          text,
  status               text not null,
  package_id           text,
  credits_per_period   bigint,
  current_period_end   timestamptz,
  cancel_at_period_end boolean not null default false,
  last_event_at        timestamptz not null,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now(),
  plan_id              text references public.credit_plans (id),
  latest_invoice_id    text,
  failed_invoice_id    text,
  last_payment_error   text,
  unique (provider, external_id)
);
create index subscriptions_user_idx on public.subscriptions (user_id);
-- the subscriptions a confirmation links (private.settle_confirmed_email)
create index subscriptions_unlinked_email_idx
  on public.subscriptions (email) where user_id is null and email is not null;
comment on table public.subscriptions is 'Subscription state per provider id; last_event_at keeps a late older event from overwriting a newer one.';
alter table public.subscriptions enable row level security;
revoke insert, update, delete, truncate on public.subscriptions from anon, authenticated;
grant select on public.subscriptions to authenticated;
grant all on public.subscriptions to service_role;

/* A user sees their own subscriptions; admins see all. */
create policy subscriptions_read_own on public.subscriptions for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/* The plan an invoice or subscription is for: its Price id wins (a portal plan switch changes it), else our metadata. */
create function private.stripe_plan_for(p_price_ids jsonb, p_plan_id text)
returns setof public.credit_plans
language sql
stable
set search_path = ''
as $$
  select c.* from public.credit_plans c
   where c.stripe_price_id in (select jsonb_array_elements_text(coalesce(p_price_ids, '[]'::jsonb)))
      or c.id = p_plan_id
   order by (c.stripe_price_id in (select jsonb_array_elements_text(coalesce(p_price_ids, '[]'::jsonb)))) desc nulls last
   limit 1
$$;
comment on function private.stripe_plan_for(jsonb, text) is
  'The credit plan matching one of these Stripe Price ids, else the plan with this id; empty when neither.';
revoke execute on function private.stripe_plan_for(jsonb, text) from public, anon, authenticated;

/*
  The plan an invoice is for: its largest positive line whose Price is a plan
  (ties: the plan id), else private.stripe_plan_for over the lines that are
  not credits (amount > 0, or unknown in older payloads) and our metadata.
*/
create function private.stripe_invoice_plan(p_lines jsonb, p_price_ids jsonb, p_plan_id text)
returns setof public.credit_plans
language sql
stable
set search_path = ''
as $$
  with lines as (
    select l ->> 'price' as price, (l ->> 'amount')::bigint as amount
      from jsonb_array_elements(coalesce(p_lines, '[]'::jsonb)) l
  ), largest as (
    select c.* from lines l join public.credit_plans c on c.stripe_price_id = l.price
     where l.amount > 0
     order by l.amount desc, c.id
     limit 1
  )
  select * from largest
  union all
  select * from private.stripe_plan_for(
      case when jsonb_array_length(coalesce(p_lines, '[]'::jsonb)) = 0 then p_price_ids
           else (select coalesce(jsonb_agg(l.price), '[]'::jsonb) from lines l
                  where l.price is not null and coalesce(l.amount, 1) > 0) end,
      p_plan_id)
   where not exists (select 1 from largest)
  limit 1
$$;
comment on function private.stripe_invoice_plan(jsonb, jsonb, text) is
  'The credit plan an invoice pays for: its largest positive line whose Price is a plan, else a paying line''s Price or the plan id (metadata, subscription).';
revoke execute on function private.stripe_invoice_plan(jsonb, jsonb, text) from public, anon, authenticated;

/*
  upsert_subscription: subscription state from an event; a row only moves
  forward in event time, so a late older event is ignored (stale). A
  subscription named only by e-mail (made in the Dashboard: metadata.email, no
  user id) is linked only to the account that has confirmed that address;
  until there is one it has no account, and each paid invoice waits as a
  pending grant for the address (grant_credits_for_purchase's own rule). The
  confirmation links it (private.settle_confirmed_email) under the same
  per-address lock, so a confirmation and a subscription event at the same
  moment cannot miss each other.
*/
create function public.upsert_subscription(
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
revoke execute on function public.upsert_subscription(text, text, text, text, uuid, text, text, bigint, timestamptz, boolean, timestamptz) from public, anon, authenticated;
grant execute on function public.upsert_subscription(text, text, text, text, uuid, text, text, bigint, timestamptz, boolean, timestamptz) to service_role;

/*
  customer.subscription.created / updated / deleted: upsert_subscription
  (newest event wins), plus the plan. A subscription that is active again has
  no failed renewal left to show.
*/
create function public.webhook_action_subscription(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v    jsonb;
  v_plan public.credit_plans%rowtype;
begin
  v := public.upsert_subscription(p_args ->> 'provider', p_args ->> 'external_id', p_args ->> 'status',
    p_args ->> 'customer_id', (p_args ->> 'user_id')::uuid, p_args ->> 'email', p_args ->> 'package_id',
    (p_args ->> 'credits_per_period')::bigint, (p_args ->> 'current_period_end')::timestamptz,
    (p_args ->> 'cancel_at_period_end')::boolean, (p_args ->> 'event_at')::timestamptz);
  if v ->> 'outcome' = 'stale' then
    return jsonb_build_object('status', 'ignored', 'outcome',
      format('subscription %s: older than the stored state, ignored', p_args ->> 'external_id'));
  end if;
  select * into v_plan from private.stripe_plan_for(p_args -> 'price_ids', p_args ->> 'plan_id');
  update public.subscriptions s
     set plan_id = coalesce(v_plan.id, s.plan_id),
         credits_per_period = coalesce(v_plan.credits_per_period, s.credits_per_period),
         failed_invoice_id = case when s.status in ('active', 'trialing') then null else s.failed_invoice_id end,
         last_payment_error = case when s.status in ('active', 'trialing') then null else s.last_payment_error end
   where s.id = (v ->> 'id')::uuid;
  return jsonb_build_object('status', 'processed', 'result', v, 'outcome',
    format('subscription %s is %s%s%s', p_args ->> 'external_id', v ->> 'status',
           coalesce(' (plan ' || v_plan.id || ')', ''),
           case when (p_args ->> 'cancel_at_period_end')::boolean then ', cancels at period end' else '' end));
end
$$;
comment on function public.webhook_action_subscription(jsonb) is
  'Action: customer.subscription.* upsert (newest event wins) with the plan from the Price id or metadata; active again clears a failed renewal.';
revoke execute on function public.webhook_action_subscription(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_subscription(jsonb) to service_role;

/*
  invoice.paid of a subscription. Subscription credits follow money: what the
  invoice paid decides what it grants. Under the subscription's row lock:
  - the plan: that of the invoice's largest positive line whose Price is one
    of our plans, else a paying line's Price, our metadata, or the plan already
    on the subscription row (private.stripe_invoice_plan); subscriptions made
    outside our checkout may instead name a pack (a period costs the pack's
    price) or a credit count in their metadata (set by the merchant in the
    Dashboard, never by a buyer; no price to compare with);
  - an invoice that paid 0 (a trial, a 100 % coupon, a customer balance)
    grants nothing, and neither does one paid in another currency than the
    plan's: ignored, with the reason;
  - a period's invoice (billing_reason subscription_create or
    subscription_cycle; also the legacy "subscription" and none at all)
    grants credits_per_period only when it paid at least the plan's price;
  - a proration invoice (subscription_update, a mid-period plan switch)
    grants floor(credits_per_period × amount_paid / price) of the plan
    switched to, never more than one period; the purchase records what it
    paid, so a refund of it reverses in proportion exactly what it granted;
  - any other billing reason (manual, threshold, …) buys no period: ignored;
  - a grant is once per invoice (grant_credits_for_purchase, external id =
    invoice), with the invoice's payment intent / charge linked so a refund or
    dispute of this payment reverses it;
  - the credits expire at the end of the period paid for (period_end; a month
    after the event when the invoice does not say), plus the plan's
    rollover_periods months: set on the purchase (a pending grant claimed later
    keeps it) and on the lot the grant made;
  - the subscription row is kept either way: created when invoice.paid
    arrives first (Stripe does not order deliveries), the renewal date moved
    to the paid period's end, and a past-due state cleared when this is the
    invoice that had failed. An ignored invoice's subscription is real; it
    only bought no credits.
*/
create function public.webhook_action_subscription_invoice_paid(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_invoice    text := p_args ->> 'invoice_id';
  v_sub_id     text := p_args ->> 'subscription_id';
  v_at         timestamptz := (p_args ->> 'event_at')::timestamptz;
  v_period_end timestamptz := (p_args ->> 'period_end')::timestamptz;
  v_reason     text := nullif(trim(coalesce(p_args ->> 'billing_reason', '')), '');
  v_paid       bigint := (p_args ->> 'amount_minor')::bigint;
  v_currency   text := lower(p_args ->> 'currency');
  v_plan       public.credit_plans%rowtype;
  v_sub        public.subscriptions%rowtype;
  v_per        bigint;   -- credits one period buys
  v_price      bigint;   -- what one period costs (null: a credit count from metadata, no price)
  v_price_cur  text;
  v_package    text;
  v_credits    bigint;
  v_ignored    text;     -- why this invoice grants nothing
  v            jsonb;
  v_links      jsonb;
  v_expires    timestamptz;
begin
  if coalesce(v_invoice, '') = '' or coalesce(v_sub_id, '') = '' or v_at is null then
    raise exception 'invoice id, subscription id and event time are required' using errcode = '22023';
  end if;
  if v_paid is null or v_paid < 0 then
    raise exception 'amount paid must be a non-negative integer' using errcode = '22023';
  end if;
  select * into v_sub from public.subscriptions s
   where s.provider = 'stripe' and s.external_id = v_sub_id for update;
  select * into v_plan
    from private.stripe_invoice_plan(p_args -> 'lines', p_args -> 'price_ids', coalesce(p_args ->> 'plan_id', v_sub.plan_id));

  if v_plan.id is not null then
    v_per := v_plan.credits_per_period;
    v_price := v_plan.amount_minor;
    v_price_cur := v_plan.currency;
  elsif p_args ->> 'package_id' is not null then
    -- subscriptions made in the Dashboard may name a pack: a period costs the pack's price
    v_package := p_args ->> 'package_id';
    select k.credits, k.amount_minor, k.currency into v_per, v_price, v_price_cur
      from public.credit_packages k where k.id = v_package;
    if v_per is null then
      raise exception 'unknown package: %', v_package using errcode = 'P0002';
    end if;
  elsif p_args ->> 'credits' is not null then
    v_per := (p_args ->> 'credits')::bigint; -- a merchant's count in metadata: no price to compare with
  else
    raise exception 'unknown package: invoice % names no plan (price %), package or credits', v_invoice,
      coalesce((select string_agg(x, ', ') from jsonb_array_elements_text(coalesce(p_args -> 'price_ids', '[]')) x), 'none')
      using errcode = 'P0002';
  end if;

  if v_paid = 0 then
    v_ignored := format('invoice %s paid 0 (a trial, a coupon or a customer balance): no credits', v_invoice);
  elsif v_price_cur is not null and v_currency is distinct from v_price_cur then
    v_ignored := format('invoice %s paid %s %s, but %s is priced in %s: no credits', v_invoice, v_paid, v_currency,
                        coalesce(v_plan.id, v_package), v_price_cur);
  elsif v_reason = 'subscription_update' then
    if v_price is null then
      v_ignored := format('invoice %s is a proration of a subscription without a plan price: no credits', v_invoice);
    else
      v_credits := least(v_per, (v_per * v_paid) / v_price);
      if v_credits = 0 then
        v_ignored := format('invoice %s paid %s %s, too little for one credit of %s: no credits', v_invoice, v_paid,
                            v_currency, coalesce(v_plan.id, v_package));
      end if;
    end if;
  elsif v_reason is null or v_reason in ('subscription_create', 'subscription_cycle', 'subscription') then
    if v_price is not null and v_paid < v_price then
      v_ignored := format('invoice %s paid %s %s of %s''s %s %s for a period: no credits', v_invoice, v_paid,
                          v_currency, coalesce(v_plan.id, v_package), v_price, v_price_cur);
    else
      v_credits := v_per;
    end if;
  else
    v_ignored := format('invoice %s (billing reason %s) pays for no period: no credits', v_invoice, v_reason);
  end if;

  if v_ignored is null then
    v := public.grant_credits_for_purchase('stripe', v_invoice, coalesce((p_args ->> 'user_id')::uuid, v_sub.user_id),
      coalesce(p_args ->> 'email', v_sub.email), v_credits, v_paid, p_args ->> 'currency', v_package,
      p_args ->> 'event_id');
    if v ->> 'outcome' in ('granted', 'pending') then
      v_expires := coalesce(v_period_end, v_at + interval '1 month')
                   + make_interval(months => coalesce(v_plan.rollover_periods, 0));
      update public.purchases set credits_expire_at = v_expires where id = (v ->> 'purchase_id')::uuid;
      perform private.set_lot_terms(l.ledger_id, 'paid', v_expires, 'plan')
         from public.credit_lots l
        where l.user_id = (v ->> 'user_id')::uuid and l.purchase_id = (v ->> 'purchase_id')::uuid;
    end if;
    v_links := public.link_purchase_payments('stripe', v_invoice,
      array(select jsonb_array_elements_text(coalesce(p_args -> 'payment_ids', '[]'::jsonb))), p_args ->> 'event_id');
  end if;

  if v_sub.id is null then
    insert into public.subscriptions as s (provider, external_id, user_id, email, customer_id, status, plan_id,
        credits_per_period, current_period_end, latest_invoice_id, last_event_at)
    values ('stripe', v_sub_id,
        coalesce((v ->> 'user_id')::uuid, (select p.id from public.profiles p where p.id = (p_args ->> 'user_id')::uuid)),
        nullif(lower(trim(p_args ->> 'email')), ''), p_args ->> 'customer_id', 'active', v_plan.id, v_per,
        v_period_end, v_invoice, v_at)
    on conflict (provider, external_id) do nothing;
  else
    update public.subscriptions s
       set status = case
             when s.status in ('past_due', 'unpaid', 'incomplete')
              and (s.failed_invoice_id = v_invoice or (s.failed_invoice_id is null and v_at >= s.last_event_at))
             then 'active' else s.status end,
           last_event_at = case
             when s.status in ('past_due', 'unpaid', 'incomplete')
              and (s.failed_invoice_id = v_invoice or (s.failed_invoice_id is null and v_at >= s.last_event_at))
             then greatest(s.last_event_at, v_at) else s.last_event_at end,
           last_payment_error = case when s.failed_invoice_id = v_invoice then null else s.last_payment_error end,
           failed_invoice_id = case when s.failed_invoice_id = v_invoice then null else s.failed_invoice_id end,
           current_period_end = greatest(s.current_period_end, v_period_end),
           plan_id = coalesce(s.plan_id, v_plan.id),
           credits_per_period = coalesce(s.credits_per_period, v_per),
           user_id = coalesce(s.user_id, (v ->> 'user_id')::uuid),
           customer_id = coalesce(s.customer_id, p_args ->> 'customer_id'),
           latest_invoice_id = v_invoice,
           updated_at = now()
     where s.id = v_sub.id;
  end if;

  if v_ignored is not null then
    return jsonb_build_object('status', 'ignored', 'outcome', v_ignored);
  end if;
  return jsonb_build_object('status', 'processed', 'result', v, 'links', v_links, 'outcome',
    case v ->> 'outcome'
      when 'granted' then format('invoice %s paid: granted %s credits%s%s to %s (balance %s)', v_invoice,
                                 v ->> 'credits', coalesce(' of plan ' || v_plan.id, ''),
                                 case when v_reason = 'subscription_update'
                                      then format(' (proration: paid %s of %s %s)', v_paid, v_price, v_price_cur)
                                      else '' end,
                                 coalesce(v ->> 'email', v ->> 'user_id'), v ->> 'balance')
      when 'pending' then format('invoice %s paid: pending grant of %s credits for %s (no account yet)', v_invoice,
                                 v ->> 'credits', v ->> 'email')
      else format('invoice %s already credited', v_invoice) end);
end
$$;
comment on function public.webhook_action_subscription_invoice_paid(jsonb) is
  'Action: invoice.paid of a subscription. A period''s invoice that paid at least the plan''s price (in its currency) grants credits_per_period; a proration grants floor(credits × paid / price), at most a period; $0 and other invoices are ignored with the reason. Once per invoice; links its payment for refunds; keeps the subscription.';
revoke execute on function public.webhook_action_subscription_invoice_paid(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_subscription_invoice_paid(jsonb) to service_role;

/*
  invoice.payment_failed of a subscription: a renewal was not paid. Nothing is
  granted; the subscription is past due with the reason until that invoice is
  paid (invoice.paid grants then, once). A late failure report for an invoice
  that has since been paid changes nothing.
*/
create function public.webhook_action_subscription_payment_failed(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_invoice text := p_args ->> 'invoice_id';
  v_sub_id  text := p_args ->> 'subscription_id';
  v_at      timestamptz := (p_args ->> 'event_at')::timestamptz;
  v_reason  text := coalesce(nullif(trim(p_args ->> 'reason'), ''), 'payment failed');
  v_plan    public.credit_plans%rowtype;
  v_user    uuid;
begin
  if coalesce(v_invoice, '') = '' or coalesce(v_sub_id, '') = '' or v_at is null then
    raise exception 'invoice id, subscription id and event time are required' using errcode = '22023';
  end if;
  if exists (select 1 from public.purchases p where p.provider = 'stripe' and p.external_id = v_invoice) then
    return jsonb_build_object('status', 'ignored', 'outcome',
      format('invoice %s failed an attempt but is paid already; nothing to change', v_invoice));
  end if;
  perform 1 from public.subscriptions s where s.provider = 'stripe' and s.external_id = v_sub_id for update;
  if not found then
    select * into v_plan from private.stripe_plan_for(p_args -> 'price_ids', p_args ->> 'plan_id');
    select p.id into v_user from public.profiles p where p.id = (p_args ->> 'user_id')::uuid;
    insert into public.subscriptions as s (provider, external_id, user_id, email, customer_id, status, plan_id,
        credits_per_period, failed_invoice_id, last_payment_error, last_event_at)
    values ('stripe', v_sub_id, v_user, nullif(lower(trim(p_args ->> 'email')), ''), p_args ->> 'customer_id',
        'past_due', v_plan.id, v_plan.credits_per_period, v_invoice, v_reason, v_at)
    on conflict (provider, external_id) do nothing;
  else
    update public.subscriptions s
       set status = case when s.status in ('canceled', 'incomplete_expired') then s.status else 'past_due' end,
           failed_invoice_id = v_invoice,
           last_payment_error = v_reason,
           last_event_at = greatest(s.last_event_at, v_at),
           updated_at = now()
     where s.provider = 'stripe' and s.external_id = v_sub_id;
  end if;
  return jsonb_build_object('status', 'processed', 'outcome',
    format('renewal failed for subscription %s (invoice %s): %s; past due, no credits until it is paid',
           v_sub_id, v_invoice, v_reason));
end
$$;
comment on function public.webhook_action_subscription_payment_failed(jsonb) is
  'Action: invoice.payment_failed marks the subscription past due with the reason (no credits); ignored when that invoice is paid already.';
revoke execute on function public.webhook_action_subscription_payment_failed(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_subscription_payment_failed(jsonb) to service_role;

/* ---- What the pages read ---- */

/* list_active_plans: the plans on sale, in display order (wallet). */
create function public.list_active_plans()
returns table (
  id text, name text, description text, credits_per_period bigint, amount_minor bigint, currency text,
  billing_interval text, stripe_price_id text
)
language sql
stable
security definer
set search_path = ''
as $$
  select c.id, c.name, c.description, c.credits_per_period, c.amount_minor, c.currency, c.billing_interval, c.stripe_price_id
    from public.credit_plans c
   where c.active
   order by c.sort_order, c.amount_minor, c.id
$$;
comment on function public.list_active_plans() is 'Credit plans on sale, in display order.';
revoke execute on function public.list_active_plans() from public, anon, authenticated;
grant execute on function public.list_active_plans() to service_role;

/* get_active_plan: one plan by id, only while it is on sale (checkout starts only from these). */
create function public.get_active_plan(p_id text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object('id', c.id, 'name', c.name, 'description', c.description,
           'credits_per_period', c.credits_per_period, 'amount_minor', c.amount_minor, 'currency', c.currency,
           'billing_interval', c.billing_interval, 'stripe_price_id', c.stripe_price_id)
    from public.credit_plans c
   where c.id = p_id and c.active
$$;
comment on function public.get_active_plan(text) is 'One credit plan by id if it is on sale, else null.';
revoke execute on function public.get_active_plan(text) from public, anon, authenticated;
grant execute on function public.get_active_plan(text) to service_role;

/*
  list_user_subscriptions: one user's subscriptions with their plan, live ones
  first (wallet, admin user page). "Live" = anything Stripe may still bill.
*/
create function public.list_user_subscriptions(p_user_id uuid)
returns table (
  id uuid, external_id text, customer_id text, status text, plan_id text, plan_name text,
  credits_per_period bigint, amount_minor bigint, currency text, current_period_end timestamptz,
  cancel_at_period_end boolean, latest_invoice_id text, failed_invoice_id text, last_payment_error text,
  created_at timestamptz, updated_at timestamptz
)
language sql
stable
security definer
set search_path = ''
as $$
  select s.id, s.external_id, s.customer_id, s.status, s.plan_id, c.name, s.credits_per_period, c.amount_minor,
         c.currency, s.current_period_end, s.cancel_at_period_end, s.latest_invoice_id, s.failed_invoice_id,
         s.last_payment_error, s.created_at, s.updated_at
    from public.subscriptions s
    left join public.credit_plans c on c.id = s.plan_id
   where s.user_id = p_user_id
   order by (s.status in ('canceled', 'incomplete_expired')), s.updated_at desc, s.id
   limit 50
$$;
comment on function public.list_user_subscriptions(uuid) is
  'A user''s subscriptions (at most 50) with plan name and price; live ones first, then most recently changed.';
revoke execute on function public.list_user_subscriptions(uuid) from public, anon, authenticated;
grant execute on function public.list_user_subscriptions(uuid) to service_role;

/*
  Subscription credits follow money.

  invoice.paid used to grant the plan's full credits_per_period for any paid
  invoice of a subscription: a $0 subscription_create (a trial, a 100 %
  coupon, a customer balance) granted 600 credits, a mid-period upgrade's
  proration invoice that paid 100 cents granted the dearer plan's whole 2,500,
  a downgrade's $0 invoice granted the cheaper plan's period again, and with
  two prices on one invoice the plan was whichever matched first. Now:

  - the plan is that of the invoice's largest positive line whose Price is
    one of our plans (then, as before, a line's Price, our metadata, the
    subscription's plan);
  - an invoice that paid 0 grants nothing: ignored, with the reason;
  - the plan's currency must be the invoice's: else ignored, with the reason;
  - a period's invoice (billing_reason subscription_create or
    subscription_cycle; also the legacy "subscription" and none at all)
    grants credits_per_period only when it paid at least the plan's price;
  - a proration invoice (subscription_update) grants
    floor(credits_per_period × amount_paid / price) of the plan switched to,
    never more than one period; the purchase records what it paid, so a
    refund of it reverses in proportion exactly what it granted;
  - any other billing reason (manual, threshold, …) buys no period: ignored.
  An ignored invoice still keeps the subscription's state (created if this
  event comes first, the renewal date, a paid failed invoice clears past due):
  the subscription is real, it only bought no credits.
*/

/*
  The plan an invoice is for: its largest positive line whose Price is a plan
  (ties: the plan id), else private.stripe_plan_for over the lines that are
  not credits (amount > 0, or unknown in older payloads) and our metadata.
*/
create or replace function private.stripe_invoice_plan(p_lines jsonb, p_price_ids jsonb, p_plan_id text)
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
revoke execute on function private.stripe_invoice_plan(jsonb, jsonb, text) from public;

/*
  invoice.paid of a subscription. Under the subscription's row lock: the plan
  and what the invoice paid decide the credits (rules above); a grant is once
  per invoice (grant_credits_for_purchase, external id = invoice) with its
  payment linked for refunds; the subscription row is kept either way.
*/
create or replace function public.webhook_action_subscription_invoice_paid(p_args jsonb)
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

/*
  Which purchase a payment paid, for refunds and disputes of subscription periods.

  A subscription's credits are granted once per invoice: the purchase's
  external id is the invoice id (in_…), one purchase per billing period.
  Refunds and disputes do not name the invoice, they name the payment: the
  PaymentIntent (pi_…) or the Charge (ch_…). Stripe tells us which payment
  paid an invoice in two ways, depending on the account's API version:
  - before 2025-03-31 the invoice itself carries invoice.payment_intent and
    invoice.charge (linked when invoice.paid is processed);
  - from 2025-03-31 those fields are gone, and a separate invoice_payment.paid
    event names the invoice and the payment intent.
  Either way the pair lands here, keyed by the payment, so that a refund or a
  dispute of one period's payment reverses that period's credits.

  The link keeps the purchase's external id, not its row id: Stripe does not
  order deliveries, and invoice_payment.paid may arrive before invoice.paid.
*/
create table if not exists public.purchase_payments (
  provider    text not null check (provider in ('stripe', 'fireblocks', 'invoices', 'paystack')),
  payment_id  text not null check (length(payment_id) between 1 and 255),
  external_id text not null check (length(external_id) between 1 and 255),
  event_id    text,
  created_at  timestamptz not null default now(),
  primary key (provider, payment_id)
);
create index if not exists purchase_payments_external_idx on public.purchase_payments (provider, external_id);
comment on table public.purchase_payments is
  'Payment (pi_/ch_) → purchase external id (e.g. the invoice) it paid; lets refunds and disputes of a subscription period find that period''s purchase.';

/* Provider references: admins only, like the event log they come from; nobody writes but the functions. */
alter table public.purchase_payments enable row level security;
revoke insert, update, delete, truncate on public.purchase_payments from anon, authenticated;
grant select on public.purchase_payments to authenticated;
grant all on public.purchase_payments to service_role;
drop policy if exists purchase_payments_admin_read on public.purchase_payments;
create policy purchase_payments_admin_read on public.purchase_payments for select to authenticated
  using (public.is_admin());

/*
  link_purchase_payments: records that these payments paid the purchase with
  this external id. Idempotent; a payment already linked to another purchase
  keeps its first link (a payment pays one invoice) and is reported back.
*/
create or replace function public.link_purchase_payments(
  p_provider    text,
  p_external_id text,
  p_payment_ids text[],
  p_event_id    text default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id       text;
  v_existing text;
  v_linked   text[] := '{}';
  v_conflict text[] := '{}';
begin
  if coalesce(trim(p_external_id), '') = '' then
    raise exception 'external id is required' using errcode = '22023';
  end if;
  foreach v_id in array coalesce(p_payment_ids, '{}') loop
    continue when coalesce(trim(v_id), '') = '' or v_id = p_external_id or v_id = any (v_linked);
    insert into public.purchase_payments (provider, payment_id, external_id, event_id)
    values (p_provider, v_id, p_external_id, p_event_id)
    on conflict (provider, payment_id) do nothing;
    select l.external_id into v_existing from public.purchase_payments l
     where l.provider = p_provider and l.payment_id = v_id;
    if v_existing = p_external_id then
      v_linked := v_linked || v_id;
    else
      v_conflict := v_conflict || v_id;
    end if;
  end loop;
  return jsonb_build_object('linked', to_jsonb(v_linked), 'conflicts', to_jsonb(v_conflict));
end
$$;
comment on function public.link_purchase_payments(text, text, text[], text) is
  'Links payments (pi_/ch_ ids) to the purchase external id they paid; idempotent, first link wins. Returns {linked, conflicts}.';

/*
  The purchase a refund or dispute is about: the first of p_ids (payment
  intent, charge, invoice: in that order of preference) that is a purchase's
  external id itself, else the first one linked to a purchase above. Null when
  none is known yet.
*/
create or replace function private.purchase_external_id_for_payment(p_provider text, p_ids text[])
returns text
language sql
stable
set search_path = ''
as $$
  select coalesce(
    (select p.external_id from public.purchases p
      where p.provider = p_provider and p.external_id = any (p_ids)
      order by array_position(p_ids, p.external_id) limit 1),
    (select l.external_id from public.purchase_payments l
      where l.provider = p_provider and l.payment_id = any (p_ids)
      order by array_position(p_ids, l.payment_id) limit 1))
$$;
comment on function private.purchase_external_id_for_payment(text, text[]) is
  'Resolves a refunded/disputed payment (ids in order of preference) to the external id of the purchase it paid, directly or through purchase_payments.';

/*
  Action: a refund or dispute naming a payment. Resolves the purchase, then
  reverses exactly as webhook_action_reverse does. Unknown payment → 'purchase
  not found' (the event is kept failed and retried: the purchase or the link
  may simply not have arrived yet).
*/
create or replace function public.webhook_action_reverse_payment(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_ids text[] := array(select jsonb_array_elements_text(coalesce(p_args -> 'payment_ids', '[]'::jsonb)));
  v_external_id text;
begin
  v_ids := array_remove(v_ids, null);
  if cardinality(v_ids) = 0 then
    raise exception 'payment id is required' using errcode = '22023';
  end if;
  v_external_id := private.purchase_external_id_for_payment(p_args ->> 'provider', v_ids);
  if v_external_id is null then
    raise exception 'purchase not found: % %', p_args ->> 'provider', array_to_string(v_ids, ' / ') using errcode = 'P0002';
  end if;
  return public.webhook_action_reverse(p_args || jsonb_build_object('external_id', v_external_id));
end
$$;
comment on function public.webhook_action_reverse_payment(jsonb) is
  'Action: refund/dispute of a payment (payment_ids: pi, ch, invoice); finds the purchase it paid (directly or via purchase_payments) and reverses it.';

/* Action: invoice_payment.paid (API 2025-03-31 and later) links the payment intent to its invoice's purchase. */
create or replace function public.webhook_action_link_payment(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v jsonb;
begin
  v := public.link_purchase_payments(p_args ->> 'provider', p_args ->> 'external_id',
    array(select jsonb_array_elements_text(coalesce(p_args -> 'payment_ids', '[]'::jsonb))), p_args ->> 'event_id');
  if jsonb_array_length(v -> 'conflicts') > 0 then
    return jsonb_build_object('status', 'ignored', 'result', v, 'outcome',
      format('payment %s already belongs to another purchase; not linked to %s',
             (select string_agg(x, ', ') from jsonb_array_elements_text(v -> 'conflicts') x), p_args ->> 'external_id'));
  end if;
  return jsonb_build_object('status', 'processed', 'result', v, 'outcome',
    format('payment %s linked to %s (refunds and disputes of it reverse that purchase)',
           coalesce((select string_agg(x, ', ') from jsonb_array_elements_text(v -> 'linked') x), 'none'),
           p_args ->> 'external_id'));
end
$$;
comment on function public.webhook_action_link_payment(jsonb) is
  'Action: links the payments of an invoice_payment.paid to the invoice''s purchase (external id).';

revoke execute on function public.link_purchase_payments(text, text, text[], text) from public, anon, authenticated;
revoke execute on function public.webhook_action_reverse_payment(jsonb) from public, anon, authenticated;
revoke execute on function public.webhook_action_link_payment(jsonb) from public, anon, authenticated;
revoke execute on function private.purchase_external_id_for_payment(text, text[]) from public;
grant execute on function public.link_purchase_payments(text, text, text[], text) to service_role;
grant execute on function public.webhook_action_reverse_payment(jsonb) to service_role;
grant execute on function public.webhook_action_link_payment(jsonb) to service_role;

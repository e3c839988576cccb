/*
  The minimal route's SQL (bench only; created by `npm run bench` in its
  throw-away database, never a migration): plain tables and one plpgsql
  function doing the same writes as ingest_webhook_event's grant path, the way
  a first version would: event row (unique provider + event id), purchase
  (unique provider + external id), ledger row, wallet upsert.
*/
create schema bench_minimal;

create table bench_minimal.events (
  id          uuid primary key default gen_random_uuid(),
  provider    text not null,
  event_id    text not null,
  event_type  text not null,
  payload     jsonb not null,
  received_at timestamptz not null default now(),
  unique (provider, event_id)
);
create table bench_minimal.purchases (
  id           uuid primary key default gen_random_uuid(),
  provider     text not null,
  external_id  text not null,
  user_id      uuid not null,
  package_id   text,
  credits      bigint not null,
  amount_minor bigint not null,
  currency     text not null,
  event_id     text,
  created_at   timestamptz not null default now(),
  unique (provider, external_id)
);
create table bench_minimal.ledger (
  id          uuid primary key default gen_random_uuid(),
  user_id     uuid not null,
  delta       bigint not null,
  purchase_id uuid not null,
  created_at  timestamptz not null default now()
);
create table bench_minimal.wallets (
  user_id    uuid primary key,
  balance    bigint not null,
  updated_at timestamptz not null default now()
);

create function bench_minimal.ingest(
  p_event_id text, p_event_type text, p_payload jsonb, p_external_id text,
  p_user_id uuid, p_package_id text, p_amount_minor bigint, p_currency text
) returns jsonb
language plpgsql
as $$
declare
  v_event    uuid;
  v_purchase uuid;
  v_credits  bigint;
begin
  insert into bench_minimal.events (provider, event_id, event_type, payload)
  values ('stripe', p_event_id, p_event_type, p_payload)
  on conflict (provider, event_id) do nothing
  returning id into v_event;
  if v_event is null then
    return jsonb_build_object('duplicate', true);
  end if;
  select credits into v_credits from public.credit_packages where id = p_package_id;
  insert into bench_minimal.purchases (provider, external_id, user_id, package_id, credits, amount_minor, currency, event_id)
  values ('stripe', p_external_id, p_user_id, p_package_id, v_credits, p_amount_minor, p_currency, p_event_id)
  on conflict (provider, external_id) do nothing
  returning id into v_purchase;
  if v_purchase is not null then
    insert into bench_minimal.ledger (user_id, delta, purchase_id) values (p_user_id, v_credits, v_purchase);
    insert into bench_minimal.wallets as w (user_id, balance) values (p_user_id, v_credits)
    on conflict (user_id) do update set balance = w.balance + excluded.balance, updated_at = now();
  end if;
  return jsonb_build_object('duplicate', false);
end
$$;

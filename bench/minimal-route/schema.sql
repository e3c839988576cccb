/*
  The minimal routes' SQL (bench only; created by `npm run bench` in its
  throw-away database, never a migration): plain tables and one plpgsql
  function doing the same writes as ingest_webhook_event's grant path, the way
  a first version would: event row (unique provider + event id), purchase
  (unique provider + external id), ledger row, wallet upsert. The spend API's
  tables and functions follow further down.
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

/*
  The spend API's yardstick (npm run bench -- --spend): what a first version
  of POST /api/v1/spend and of holds would do, in plain tables with only their
  keys. The key is looked up by its SHA-256, the wallet row locked, the
  idempotency row (the ledger's unique reference) looked for, then the ledger
  row and the wallet update. No rate limit, no last-used stamp, no lots, no
  expiry bookkeeping. Funding is a ledger row of kind grant, so wallets =
  ledger sums.
*/
create table bench_minimal.api_keys (
  key_hash text primary key,
  user_id  uuid not null
);
create table bench_minimal.credit_wallets (
  user_id uuid primary key,
  balance bigint not null,
  held    bigint not null default 0
);
create table bench_minimal.credit_ledger (
  id         uuid primary key default gen_random_uuid(),
  user_id    uuid not null,
  delta      bigint not null,
  kind       text not null,
  reference  text not null,
  reason     text,
  created_at timestamptz not null default now(),
  unique (user_id, kind, reference)
);
create table bench_minimal.holds (
  id              uuid primary key default gen_random_uuid(),
  user_id         uuid not null,
  idempotency_key text not null,
  amount          bigint not null,
  reason          text,
  status          text not null default 'active',
  captured        bigint,
  expires_at      timestamptz not null,
  created_at      timestamptz not null default now(),
  unique (user_id, idempotency_key)
);

/* Setup: a key and a funded wallet (one grant row). */
create function bench_minimal.fund(p_key_hash text, p_user_id uuid, p_credits bigint) returns void
language plpgsql
as $$
begin
  insert into bench_minimal.api_keys (key_hash, user_id) values (p_key_hash, p_user_id);
  insert into bench_minimal.credit_ledger (user_id, delta, kind, reference) values (p_user_id, p_credits, 'grant', 'fund');
  insert into bench_minimal.credit_wallets (user_id, balance) values (p_user_id, p_credits);
end
$$;

/* POST /minimal/spend: {outcome: spent|duplicate|conflict|insufficient|unauthorized, balance, available, spent}. */
create function bench_minimal.spend(p_key_hash text, p_amount bigint, p_idempotency_key text, p_reason text)
returns jsonb
language plpgsql
as $$
declare
  v_user    uuid;
  v_balance bigint;
  v_held    bigint;
  v_prior   bigint;
begin
  select user_id into v_user from bench_minimal.api_keys where key_hash = p_key_hash;
  if v_user is null then
    return jsonb_build_object('outcome', 'unauthorized');
  end if;
  select balance, held into v_balance, v_held from bench_minimal.credit_wallets where user_id = v_user for update;
  select -delta into v_prior from bench_minimal.credit_ledger
   where user_id = v_user and kind = 'spend' and reference = p_idempotency_key;
  if v_prior is not null then
    return jsonb_build_object('outcome', case when v_prior = p_amount then 'duplicate' else 'conflict' end,
                              'balance', v_balance, 'available', v_balance - v_held, 'spent', v_prior);
  end if;
  if v_balance - v_held < p_amount then
    return jsonb_build_object('outcome', 'insufficient', 'balance', v_balance, 'available', v_balance - v_held, 'spent', 0);
  end if;
  insert into bench_minimal.credit_ledger (user_id, delta, kind, reference, reason)
  values (v_user, -p_amount, 'spend', p_idempotency_key, p_reason);
  update bench_minimal.credit_wallets set balance = balance - p_amount where user_id = v_user;
  return jsonb_build_object('outcome', 'spent', 'balance', v_balance - p_amount,
                            'available', v_balance - v_held - p_amount, 'spent', p_amount);
end
$$;

/* POST /minimal/holds: {outcome: held|duplicate|conflict|insufficient|unauthorized, hold, balance, available}. */
create function bench_minimal.create_hold(
  p_key_hash text, p_amount bigint, p_idempotency_key text, p_reason text, p_expires_in_seconds integer
) returns jsonb
language plpgsql
as $$
declare
  v_user    uuid;
  v_balance bigint;
  v_held    bigint;
  v_hold    bench_minimal.holds%rowtype;
begin
  select user_id into v_user from bench_minimal.api_keys where key_hash = p_key_hash;
  if v_user is null then
    return jsonb_build_object('outcome', 'unauthorized');
  end if;
  select balance, held into v_balance, v_held from bench_minimal.credit_wallets where user_id = v_user for update;
  select * into v_hold from bench_minimal.holds where user_id = v_user and idempotency_key = p_idempotency_key;
  if v_hold.id is not null then
    return jsonb_build_object('outcome', case when v_hold.amount = p_amount then 'duplicate' else 'conflict' end,
                              'hold', jsonb_build_object('id', v_hold.id, 'amount', v_hold.amount, 'status', v_hold.status),
                              'balance', v_balance, 'available', v_balance - v_held);
  end if;
  if v_balance - v_held < p_amount then
    return jsonb_build_object('outcome', 'insufficient', 'balance', v_balance, 'available', v_balance - v_held);
  end if;
  insert into bench_minimal.holds (user_id, idempotency_key, amount, reason, expires_at)
  values (v_user, p_idempotency_key, p_amount, p_reason, now() + make_interval(secs => p_expires_in_seconds))
  returning * into v_hold;
  update bench_minimal.credit_wallets set held = held + p_amount where user_id = v_user;
  return jsonb_build_object('outcome', 'held',
                            'hold', jsonb_build_object('id', v_hold.id, 'amount', v_hold.amount, 'status', v_hold.status),
                            'balance', v_balance, 'available', v_balance - v_held - p_amount);
end
$$;

/*
  POST /minimal/holds/{id}/capture: p_amount (null = all) spent, the rest freed.
  {outcome: captured|duplicate|not_active|too_much|not_found|unauthorized, hold, balance, available}.
*/
create function bench_minimal.capture(p_key_hash text, p_hold_id uuid, p_amount bigint) returns jsonb
language plpgsql
as $$
declare
  v_user    uuid;
  v_balance bigint;
  v_held    bigint;
  v_hold    bench_minimal.holds%rowtype;
  v_amount  bigint;
begin
  select user_id into v_user from bench_minimal.api_keys where key_hash = p_key_hash;
  if v_user is null then
    return jsonb_build_object('outcome', 'unauthorized');
  end if;
  select balance, held into v_balance, v_held from bench_minimal.credit_wallets where user_id = v_user for update;
  select * into v_hold from bench_minimal.holds where id = p_hold_id and user_id = v_user for update;
  if v_hold.id is null then
    return jsonb_build_object('outcome', 'not_found');
  end if;
  v_amount := coalesce(p_amount, v_hold.amount);
  if v_amount > v_hold.amount then
    return jsonb_build_object('outcome', 'too_much');
  end if;
  if v_hold.status <> 'active' or v_hold.expires_at <= now() then
    return jsonb_build_object('outcome', case when v_hold.status = 'captured' then 'duplicate' else 'not_active' end,
                              'hold', jsonb_build_object('id', v_hold.id, 'amount', v_hold.amount,
                                                         'status', v_hold.status, 'captured', v_hold.captured),
                              'balance', v_balance, 'available', v_balance - v_held);
  end if;
  if v_amount > 0 then
    insert into bench_minimal.credit_ledger (user_id, delta, kind, reference)
    values (v_user, -v_amount, 'capture', v_hold.id::text);
  end if;
  update bench_minimal.holds set status = 'captured', captured = v_amount where id = v_hold.id;
  update bench_minimal.credit_wallets set balance = balance - v_amount, held = held - v_hold.amount where user_id = v_user;
  return jsonb_build_object('outcome', 'captured',
                            'hold', jsonb_build_object('id', v_hold.id, 'amount', v_hold.amount,
                                                       'status', 'captured', 'captured', v_amount),
                            'balance', v_balance - v_amount, 'available', v_balance - v_amount - v_held + v_hold.amount);
end
$$;

/*
  Outgoing webhooks and low-balance notices: the owner's backend learns what
  happened without polling.

  An outbox, like email_outbox. What causes an event (a grant, a reversal, a
  balance crossing a threshold, a hold expiring) writes the event and one delivery per
  subscribed endpoint in its own transaction, through
  private.enqueue_outgoing_event; the event's cause_key is unique, so a cause
  that runs twice (a redelivered provider event, a retried function) writes
  nothing the second time. The sender (lib/outgoing-webhooks) claims due
  deliveries with a lease (for update skip locked), signs them per the Standard
  Webhooks specification and records every attempt; any number of app
  instances can run it, and none sends one attempt twice.

  Endpoint secrets are kept as they are: the sender signs with them, so they
  cannot be hashed. Like STRIPE_WEBHOOK_SECRET they are shared with the
  receiver, which verifies with them; no API role can read these tables.
*/

/*
  Event types an endpoint may subscribe to (the table checks below repeat the
  list: a check constraint is created before any function); webhook.test is
  sent only by an admin's "send test event".
*/
create function private.outgoing_event_types() returns text[]
language sql immutable set search_path = '' as $$
  select array['credits.granted', 'credits.reversed', 'balance.low', 'balance.recovered',
               'hold.expired', 'topup.succeeded', 'topup.failed']::text[]
$$;
comment on function private.outgoing_event_types() is
  'The event types an outgoing webhook endpoint may subscribe to (SPEC §6d).';
revoke execute on function private.outgoing_event_types() from public, anon, authenticated;

/* A new signing secret: whsec_ + base64 of 32 bytes (two v4 UUIDs: 244 random bits). */
create function private.new_webhook_secret() returns text
language sql volatile set search_path = '' as $$
  select 'whsec_' || encode(decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'), 'base64')
$$;
comment on function private.new_webhook_secret() is
  'A Standard Webhooks signing secret: whsec_ followed by base64 of 32 bytes, 244 of them random bits.';
revoke execute on function private.new_webhook_secret() from public, anon, authenticated;

/*
  Where events go. The admin adds an endpoint (the secret is shown once), picks
  its event types, disables it, or rotates its secret: the previous secret then
  signs too until previous_secret_expires_at (24 h), so the receiver can switch
  without losing a delivery. Server-only.
*/
create table public.webhook_endpoints (
  id                         uuid primary key default gen_random_uuid(),
  url                        text not null check (url ~ '^https?://[^\s/?#]+' and length(url) <= 2000),
  description                text check (description is null or length(description) between 1 and 200),
  event_types                text[] not null
                               check (cardinality(event_types) between 1 and 20 and event_types <@
                                  array['credits.granted', 'credits.reversed', 'balance.low', 'balance.recovered', 'hold.expired', 'topup.succeeded', 'topup.failed']::text[]),
  secret                     text not null check (secret ~ '^whsec_[A-Za-z0-9+/]+={0,2}$'),
  previous_secret            text,
  previous_secret_expires_at timestamptz,
  enabled                    boolean not null default true,
  created_at                 timestamptz not null default now(),
  updated_at                 timestamptz not null default now()
);
comment on table public.webhook_endpoints is
  'Outgoing webhook receivers: URL, subscribed event types, signing secret (and the previous one during a 24 h rotation).';
alter table public.webhook_endpoints enable row level security;
revoke all on public.webhook_endpoints from public, anon, authenticated;
grant all on public.webhook_endpoints to service_role;

/*
  One row per cause. id is the Standard Webhooks message id (webhook-id:
  msg_<id without dashes>), the same on every attempt and replay; the body is
  built from type, created_at and data, so it is the same too.
*/
create table public.outgoing_events (
  id         uuid primary key default gen_random_uuid(),
  type       text not null check (type = any (array['webhook.test', 'credits.granted', 'credits.reversed', 'balance.low',
                                                'balance.recovered', 'hold.expired', 'topup.succeeded', 'topup.failed'])),
  data       jsonb not null check (jsonb_typeof(data) = 'object'),
  -- what caused it, e.g. credits.granted:<ledger row id>; unique, so each cause writes one event
  cause_key  text not null unique check (length(cause_key) between 1 and 300),
  created_at timestamptz not null default now()
);
create index outgoing_events_created_idx on public.outgoing_events (created_at);
comment on table public.outgoing_events is
  'Outgoing webhook events, one per cause (cause_key unique), written in the transaction of their cause.';
alter table public.outgoing_events enable row level security;
revoke all on public.outgoing_events from public, anon, authenticated;
grant all on public.outgoing_events to service_role;

/*
  One event to one endpoint. The sender claims a due row (attempts + 1, and a
  lease: leased_until, past the 15 s send timeout), so a sender that dies
  leaves it due again when the lease ends. schedule_from is the attempt count
  when the current retry schedule began (an admin's replay starts a new one).
*/
create table public.webhook_deliveries (
  id              uuid primary key default gen_random_uuid(),
  event_id        uuid not null references public.outgoing_events (id) on delete cascade,
  endpoint_id     uuid not null references public.webhook_endpoints (id) on delete cascade,
  status          text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
  attempts        bigint not null default 0 check (attempts >= 0),
  schedule_from   bigint not null default 0 check (schedule_from >= 0),
  next_attempt_at timestamptz not null default now(),
  leased_until    timestamptz,
  last_attempt_at timestamptz,
  last_status     bigint,
  last_error      text,
  created_at      timestamptz not null default now(),
  finished_at     timestamptz,
  unique (event_id, endpoint_id)
);
create index webhook_deliveries_due_idx on public.webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_endpoint_idx on public.webhook_deliveries (endpoint_id, created_at desc, id desc);
create index webhook_deliveries_created_idx on public.webhook_deliveries (created_at desc, id desc);
comment on table public.webhook_deliveries is
  'One outgoing event to one endpoint: pending (due at next_attempt_at, or leased), succeeded, or failed after the last retry (replayable).';
alter table public.webhook_deliveries enable row level security;
revoke all on public.webhook_deliveries from public, anon, authenticated;
grant all on public.webhook_deliveries to service_role;

/* Every attempt: when, how long, the answer's status and its first 1 KB, or the error. Once per (delivery, attempt). */
create table public.webhook_delivery_attempts (
  delivery_id   uuid not null references public.webhook_deliveries (id) on delete cascade,
  attempt       bigint not null check (attempt >= 1),
  started_at    timestamptz not null,
  duration_ms   bigint not null check (duration_ms >= 0),
  succeeded     boolean not null,
  response_status bigint,
  response_body text check (response_body is null or octet_length(response_body) <= 1024),
  error         text check (error is null or length(error) <= 500),
  primary key (delivery_id, attempt)
);
create index webhook_delivery_attempts_started_idx on public.webhook_delivery_attempts (started_at);
comment on table public.webhook_delivery_attempts is
  'Each delivery attempt of an outgoing webhook: status, duration and the first 1 KB of the answer (or the error).';
alter table public.webhook_delivery_attempts enable row level security;
revoke all on public.webhook_delivery_attempts from public, anon, authenticated;
grant all on public.webhook_delivery_attempts to service_role;

/*
  Settings the app writes at start-up from its environment, read by triggers
  that have no environment: the default low-balance threshold
  (LOW_BALANCE_THRESHOLD; null = off). One row.
*/
create table public.notification_settings (
  id                            boolean primary key default true check (id),
  default_low_balance_threshold bigint check (default_low_balance_threshold > 0),
  updated_at                    timestamptz not null default now()
);
comment on table public.notification_settings is
  'One row: LOW_BALANCE_THRESHOLD as the app last wrote it at start-up (set_default_low_balance_threshold).';
alter table public.notification_settings enable row level security;
revoke all on public.notification_settings from public, anon, authenticated;
grant all on public.notification_settings to service_role;

/*
  A user's own low-balance threshold. A row with a null threshold means the
  user turned notices off; no row means the default applies.
*/
create table public.low_balance_thresholds (
  user_id    uuid primary key references public.profiles (id) on delete cascade,
  threshold  bigint check (threshold > 0 and threshold <= 1000000000000),
  updated_at timestamptz not null default now()
);
comment on table public.low_balance_thresholds is
  'Per-user low-balance threshold (null = off); without a row LOW_BALANCE_THRESHOLD applies.';
alter table public.low_balance_thresholds enable row level security;
revoke insert, update, delete, truncate on public.low_balance_thresholds from anon, authenticated;
grant select on public.low_balance_thresholds to authenticated;
grant all on public.low_balance_thresholds to service_role;

/* A user sees their own threshold; admins see all. */
create policy low_balance_thresholds_read_own on public.low_balance_thresholds for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/*
  Users told their balance is low (balance.low sent, balance.recovered not yet):
  a recovery is announced only after a low, so a new account's first purchase
  is no "recovery". Written by the wallet trigger under the wallet row lock.
*/
create table public.low_balance_states (
  user_id   uuid primary key references public.profiles (id) on delete cascade,
  low_since timestamptz not null default now(),
  balance   bigint not null,
  threshold bigint not null
);
comment on table public.low_balance_states is
  'Accounts whose balance went below their threshold and has not come back: balance.recovered pairs with this row.';
alter table public.low_balance_states enable row level security;
revoke all on public.low_balance_states from public, anon, authenticated;
grant all on public.low_balance_states to service_role;

/*
  enqueue_outgoing_event: the outbox write, for SQL callers inside the
  transaction of the cause. One event per cause_key (a second call returns
  null and writes nothing) and one delivery per enabled endpoint subscribed to
  the type; with no such endpoint nothing is written.
*/
create function private.enqueue_outgoing_event(p_type text, p_data jsonb, p_cause_key text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  if not exists (select 1 from public.webhook_endpoints e where e.enabled and p_type = any (e.event_types)) then
    return null;
  end if;
  insert into public.outgoing_events (type, data, cause_key)
  values (p_type, p_data, p_cause_key)
  on conflict (cause_key) do nothing
  returning id into v_id;
  if v_id is null then
    return null;
  end if;
  insert into public.webhook_deliveries (event_id, endpoint_id)
  select v_id, e.id from public.webhook_endpoints e where e.enabled and p_type = any (e.event_types);
  return v_id;
end
$$;
comment on function private.enqueue_outgoing_event(text, jsonb, text) is
  'Writes an outgoing event (once per cause_key) and a delivery per enabled subscribed endpoint, in the caller''s transaction; null when nothing was written.';
revoke execute on function private.enqueue_outgoing_event(text, jsonb, text) from public, anon, authenticated;

/*
  Ledger rows that are events: a purchase or claimed grant (and a dispute
  reinstated) is credits.granted, a refund or lost dispute credits.reversed.
  Fires after credit_ledger_to_wallet (same-event triggers fire in name order:
  credit_ledger_to_wallet < credit_ledger_webhook_events), so balance is the
  wallet after this row. The trigger's WHEN names those kinds, so a spend or a
  capture does not call the function at all.
*/
create function private.credit_ledger_outgoing_event() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_type    text;
  v_data    jsonb;
begin
  v_type := case when new.kind in ('purchase', 'claim', 'dispute_reinstated') then 'credits.granted'
                 when new.kind in ('refund', 'dispute') then 'credits.reversed' end;
  -- most grants go to no endpoint: skip building the data (enqueue_outgoing_event checks again)
  if v_type is null
     or not exists (select 1 from public.webhook_endpoints e where e.enabled and v_type = any (e.event_types)) then
    return null;
  end if;
  select jsonb_build_object('user_id', new.user_id, 'email', p.email, 'credits', abs(new.delta),
           'balance', w.balance, 'purchase_id', new.purchase_id, 'provider', pu.provider, 'kind', new.kind)
    into v_data
    from public.profiles p
    join public.wallets w on w.user_id = p.id
    left join public.purchases pu on pu.id = new.purchase_id
   where p.id = new.user_id;
  perform private.enqueue_outgoing_event(v_type, v_data, v_type || ':' || new.id::text);
  return null;
end
$$;
comment on function private.credit_ledger_outgoing_event() is
  'Trigger after a credit_ledger insert: credits.granted / credits.reversed with the wallet balance after the row.';
revoke execute on function private.credit_ledger_outgoing_event() from public, anon, authenticated;
create trigger credit_ledger_webhook_events
  after insert on public.credit_ledger
  for each row when (new.kind in ('purchase', 'claim', 'dispute_reinstated', 'refund', 'dispute'))
  execute function private.credit_ledger_outgoing_event();

/* The threshold in force for a user: their own (null = off) or, without one, the default. */
create function private.low_balance_threshold_for(p_user_id uuid)
returns bigint
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_threshold bigint;
begin
  select t.threshold into v_threshold from public.low_balance_thresholds t where t.user_id = p_user_id;
  if found then
    return v_threshold;
  end if;
  return (select s.default_low_balance_threshold from public.notification_settings s where s.id);
end
$$;
comment on function private.low_balance_threshold_for(uuid) is
  'The low-balance threshold in force for a user: their own (null = off), else LOW_BALANCE_THRESHOLD as last written.';
revoke execute on function private.low_balance_threshold_for(uuid) from public, anon, authenticated;

/*
  Threshold crossings, decided on the wallet row: this trigger runs inside the
  update that holds the row's lock, so concurrent debits see one another's
  balances in turn and exactly one of them takes it from >= threshold to
  below. A downward crossing writes balance.low and one e-mail to the user
  and marks the account low (low_balance_states); an upward one of an account
  marked low writes balance.recovered.
*/
create function private.wallet_balance_notices() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_threshold bigint := private.low_balance_threshold_for(new.user_id);
  v_cause     text;
  v_email     text;
  v_data      jsonb;
begin
  if v_threshold is null then
    return null;
  end if;
  v_cause := ':' || new.user_id::text || ':' || pg_current_xact_id()::text || ':' || new.balance::text;
  v_data := jsonb_build_object('user_id', new.user_id, 'balance', new.balance, 'threshold', v_threshold);
  if old.balance >= v_threshold and new.balance < v_threshold then
    insert into public.low_balance_states (user_id, balance, threshold)
    values (new.user_id, new.balance, v_threshold)
    on conflict (user_id) do update set low_since = now(), balance = excluded.balance, threshold = excluded.threshold;
    select p.email into v_email from public.profiles p where p.id = new.user_id;
    perform private.enqueue_outgoing_event('balance.low', v_data || jsonb_build_object('email', v_email),
                                           'balance.low' || v_cause);
    if v_email ~ '^[^@\s]+@[^@\s]+$' then
      perform public.enqueue_email(v_email, 'Your credit balance is low',
        format(E'Your balance is %s credits, below your low-balance threshold of %s.\n\n'
               'Buy credits on your wallet: {{app_url}}/wallet\n\n'
               'You can change or turn off this notice on the same page.', new.balance, v_threshold),
        'low_balance');
    end if;
  elsif old.balance < v_threshold and new.balance >= v_threshold then
    delete from public.low_balance_states where user_id = new.user_id;
    if not found then
      return null;
    end if;
    perform private.enqueue_outgoing_event('balance.recovered', v_data, 'balance.recovered' || v_cause);
  end if;
  return null;
end
$$;
comment on function private.wallet_balance_notices() is
  'Trigger after a wallet balance change, under the row lock: balance.low + one e-mail on a downward threshold crossing, balance.recovered on an upward one.';
revoke execute on function private.wallet_balance_notices() from public, anon, authenticated;
create trigger wallets_balance_notices
  after update of balance on public.wallets
  for each row when (old.balance is distinct from new.balance)
  execute function private.wallet_balance_notices();

/*
  hold.expired: a hold that passes its expiry uncaptured is marked expired by
  whichever transaction settles its wallet first (the sweep's
  expire_credit_holds, or a read or write that finds it past expires_at,
  private.settle_wallet); this trigger writes the event in that transaction,
  once per hold.
*/
create function private.credit_hold_outgoing_event() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform private.enqueue_outgoing_event('hold.expired',
    jsonb_build_object('hold_id', new.id, 'user_id', new.user_id, 'amount', new.amount, 'reason', new.reason,
                       'idempotency_key', new.idempotency_key, 'created_at', new.created_at,
                       'expires_at', new.expires_at),
    'hold.expired:' || new.id::text);
  return null;
end
$$;
comment on function private.credit_hold_outgoing_event() is
  'Trigger after a credit hold turns expired: writes hold.expired (once per hold) in the transaction that expired it.';
revoke execute on function private.credit_hold_outgoing_event() from public, anon, authenticated;
create trigger credit_holds_webhook_events
  after update of status on public.credit_holds
  for each row when (old.status = 'active' and new.status = 'expired')
  execute function private.credit_hold_outgoing_event();

/* set_low_balance_threshold: a user's threshold (null = off). The server passes the id from the session. */
create function public.set_low_balance_threshold(p_user_id uuid, p_threshold bigint)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_threshold is not null and (p_threshold < 1 or p_threshold > 1000000000000) then
    raise exception 'threshold must be a whole number from 1 to 1000000000000, or null for off' using errcode = '22023';
  end if;
  if not exists (select 1 from public.profiles where id = p_user_id) then
    raise exception 'user not found' using errcode = 'P0002';
  end if;
  insert into public.low_balance_thresholds (user_id, threshold)
  values (p_user_id, p_threshold)
  on conflict (user_id) do update set threshold = excluded.threshold, updated_at = now();
  return public.get_low_balance_settings(p_user_id);
end
$$;
comment on function public.set_low_balance_threshold(uuid, bigint) is
  'Sets a user''s low-balance threshold (null = off); returns get_low_balance_settings.';
revoke execute on function public.set_low_balance_threshold(uuid, bigint) from public, anon, authenticated;
grant execute on function public.set_low_balance_threshold(uuid, bigint) to service_role;

/* get_low_balance_settings: what /wallet shows: the threshold in force, where it comes from, and whether the balance is below it. */
create function public.get_low_balance_settings(p_user_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
           'threshold', private.low_balance_threshold_for(w.user_id),
           'source', case when t.user_id is not null then 'user'
                          when (select s.default_low_balance_threshold from public.notification_settings s where s.id) is not null
                            then 'default'
                          else 'none' end,
           'default_threshold', (select s.default_low_balance_threshold from public.notification_settings s where s.id),
           'balance', w.balance,
           'below', w.balance < coalesce(private.low_balance_threshold_for(w.user_id), w.balance))
    from public.wallets w
    left join public.low_balance_thresholds t on t.user_id = w.user_id
   where w.user_id = p_user_id
$$;
comment on function public.get_low_balance_settings(uuid) is
  'A user''s low-balance notice: {threshold (in force; null = off), source user|default|none, default_threshold, balance, below}.';
revoke execute on function public.get_low_balance_settings(uuid) from public, anon, authenticated;
grant execute on function public.get_low_balance_settings(uuid) to service_role;

/* set_default_low_balance_threshold: the app writes LOW_BALANCE_THRESHOLD here at start-up (null = off). */
create function public.set_default_low_balance_threshold(p_threshold bigint)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.notification_settings (id, default_low_balance_threshold)
  values (true, p_threshold)
  on conflict (id) do update set default_low_balance_threshold = excluded.default_low_balance_threshold, updated_at = now()
   where public.notification_settings.default_low_balance_threshold is distinct from excluded.default_low_balance_threshold
$$;
comment on function public.set_default_low_balance_threshold(bigint) is
  'Stores LOW_BALANCE_THRESHOLD (null = off) for the SQL that decides crossings; the app calls it at start-up.';
revoke execute on function public.set_default_low_balance_threshold(bigint) from public, anon, authenticated;
grant execute on function public.set_default_low_balance_threshold(bigint) to service_role;

/* Checks shared by the endpoint functions. */
create function private.check_webhook_endpoint(p_url text, p_event_types text[], p_description text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_url is null or p_url !~ '^https?://[^\s/?#]+' or length(p_url) > 2000 or p_url ~ '\s' then
    raise exception 'url must be an http:// or https:// URL (at most 2000 characters)' using errcode = '22023';
  end if;
  if p_event_types is null or cardinality(p_event_types) = 0 then
    raise exception 'choose at least one event type' using errcode = '22023';
  end if;
  if not p_event_types <@ private.outgoing_event_types() then
    raise exception 'unknown event type; known: %', array_to_string(private.outgoing_event_types(), ', ')
      using errcode = '22023';
  end if;
  if length(p_description) > 200 then
    raise exception 'description must be at most 200 characters' using errcode = '22023';
  end if;
end
$$;
comment on function private.check_webhook_endpoint(text, text[], text) is
  'Raises 22023 for a URL that is not http(s), no or unknown event types, or a description over 200 characters.';
revoke execute on function private.check_webhook_endpoint(text, text[], text) from public, anon, authenticated;

/*
  create_webhook_endpoint: a new endpoint and its secret, returned this once
  ({id, secret}). Whether the URL is allowed in production (https, public
  address) is checked by the app here and again at every send, after DNS.
*/
create function public.create_webhook_endpoint(p_url text, p_event_types text[], p_description text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_description text := nullif(trim(coalesce(p_description, '')), '');
  v_types       text[];
  v_secret      text := private.new_webhook_secret();
  v_id          uuid;
begin
  select array_agg(distinct t order by t) into v_types from unnest(p_event_types) t;
  perform private.check_webhook_endpoint(trim(p_url), v_types, v_description);
  insert into public.webhook_endpoints (url, description, event_types, secret)
  values (trim(p_url), v_description, v_types, v_secret)
  returning id into v_id;
  return jsonb_build_object('id', v_id, 'secret', v_secret);
end
$$;
comment on function public.create_webhook_endpoint(text, text[], text) is
  'Adds an outgoing webhook endpoint; returns {id, secret} (whsec_…): the only time the secret is returned.';
revoke execute on function public.create_webhook_endpoint(text, text[], text) from public, anon, authenticated;
grant execute on function public.create_webhook_endpoint(text, text[], text) to service_role;

/* update_webhook_endpoint: event types, description and enabled; null leaves a field as it is. */
create function public.update_webhook_endpoint(
  p_id          uuid,
  p_event_types text[] default null,
  p_description text default null,
  p_enabled     boolean default null
) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row   public.webhook_endpoints;
  v_types text[];
begin
  select * into v_row from public.webhook_endpoints where id = p_id for update;
  if not found then
    raise exception 'endpoint not found' using errcode = 'P0002';
  end if;
  if p_event_types is not null then
    select array_agg(distinct t order by t) into v_types from unnest(p_event_types) t;
  end if;
  perform private.check_webhook_endpoint(v_row.url, coalesce(v_types, v_row.event_types),
                                         nullif(trim(coalesce(p_description, '')), ''));
  update public.webhook_endpoints
     set event_types = coalesce(v_types, event_types),
         description = case when p_description is null then description else nullif(trim(p_description), '') end,
         enabled = coalesce(p_enabled, enabled),
         updated_at = now()
   where id = p_id;
end
$$;
comment on function public.update_webhook_endpoint(uuid, text[], text, boolean) is
  'Changes an endpoint''s event types, description or enabled flag (null: unchanged). A disabled endpoint gets no new deliveries and its pending ones wait.';
revoke execute on function public.update_webhook_endpoint(uuid, text[], text, boolean) from public, anon, authenticated;
grant execute on function public.update_webhook_endpoint(uuid, text[], text, boolean) to service_role;

/* rotate_webhook_endpoint_secret: a new secret ({id, secret}, shown once); the old one keeps signing for 24 h. */
create function public.rotate_webhook_endpoint_secret(p_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_secret text := private.new_webhook_secret();
begin
  update public.webhook_endpoints
     set previous_secret = secret,
         previous_secret_expires_at = now() + interval '24 hours',
         secret = v_secret,
         updated_at = now()
   where id = p_id;
  if not found then
    raise exception 'endpoint not found' using errcode = 'P0002';
  end if;
  return jsonb_build_object('id', p_id, 'secret', v_secret);
end
$$;
comment on function public.rotate_webhook_endpoint_secret(uuid) is
  'Replaces an endpoint''s secret ({id, secret}, returned once); deliveries carry both signatures for the next 24 h.';
revoke execute on function public.rotate_webhook_endpoint_secret(uuid) from public, anon, authenticated;
grant execute on function public.rotate_webhook_endpoint_secret(uuid) to service_role;

/* list_webhook_endpoints: every endpoint for /admin/webhooks (never the secret), with delivery counts. */
create function public.list_webhook_endpoints()
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'id', e.id, 'url', e.url, 'description', e.description, 'event_types', to_jsonb(e.event_types),
           'enabled', e.enabled, 'created_at', e.created_at,
           'rotating_until', case when e.previous_secret_expires_at > now() then e.previous_secret_expires_at end,
           'pending', (select count(*) from public.webhook_deliveries d where d.endpoint_id = e.id and d.status = 'pending'),
           'failed', (select count(*) from public.webhook_deliveries d where d.endpoint_id = e.id and d.status = 'failed'),
           'succeeded', (select count(*) from public.webhook_deliveries d where d.endpoint_id = e.id and d.status = 'succeeded'))
         order by e.created_at, e.id), '[]'::jsonb)
    from public.webhook_endpoints e
$$;
comment on function public.list_webhook_endpoints() is
  'Admin: every outgoing webhook endpoint without its secret, with pending/failed/succeeded delivery counts.';
revoke execute on function public.list_webhook_endpoints() from public, anon, authenticated;
grant execute on function public.list_webhook_endpoints() to service_role;

/* list_webhook_deliveries: the newest deliveries (of one endpoint, or all), with the last answer. */
create function public.list_webhook_deliveries(p_endpoint_id uuid default null, p_limit integer default 50)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(row_to_json(r)::jsonb order by r.created_at desc, r.id desc), '[]'::jsonb)
    from (select d.id, d.endpoint_id, e.url, d.event_id, 'msg_' || replace(d.event_id::text, '-', '') as webhook_id,
                 v.type, d.status, d.attempts, d.next_attempt_at, d.last_attempt_at, d.last_status, d.last_error,
                 d.created_at, d.finished_at,
                 (select a.response_body from public.webhook_delivery_attempts a
                   where a.delivery_id = d.id order by a.attempt desc limit 1) as last_response
            from public.webhook_deliveries d
            join public.outgoing_events v on v.id = d.event_id
            join public.webhook_endpoints e on e.id = d.endpoint_id
           where p_endpoint_id is null or d.endpoint_id = p_endpoint_id
           order by d.created_at desc, d.id desc
           limit greatest(least(coalesce(p_limit, 50), 200), 1)) r
$$;
comment on function public.list_webhook_deliveries(uuid, integer) is
  'Admin: the newest outgoing webhook deliveries (at most 200), optionally of one endpoint, with status, attempts and the last answer.';
revoke execute on function public.list_webhook_deliveries(uuid, integer) from public, anon, authenticated;
grant execute on function public.list_webhook_deliveries(uuid, integer) to service_role;

/* get_webhook_delivery: one delivery with its event's body and every attempt. */
create function public.get_webhook_delivery(p_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
           'id', d.id, 'endpoint_id', d.endpoint_id, 'url', e.url, 'event_id', d.event_id,
           'webhook_id', 'msg_' || replace(d.event_id::text, '-', ''), 'type', v.type, 'data', v.data,
           'status', d.status, 'attempts', d.attempts, 'next_attempt_at', d.next_attempt_at,
           'last_status', d.last_status, 'last_error', d.last_error, 'created_at', d.created_at,
           'finished_at', d.finished_at,
           'attempt_log', coalesce((select jsonb_agg(jsonb_build_object(
                 'attempt', a.attempt, 'started_at', a.started_at, 'duration_ms', a.duration_ms,
                 'succeeded', a.succeeded, 'response_status', a.response_status,
                 'response_body', a.response_body, 'error', a.error) order by a.attempt)
               from public.webhook_delivery_attempts a where a.delivery_id = d.id), '[]'::jsonb))
    from public.webhook_deliveries d
    join public.outgoing_events v on v.id = d.event_id
    join public.webhook_endpoints e on e.id = d.endpoint_id
   where d.id = p_id
$$;
comment on function public.get_webhook_delivery(uuid) is
  'Admin: one outgoing webhook delivery with its event data and every attempt; null when unknown.';
revoke execute on function public.get_webhook_delivery(uuid) from public, anon, authenticated;
grant execute on function public.get_webhook_delivery(uuid) to service_role;

/* replay_webhook_delivery: sends a delivery again now (same webhook-id and body), with a fresh retry schedule. */
create function public.replay_webhook_delivery(p_id uuid)
returns boolean
language sql
security definer
set search_path = ''
as $$
  with replayed as (
    update public.webhook_deliveries
       set status = 'pending', next_attempt_at = now(), schedule_from = attempts, finished_at = null
     where id = p_id and (leased_until is null or leased_until < now())
    returning id
  )
  select exists (select 1 from replayed)
$$;
comment on function public.replay_webhook_delivery(uuid) is
  'Admin: makes a delivery due now with a new retry schedule (same webhook-id and body); false when unknown or an attempt is in flight.';
revoke execute on function public.replay_webhook_delivery(uuid) from public, anon, authenticated;
grant execute on function public.replay_webhook_delivery(uuid) to service_role;

/* send_test_webhook_event: a webhook.test event to one endpoint, whatever it subscribes to. */
create function public.send_test_webhook_event(p_endpoint_id uuid)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_event    uuid;
  v_delivery uuid;
begin
  if not exists (select 1 from public.webhook_endpoints where id = p_endpoint_id) then
    raise exception 'endpoint not found' using errcode = 'P0002';
  end if;
  insert into public.outgoing_events (type, data, cause_key)
  values ('webhook.test', jsonb_build_object('endpoint_id', p_endpoint_id,
            'message', 'A test event sent from /admin/webhooks.'), 'webhook.test:' || gen_random_uuid()::text)
  returning id into v_event;
  insert into public.webhook_deliveries (event_id, endpoint_id) values (v_event, p_endpoint_id)
  returning id into v_delivery;
  return v_delivery;
end
$$;
comment on function public.send_test_webhook_event(uuid) is
  'Admin: queues a webhook.test event for one endpoint (even a disabled one waits until enabled); returns the delivery id.';
revoke execute on function public.send_test_webhook_event(uuid) from public, anon, authenticated;
grant execute on function public.send_test_webhook_event(uuid) to service_role;

/* The wait before retry n (1-based) of a schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; null after that. */
create function private.outgoing_webhook_retry_delay(p_retry integer)
returns interval
language sql
immutable
set search_path = ''
as $$
  select (array[interval '5 seconds', interval '5 minutes', interval '30 minutes', interval '2 hours',
                interval '5 hours', interval '10 hours', interval '10 hours'])[p_retry]
$$;
comment on function private.outgoing_webhook_retry_delay(integer) is
  'Outgoing webhook retry schedule (Standard Webhooks / SPEC §6d): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; null = give up.';
revoke execute on function private.outgoing_webhook_retry_delay(integer) from public, anon, authenticated;

/*
  claim_webhook_deliveries: up to p_limit due deliveries of enabled endpoints
  for this sender, each with attempts + 1 and a lease (leased_until = now +
  p_lease_seconds, past the send timeout), skipping rows another sender holds.
  Each comes with what it is sent as: the message id, the body, the URL and
  the secrets that sign it (the previous one too during a rotation).
*/
create function public.claim_webhook_deliveries(p_limit integer default 20, p_lease_seconds integer default 60)
returns jsonb
language sql
security definer
set search_path = ''
as $$
  with due as (
    select d.id from public.webhook_deliveries d
      join public.webhook_endpoints e on e.id = d.endpoint_id and e.enabled
     where d.status = 'pending' and d.next_attempt_at <= now() and (d.leased_until is null or d.leased_until < now())
     order by d.next_attempt_at, d.id
     limit greatest(least(coalesce(p_limit, 20), 100), 1)
     for update of d skip locked
  ), claimed as (
    update public.webhook_deliveries d
       set attempts = d.attempts + 1,
           leased_until = now() + make_interval(secs => greatest(coalesce(p_lease_seconds, 60), 20))
      from due
     where d.id = due.id
    returning d.id, d.event_id, d.endpoint_id, d.attempts
  )
  select coalesce(jsonb_agg(jsonb_build_object(
           'id', c.id, 'attempt', c.attempts, 'endpoint_id', c.endpoint_id, 'url', e.url,
           'webhook_id', 'msg_' || replace(v.id::text, '-', ''), 'type', v.type,
           'body', jsonb_build_object('type', v.type,
                     'timestamp', to_char(v.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                     'data', v.data)::text,
           'secrets', to_jsonb(array_remove(array[e.secret,
                        case when e.previous_secret_expires_at > now() then e.previous_secret end], null)))), '[]'::jsonb)
    from claimed c
    join public.outgoing_events v on v.id = c.event_id
    join public.webhook_endpoints e on e.id = c.endpoint_id
$$;
comment on function public.claim_webhook_deliveries(integer, integer) is
  'Sender: claims due deliveries (attempts + 1, lease, skip locked): [{id, attempt, endpoint_id, url, webhook_id, type, body, secrets}].';
revoke execute on function public.claim_webhook_deliveries(integer, integer) from public, anon, authenticated;
grant execute on function public.claim_webhook_deliveries(integer, integer) to service_role;

/*
  finish_webhook_delivery: records attempt p_attempt of a delivery once, and
  moves the delivery on only if that attempt is still its latest (a sender
  whose lease ran out does not overwrite a newer attempt): a success ends it;
  a failure schedules the next retry or, after the last, keeps it failed.
*/
create function public.finish_webhook_delivery(
  p_id              uuid,
  p_attempt         integer,
  p_started_at      timestamptz,
  p_duration_ms     integer,
  p_succeeded       boolean,
  p_response_status integer default null,
  p_response_body   text default null,
  p_error           text default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row   public.webhook_deliveries;
  v_delay interval;
  v_body  text := p_response_body;
begin
  -- the first 1 KB (bytes, not characters) of the answer
  while octet_length(v_body) > 1024 loop
    v_body := left(v_body, length(v_body) - greatest((octet_length(v_body) - 1024) / 4, 1));
  end loop;
  insert into public.webhook_delivery_attempts
    (delivery_id, attempt, started_at, duration_ms, succeeded, response_status, response_body, error)
  values (p_id, p_attempt, coalesce(p_started_at, now()), greatest(coalesce(p_duration_ms, 0), 0), coalesce(p_succeeded, false),
          p_response_status, v_body, left(p_error, 500))
  on conflict (delivery_id, attempt) do nothing;
  if not found then
    return jsonb_build_object('recorded', false);
  end if;
  select * into v_row from public.webhook_deliveries where id = p_id for update;
  if not found or v_row.attempts <> p_attempt or v_row.status <> 'pending' then
    return jsonb_build_object('recorded', true, 'status', v_row.status);
  end if;
  if p_succeeded then
    update public.webhook_deliveries
       set status = 'succeeded', finished_at = now(), leased_until = null, last_attempt_at = coalesce(p_started_at, now()),
           last_status = p_response_status, last_error = null
     where id = p_id;
    return jsonb_build_object('recorded', true, 'status', 'succeeded');
  end if;
  v_delay := private.outgoing_webhook_retry_delay((v_row.attempts - v_row.schedule_from)::integer);
  update public.webhook_deliveries
     set status = case when v_delay is null then 'failed' else 'pending' end,
         finished_at = case when v_delay is null then now() end,
         leased_until = null,
         next_attempt_at = case when v_delay is null then next_attempt_at else now() + v_delay end,
         last_attempt_at = coalesce(p_started_at, now()),
         last_status = p_response_status,
         last_error = left(coalesce(p_error, 'HTTP ' || p_response_status), 500)
   where id = p_id;
  return jsonb_build_object('recorded', true, 'status', case when v_delay is null then 'failed' else 'pending' end,
                            'retry_in_seconds', extract(epoch from v_delay)::integer);
end
$$;
comment on function public.finish_webhook_delivery(uuid, integer, timestamptz, integer, boolean, integer, text, text) is
  'Sender: records one attempt (once) and ends the delivery, schedules its retry (5 s … 10 h) or keeps it failed. {recorded, status, retry_in_seconds}.';
revoke execute on function public.finish_webhook_delivery(uuid, integer, timestamptz, integer, boolean, integer, text, text)
  from public, anon, authenticated;
grant execute on function public.finish_webhook_delivery(uuid, integer, timestamptz, integer, boolean, integer, text, text)
  to service_role;

/*
  outgoing_webhook_metrics: for /api/metrics. Deliveries created since
  p_since by status, attempts since p_since by outcome, and per enabled
  endpoint how long it has been failing: seconds since the first failed
  attempt after its last success (0 when its latest attempt succeeded or it
  has none).
*/
create function public.outgoing_webhook_metrics(p_since timestamptz)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'deliveries', (select jsonb_build_object(
        'pending', count(*) filter (where status = 'pending'),
        'succeeded', count(*) filter (where status = 'succeeded'),
        'failed', count(*) filter (where status = 'failed'))
      from public.webhook_deliveries where created_at >= p_since),
    'attempts', (select jsonb_build_object(
        'succeeded', count(*) filter (where succeeded),
        'failed', count(*) filter (where not succeeded))
      from public.webhook_delivery_attempts where started_at >= p_since),
    'endpoints', coalesce((select jsonb_agg(jsonb_build_object('id', e.id, 'failing_seconds', coalesce(f.seconds, 0))
                                             order by e.created_at, e.id)
      from public.webhook_endpoints e
      left join lateral (
        select extract(epoch from now() - min(a.started_at))::bigint as seconds
          from public.webhook_delivery_attempts a
          join public.webhook_deliveries d on d.id = a.delivery_id
         where d.endpoint_id = e.id and not a.succeeded
           and a.started_at > coalesce((select max(s.started_at) from public.webhook_delivery_attempts s
                                          join public.webhook_deliveries sd on sd.id = s.delivery_id
                                         where sd.endpoint_id = e.id and s.succeeded), '-infinity')) f on true
     where e.enabled), '[]'::jsonb))
$$;
comment on function public.outgoing_webhook_metrics(timestamptz) is
  'Metrics: outgoing deliveries since p_since by status, attempts by outcome, and per enabled endpoint the seconds it has been failing.';
revoke execute on function public.outgoing_webhook_metrics(timestamptz) from public, anon, authenticated;
grant execute on function public.outgoing_webhook_metrics(timestamptz) to service_role;

/*
  Retention (the sweep): events older than p_older_than whose every delivery
  has finished (delivered, or failed after its last retry), p_batch at a time,
  with their deliveries and attempts. Their data names accounts and e-mails, so
  they go with the webhook payloads (WEBHOOK_PAYLOAD_RETENTION_DAYS).
*/
create function public.purge_outgoing_events(p_older_than timestamptz, p_batch integer default 500)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  delete from public.outgoing_events v
   where v.id in (
     select e.id from public.outgoing_events e
      where e.created_at < p_older_than
        and not exists (select 1 from public.webhook_deliveries d where d.event_id = e.id and d.status = 'pending')
      order by e.created_at
      limit greatest(least(coalesce(p_batch, 500), 10000), 1)
      for update skip locked);
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
comment on function public.purge_outgoing_events(timestamptz, integer) is
  'Retention: deletes up to p_batch outgoing events created before p_older_than with no pending delivery (and their deliveries and attempts); returns how many.';
revoke execute on function public.purge_outgoing_events(timestamptz, integer) from public, anon, authenticated;
grant execute on function public.purge_outgoing_events(timestamptz, integer) to service_role;

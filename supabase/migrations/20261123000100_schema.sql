/*
  Credits: schema.

  Money is integer minor units (bigint), credits are bigint, our ids are uuid.
  Every change to credits goes through the functions in the next migrations;
  no role but the table owner writes these tables directly (see the RLS migration).
*/

/* A person with an account. Created by the trigger on auth.users, never by hand. */
create table public.profiles (
  id         uuid primary key references auth.users (id) on delete cascade,
  email      text not null,
  is_admin   boolean not null default false,
  created_at timestamptz not null default now()
);
create index profiles_email_lower_idx on public.profiles (lower(email));
comment on table public.profiles is 'One row per account; the e-mail used to match purchases made before sign-up.';

/*
  The spendable balance. balance always equals the sum of the user's ledger
  deltas: only the ledger trigger changes it. It may go negative after a refund
  or dispute of credits already spent; the UI shows that as owed.
*/
create table public.wallets (
  user_id    uuid primary key references public.profiles (id) on delete cascade,
  balance    bigint not null default 0,
  updated_at timestamptz not null default now()
);
comment on table public.wallets is 'Cached balance per user; equals sum(credit_ledger.delta), maintained by trigger.';

/* What we sell. Credits and price are fixed per pack; inactive packs are kept for history. */
create table public.credit_packages (
  id              text primary key check (id ~ '^[a-z0-9_-]{1,64}$'),
  name            text not null check (length(name) between 1 and 100),
  description     text not null default '',
  credits         bigint not null check (credits > 0),
  amount_minor    bigint not null check (amount_minor >= 0),
  currency        text not null check (currency ~ '^[a-z]{3}$'),
  active          boolean not null default true,
  stripe_price_id text,
  sort_order      integer not null default 0,
  created_at      timestamptz not null default now()
);
comment on table public.credit_packages is 'Credit packs for sale; a purchase refers to one by id.';

/*
  One row per payment, whatever the provider. unique(provider, external_id) is
  what makes a payment grant exactly once: a redelivered or racing event finds
  the row and stops. user_id is null while the buyer has no account.
*/
create table public.purchases (
  id                uuid primary key default gen_random_uuid(),
  provider          text not null check (provider in ('stripe', 'fireblocks', 'invoices', 'paystack')),
  external_id       text not null check (length(external_id) between 1 and 255),
  user_id           uuid references public.profiles (id) on delete set null,
  email             text,
  package_id        text references public.credit_packages (id),
  credits           bigint not null check (credits > 0),
  amount_minor      bigint not null check (amount_minor >= 0),
  currency          text not null,
  status            text not null check (status in
                      ('completed', 'pending_user', 'partially_refunded', 'refunded', 'disputed', 'reversed')),
  refunded_minor    bigint not null default 0 check (refunded_minor >= 0),
  refunded_credits  bigint not null default 0 check (refunded_credits >= 0),
  disputed_credits  bigint not null default 0 check (disputed_credits >= 0),
  -- disputes already closed (won or lost): a late "dispute created" for one of them changes nothing
  resolved_disputes text[] not null default '{}',
  event_id          text,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  unique (provider, external_id),
  check (refunded_credits + disputed_credits <= credits)
);
create index purchases_user_idx on public.purchases (user_id, created_at desc);
create index purchases_email_lower_idx on public.purchases (lower(email));
comment on table public.purchases is 'Every payment we have seen, keyed by (provider, external_id); the exactly-once anchor.';

/*
  Credits bought by an e-mail that has no account yet. Claimed (once) by the
  trigger when an account with that e-mail appears.
*/
create table public.pending_credit_grants (
  id             uuid primary key default gen_random_uuid(),
  purchase_id    uuid not null unique references public.purchases (id) on delete cascade,
  email          text not null,
  credits        bigint not null check (credits >= 0),
  created_at     timestamptz not null default now(),
  claimed_at     timestamptz,
  claimed_by     uuid references public.profiles (id) on delete set null,
  acknowledged_at timestamptz
);
create index pending_credit_grants_unclaimed_idx
  on public.pending_credit_grants (lower(email)) where claimed_at is null;
comment on table public.pending_credit_grants is 'Paid-for credits waiting for an account with this e-mail.';

/*
  The append-only history of every credit change. unique(kind, reference) makes
  each effect happen once even if its function runs twice.
*/
create table public.credit_ledger (
  id          uuid primary key default gen_random_uuid(),
  user_id     uuid not null references public.profiles (id) on delete cascade,
  delta       bigint not null check (delta <> 0),
  kind        text not null check (kind in
                ('purchase', 'claim', 'refund', 'dispute', 'dispute_reinstated', 'spend', 'adjustment')),
  purchase_id uuid references public.purchases (id),
  reference   text not null,
  created_at  timestamptz not null default now(),
  unique (kind, reference)
);
create index credit_ledger_user_idx on public.credit_ledger (user_id, created_at desc, id desc);
comment on table public.credit_ledger is 'Append-only credit history; wallets.balance is its sum per user.';

/*
  Every delivery from every provider, recorded before it is acted on.
  unique(provider, event_id) is the dedupe key. email / external_id are copied
  out of the payload at ingest so the admin log can search them by index.
*/
create table public.webhook_events (
  id              uuid primary key default gen_random_uuid(),
  provider        text not null check (provider in ('stripe', 'fireblocks', 'invoices', 'paystack', 'tradingview')),
  event_id        text not null check (length(event_id) between 1 and 255),
  event_type      text not null,
  status          text not null check (status in ('received', 'processed', 'ignored', 'failed', 'rejected')),
  attempts        integer not null default 0,
  last_error      text,
  outcome         text,
  payload         jsonb not null,
  email           text,
  external_id     text,
  -- millisecond precision on purpose: the admin log's keyset cursor travels
  -- through JS Dates (ms), and a µs value would make "older than the cursor"
  -- skip rows of the same millisecond; ties are broken by id
  received_at     timestamptz not null default date_trunc('milliseconds', now()),
  processed_at    timestamptz,
  duration_ms     numeric(12, 3),
  next_attempt_at timestamptz,
  unique (provider, event_id)
);
create index webhook_events_recent_idx on public.webhook_events (received_at desc, id desc);
create index webhook_events_status_idx on public.webhook_events (status, received_at desc, id desc);
-- provider alone keeps received_at order; provider + type is served by the type index (types are per provider)
create index webhook_events_provider_idx on public.webhook_events (provider, received_at desc, id desc);
create index webhook_events_type_idx on public.webhook_events (event_type, received_at desc, id desc);
create index webhook_events_event_id_idx on public.webhook_events (event_id);
create index webhook_events_email_idx on public.webhook_events (lower(email)) where email is not null;
create index webhook_events_external_id_idx on public.webhook_events (external_id) where external_id is not null;
create index webhook_events_due_idx on public.webhook_events (next_attempt_at) where status = 'failed';
comment on table public.webhook_events is 'Durable log of every provider delivery: payload, status, attempts, outcome, timing.';

/* One row per processing attempt of an event, for the admin detail page. */
create table public.webhook_event_attempts (
  id          bigint generated always as identity primary key,
  event_id    uuid not null references public.webhook_events (id) on delete cascade,
  attempt     integer not null,
  status      text not null,
  outcome     text,
  error       text,
  duration_ms numeric(12, 3),
  trigger     text not null default 'delivery' check (trigger in ('delivery', 'sweep', 'admin')),
  created_at  timestamptz not null default now()
);
create index webhook_event_attempts_event_idx on public.webhook_event_attempts (event_id, attempt);
comment on table public.webhook_event_attempts is 'History of each processing attempt (first delivery, sweep retries, admin retries).';

/* Stripe subscriptions that grant periodic credits; the newest event wins. */
create table public.subscriptions (
  id                  uuid primary key default gen_random_uuid(),
  provider            text not null default 'stripe',
  external_id         text not null,
  user_id             uuid references public.profiles (id) on delete set null,
  email               text,
  customer_id         text,
  status              text not null,
  package_id          text,
  credits_per_period  bigint,
  current_period_end  timestamptz,
  cancel_at_period_end boolean not null default false,
  last_event_at       timestamptz not null,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  unique (provider, external_id)
);
create index subscriptions_user_idx on public.subscriptions (user_id);
comment on table public.subscriptions is 'Subscription state per provider id; last_event_at keeps a late older event from overwriting a newer one.';

/* Crypto invoice gateway invoices: state machine Ready → Pending → Complete|Fail, Ready → Cancel, Ready → Wait → Pending|Reject. */
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

/* Fireblocks deposit addresses assigned to users by an admin. */
create table public.deposit_addresses (
  id         uuid primary key default gen_random_uuid(),
  address    text not null unique,
  asset_id   text not null,
  user_id    uuid not null references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now()
);
create index deposit_addresses_user_idx on public.deposit_addresses (user_id);
comment on table public.deposit_addresses is 'Which user a Fireblocks deposit to an address belongs to.';

/* How many credits one unit of a crypto asset buys. */
create table public.crypto_rates (
  asset_id         text primary key,
  credits_per_unit numeric not null check (credits_per_unit > 0),
  updated_at       timestamptz not null default now()
);
comment on table public.crypto_rates is 'Credits per unit of each asset accepted as a Fireblocks deposit.';

/* TradingView alerts, stored and shown; no trading is executed. */
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

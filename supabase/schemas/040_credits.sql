/*
  Credits: what is sold, what was paid, and every credit change.

  Money is integer minor units (bigint), credits are bigint, our ids are uuid.
  TypeScript decides what to do; the functions here make it happen once. Each
  is one transaction, locks the rows it reads-then-writes, and is keyed on the
  provider's id so a redelivery or a race finds the work done. No role but the
  table owner writes these tables directly: users and admins read them under
  RLS, and every change goes through a SECURITY DEFINER function.
*/

/*
  The spendable balance. balance always equals the sum of the user's ledger
  deltas: only the ledger trigger changes it. It may go negative after a refund
  or dispute of credits already spent; the UI shows that as owed. Created with
  the profile by the auth.users trigger (010_accounts.sql).

  The credits themselves are in lots (credit_lots, below): balance =
  sum(lots.remaining) - debt, where debt is what reversals took beyond the
  lots (the owed part of a negative balance; the next grant pays it first).
  held is the sum of the active holds; next_expiry_at is the soonest lot
  expiry (of a lot that still holds credits) and next_hold_expiry_at a time
  no active hold expires before (the soonest, or earlier: a hold's end leaves
  it, and the next settle sets it right), so that a spend knows from this one
  row whether anything may have expired before it (then private.settle_wallet
  runs first).
*/
create table public.wallets (
  user_id             uuid primary key references public.profiles (id) on delete cascade,
  balance             bigint not null default 0,
  updated_at          timestamptz not null default now(),
  held                bigint not null default 0 check (held >= 0),
  debt                bigint not null default 0 check (debt >= 0),
  next_expiry_at      timestamptz,
  next_hold_expiry_at timestamptz
);
create index wallets_next_expiry_idx on public.wallets (next_expiry_at) where next_expiry_at is not null;
create index wallets_next_hold_expiry_idx on public.wallets (next_hold_expiry_at) where next_hold_expiry_at is not null;
comment on table public.wallets is 'Cached balance per user; equals sum(credit_ledger.delta), maintained by trigger.';
comment on column public.wallets.held is 'Sum of the amounts of the user''s active holds (credit_holds).';
comment on column public.wallets.debt is 'Credits reversals took beyond the lots; balance = sum(credit_lots.remaining) - debt.';
comment on column public.wallets.next_expiry_at is 'Soonest expires_at of a lot with credits left; null when none expires.';
comment on column public.wallets.next_hold_expiry_at is 'No active hold expires before this time (the soonest expiry, or earlier after a hold ended: the next settle sets it right); null means no hold is active.';
alter table public.wallets enable row level security;
revoke insert, update, delete, truncate on public.wallets from anon, authenticated;
grant select on public.wallets to authenticated;
grant all on public.wallets to service_role;

/* A user sees their own wallet; admins see all. */
create policy wallets_read_own on public.wallets for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

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
alter table public.credit_packages enable row level security;
revoke insert, update, delete, truncate on public.credit_packages from anon, authenticated;
grant select on public.credit_packages to anon, authenticated;
grant all on public.credit_packages to service_role;

/* Anyone may see the active packs (the home page lists them); admins see all. */
create policy credit_packages_read_active on public.credit_packages for select to anon, authenticated
  using (active or public.is_admin());

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
  -- when the credits of a plan period expire (set by the invoice.paid action); null: a pack (CREDIT_PACK_EXPIRY_DAYS)
  credits_expire_at timestamptz,
  unique (provider, external_id),
  check (refunded_credits + disputed_credits <= credits)
);
create index purchases_user_idx on public.purchases (user_id, created_at desc);
create index purchases_email_lower_idx on public.purchases (lower(email));
comment on table public.purchases is 'Every payment we have seen, keyed by (provider, external_id); the exactly-once anchor.';
alter table public.purchases enable row level security;
revoke insert, update, delete, truncate on public.purchases from anon, authenticated;
grant select on public.purchases to authenticated;
grant all on public.purchases to service_role;

/* A user sees their own purchases; admins see all. */
create policy purchases_read_own on public.purchases for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/*
  Credits bought by an e-mail that no confirmed account owns yet. Claimed (once)
  when an account confirms that address.
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
alter table public.pending_credit_grants enable row level security;
revoke insert, update, delete, truncate on public.pending_credit_grants from anon, authenticated;
grant select on public.pending_credit_grants to authenticated;
grant all on public.pending_credit_grants to service_role;

/*
  A user sees the grants their confirmation claimed (claimed_by); admins see
  all. An unclaimed grant is not shown to whoever signed up with its address:
  until the address is confirmed it is not theirs. The app reads grants through
  service-role functions; this is for direct table reads (Supabase's PostgREST).
*/
create policy pending_grants_read_own on public.pending_credit_grants for select to authenticated
  using (claimed_by = auth.uid() or public.is_admin());

/*
  The append-only history of every credit change. unique(kind, reference) makes
  each effect happen once even if its function runs twice. A spend keeps the
  caller's reason; an adjustment keeps the admin's reason and who the admin was.
*/
create table public.credit_ledger (
  id          uuid primary key default gen_random_uuid(),
  user_id     uuid not null references public.profiles (id) on delete cascade,
  delta       bigint not null check (delta <> 0),
  kind        text not null check (kind in
                ('purchase', 'claim', 'refund', 'dispute', 'dispute_reinstated', 'spend', 'adjustment',
                 'capture', 'expire')),
  purchase_id uuid references public.purchases (id),
  reference   text not null,
  created_at  timestamptz not null default now(),
  reason      text check (reason is null or length(reason) between 1 and 500),
  admin_id    uuid references public.profiles (id),
  unique (kind, reference)
);
create index credit_ledger_user_idx on public.credit_ledger (user_id, created_at desc, id desc);
comment on table public.credit_ledger is 'Append-only credit history; wallets.balance is its sum per user.';
comment on column public.credit_ledger.reason is 'Why: the reason a spend was made with, or the admin''s reason for an adjustment.';
comment on column public.credit_ledger.kind is
  'purchase, claim, refund, dispute, dispute_reinstated, spend, adjustment; capture (a hold settled, reference = the hold id) and expire (a lot ran out of time, reference = lot id:remaining after).';
comment on column public.credit_ledger.admin_id is 'The admin who made an adjustment (kind = adjustment only).';
alter table public.credit_ledger enable row level security;
revoke insert, update, delete, truncate on public.credit_ledger from anon, authenticated;
grant select on public.credit_ledger to authenticated;
grant all on public.credit_ledger to service_role;

/* A user sees their own ledger; admins see all. */
create policy credit_ledger_read_own on public.credit_ledger for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/*
  Settings the SQL needs from the server's environment, written at start-up
  (set_credit_pack_expiry_days): one row, absent until first written.
*/
create table public.credit_settings (
  id               boolean primary key default true check (id),
  pack_expiry_days integer check (pack_expiry_days between 1 and 36500),
  updated_at       timestamptz not null default now()
);
comment on table public.credit_settings is
  'One row: CREDIT_PACK_EXPIRY_DAYS as the server last wrote it (null or no row: bought packs never expire).';
alter table public.credit_settings enable row level security;
revoke all on public.credit_settings from public, anon, authenticated;
grant all on public.credit_settings to service_role;

/* set_credit_pack_expiry_days: how long bought packs last (null = forever); writes only when it changes. */
create function public.set_credit_pack_expiry_days(p_days integer)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_days is not null and (p_days < 1 or p_days > 36500) then
    raise exception 'pack expiry must be 1 to 36500 days, or null' using errcode = '22023';
  end if;
  insert into public.credit_settings as s (id, pack_expiry_days) values (true, p_days)
  on conflict (id) do update set pack_expiry_days = excluded.pack_expiry_days, updated_at = now()
   where s.pack_expiry_days is distinct from excluded.pack_expiry_days;
end
$$;
comment on function public.set_credit_pack_expiry_days(integer) is
  'Stores CREDIT_PACK_EXPIRY_DAYS for the ledger trigger: a bought pack''s lot expires that many days after it reaches the wallet (null = never).';
revoke execute on function public.set_credit_pack_expiry_days(integer) from public, anon, authenticated;
grant execute on function public.set_credit_pack_expiry_days(integer) to service_role;

/*
  One row per grant. remaining goes down as debits take from it (never up);
  a lot whose expires_at has passed counts for nothing, except the part
  active holds keep (055_holds.sql says why). ledger_id is the grant that made the lot
  (null for the lot each wallet's balance became when lots were introduced),
  purchase_id the purchase it came from, so a refund takes from it first.
*/
create table public.credit_lots (
  id          uuid primary key default gen_random_uuid(),
  user_id     uuid not null references public.profiles (id) on delete cascade,
  source      text not null check (source in
                ('purchase', 'claim', 'plan', 'adjustment', 'dispute_reinstated', 'migration', 'auto_topup')),
  category    text not null check (category in ('paid', 'promotional')),
  granted     bigint not null check (granted >= 0),
  remaining   bigint not null check (remaining >= 0 and remaining <= granted),
  expires_at  timestamptz,
  created_at  timestamptz not null default now(),
  -- no foreign keys to the ledger and the purchase, and no index of their own: the ledger trigger
  -- writes both from the row it handles, neither table ever loses a row, and a lot is always looked
  -- up with its user (credit_lots_burn_down_idx), so each grant is spared the checks and index entries
  ledger_id   uuid,
  purchase_id uuid
);
-- the burn-down order over the lots that still hold credits
-- the burn-down order; no partial predicate on remaining, so a debit's update of remaining stays a HOT update
create index credit_lots_burn_down_idx on public.credit_lots (user_id, expires_at, category desc, created_at, id);
comment on table public.credit_lots is
  'Credits by grant: source, category (paid|promotional), granted, remaining, expires_at (null = never). Debits take from them in burn-down order.';
alter table public.credit_lots enable row level security;
revoke insert, update, delete, truncate on public.credit_lots from anon, authenticated;
grant select on public.credit_lots to authenticated;
grant all on public.credit_lots to service_role;

/* A user sees their own lots; admins see all. */
create policy credit_lots_read_own on public.credit_lots for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/*
  What each ledger row did to each lot: amount > 0 added to it, < 0 took from
  it; lot_id null is the wallet's debt (+ paid off, - grown). The amounts of
  one ledger row add up to its delta.
*/
create table public.credit_movements (
  -- no foreign keys: only the ledger trigger writes rows here, from the ledger row and the lots it has
  -- just read under the wallet lock, and every spend writes one (a key check per row would cost each
  -- spend two lookups); credit_invariant_violations() checks that they add up
  ledger_id uuid not null,
  seq       integer not null check (seq >= 1),
  lot_id    uuid,
  amount    bigint not null check (amount <> 0),
  primary key (ledger_id, seq)
);
comment on table public.credit_movements is
  'Per ledger row, what it added to (+) or took from (-) each lot, in order; lot_id null = the wallet''s debt. Sums to the row''s delta.';
alter table public.credit_movements enable row level security;
revoke insert, update, delete, truncate on public.credit_movements from anon, authenticated;
grant select on public.credit_movements to authenticated;
grant all on public.credit_movements to service_role;

/* A user sees the movements of their own ledger rows; admins see all. */
create policy credit_movements_read_own on public.credit_movements for select to authenticated
  using (public.is_admin()
         or exists (select 1 from public.credit_ledger l where l.id = ledger_id and l.user_id = auth.uid()));

/*
  Which purchase a payment paid, for refunds and disputes of subscription periods.

  A subscription's credits are granted once per invoice: the purchase's
  external id is the invoice id (in_…), one purchase per billing period.
  Refunds and disputes do not name the invoice, they name the payment: the
  PaymentIntent (pi_…) or the Charge (ch_…). Stripe says which payment paid an
  invoice in one of two ways, depending on the account's API version: the
  invoice itself carries invoice.payment_intent and invoice.charge (API before
  2025-03-31, linked when invoice.paid is processed), or a separate
  invoice_payment.paid event names the invoice and the payment intent (API
  2025-03-31 and later). Either way the pair lands here, keyed by the payment,
  so that a refund or a dispute of one period's payment reverses that period's
  credits.

  The link keeps the purchase's external id, not its row id: Stripe does not
  order deliveries, and invoice_payment.paid may arrive before invoice.paid.
*/
create table public.purchase_payments (
  provider    text not null check (provider in ('stripe', 'fireblocks', 'invoices', 'paystack')),
  payment_id  text not null check (length(payment_id) between 1 and 255),
  external_id text not null check (length(external_id) between 1 and 255),
  event_id    text,
  created_at  timestamptz not null default now(),
  primary key (provider, payment_id)
);
create index purchase_payments_external_idx on public.purchase_payments (provider, external_id);
comment on table public.purchase_payments is
  'Payment (pi_/ch_) → purchase external id (e.g. the invoice) it paid; lets refunds and disputes of a subscription period find that period''s purchase.';
alter table public.purchase_payments enable row level security;
revoke insert, update, delete, truncate on public.purchase_payments from anon, authenticated;
grant select on public.purchase_payments to authenticated;
grant all on public.purchase_payments to service_role;

/* Provider references: admins only, like the event log they come from. */
create policy purchase_payments_admin_read on public.purchase_payments for select to authenticated
  using (public.is_admin());

/* The ledger is append-only. */
create function public.credit_ledger_forbid_change() returns trigger
language plpgsql set search_path = '' as $$
begin
  raise exception 'credit_ledger is append-only' using errcode = '42501';
end
$$;
comment on function public.credit_ledger_forbid_change() is
  'Trigger on credit_ledger update or delete: refuses it (42501). The ledger is append-only; a correction is a new row.';
revoke execute on function public.credit_ledger_forbid_change() from public, anon, authenticated;
grant execute on function public.credit_ledger_forbid_change() to service_role;
create trigger credit_ledger_append_only
  before update or delete on public.credit_ledger
  for each row execute function public.credit_ledger_forbid_change();

/*
  Every ledger row moves the wallet by its delta (balance = sum(delta) by
  construction) and the user's credit lots with it (credit_lots), so that
  every way credits come and go, today's and
  tomorrow's, keeps the lots right without knowing about them.

  A grant (delta > 0) adds a lot: a purchase or a claim is 'paid', expiring
  when its plan period says (purchases.credits_expire_at) or, for a pack,
  CREDIT_PACK_EXPIRY_DAYS after it reaches the wallet (credit_settings; unset
  = never); a reinstated dispute gets the expiry of its purchase's lot back; an
  adjustment is 'promotional' and never expires (adjust_credits then sets what
  the admin chose). A grant pays the wallet's debt first.

  A debit (delta < 0) takes from the lots in burn-down order: soonest
  expires_at first (never-expiring last), promotional before paid, oldest
  first.
  - spend and adjustment: only lots not yet expired; the caller has checked the
    credits are available, so falling short is a bug and raises;
  - capture: the same order, which begins with lots that expired while their
    credits were held for this hold (private.settle_wallet, 055_holds.sql,
    keeps those);
  - refund and dispute: the purchase's own lot first, then the unexpired lots,
    then expired ones still held; what is left becomes debt;
  - expire: exactly the lot named in the reference ('<lot id>:<remaining after>').
  Each lot a row touched is recorded in credit_movements (lot_id null =
  the debt), so the ledger says which lots paid.
  Every change of one user's lots happens under the wallet's row lock: grants,
  refunds and disputes take it here, first; the functions that write spends,
  adjustments, captures and expiries hold it already (they check the credits
  under it), so their rows do not ask again.
*/
create function public.credit_ledger_apply_to_wallet() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_now       timestamptz := now();
  v_debt      bigint;
  v_next      timestamptz;
  v_debt_move bigint := 0;   -- change of the debt (+: grows)
  v_left      bigint;
  v_take      bigint;
  v_seq       integer := 0;
  v_lot       record;
  v_lot_id    uuid;
  v_expires   timestamptz;
  v_category  text := 'paid';
  v_source    text := new.kind;
  v_mode      text;
  v_target    uuid;
  v_recompute boolean := false;
begin
  if new.kind in ('spend', 'capture') then
    -- The common case in one statement: the first lot in burn-down order holds the whole debit.
    -- (A spend never uses an expired lot; a capture starts with those its hold kept.)
    with first_lot as (
      select l.id, l.remaining, l.expires_at
        from public.credit_lots l
       where l.user_id = new.user_id and l.remaining > 0
         and (new.kind = 'capture' or l.expires_at is null or l.expires_at > now())
       order by l.expires_at nulls last, l.category desc, l.created_at, l.id
       limit 1
    ), taken as (
      update public.credit_lots l
         set remaining = l.remaining + new.delta
        from first_lot f
       where l.id = f.id and f.remaining >= -new.delta
      returning l.id, l.remaining, f.expires_at
    ), moved as (
      insert into public.credit_movements (ledger_id, seq, lot_id, amount)
      select new.id, 1, t.id, new.delta from taken t
    )
    select t.id, t.remaining = 0 and t.expires_at is not null into v_lot_id, v_recompute from taken t;
    if v_lot_id is not null then
      if v_recompute then -- that lot may have been the soonest expiry
        update public.wallets
           set balance = balance + new.delta, updated_at = now(),
               next_expiry_at = (select min(l.expires_at) from public.credit_lots l
                                  where l.user_id = new.user_id and l.remaining > 0)
         where user_id = new.user_id;
      else
        update public.wallets set balance = balance + new.delta, updated_at = now() where user_id = new.user_id;
      end if;
      if not found then
        raise exception 'wallet missing for user %', new.user_id using errcode = 'P0002';
      end if;
      return new;
    end if;
    v_recompute := false;
  end if;

  if new.delta > 0 then
    if new.kind in ('purchase', 'claim') then
      select p.credits_expire_at into v_expires from public.purchases p where p.id = new.purchase_id;
      if v_expires is not null then
        v_source := 'plan';
      else
        select v_now + make_interval(days => s.pack_expiry_days) into v_expires
          from public.credit_settings s where s.pack_expiry_days is not null;
      end if;
    elsif new.kind = 'dispute_reinstated' then
      select l.expires_at into v_expires from public.credit_lots l
       where l.user_id = new.user_id and l.purchase_id = new.purchase_id order by l.created_at, l.id limit 1;
    elsif new.kind = 'adjustment' then
      v_category := 'promotional';
    end if;
    -- the common case in two statements: no debt to pay, so the whole grant is the new lot
    update public.wallets
       set balance = balance + new.delta, updated_at = v_now, next_expiry_at = least(next_expiry_at, v_expires)
     where user_id = new.user_id and debt = 0;
    if found then
      with lot as (
        insert into public.credit_lots (user_id, source, category, granted, remaining, expires_at, ledger_id, purchase_id)
        values (new.user_id, v_source, v_category, new.delta, new.delta, v_expires, new.id, new.purchase_id)
        returning id
      )
      insert into public.credit_movements (ledger_id, seq, lot_id, amount) select new.id, 1, lot.id, new.delta from lot;
      return new;
    end if;
  end if;

  if new.delta > 0 or new.kind not in ('spend', 'adjustment', 'capture', 'expire') then
    select w.debt, w.next_expiry_at into v_debt, v_next from public.wallets w where w.user_id = new.user_id for update;
    if not found then
      raise exception 'wallet missing for user %', new.user_id using errcode = 'P0002';
    end if;
  end if;

  if new.delta > 0 then
    v_debt_move := -least(v_debt, new.delta);
    insert into public.credit_lots (user_id, source, category, granted, remaining, expires_at, ledger_id, purchase_id)
    values (new.user_id, v_source, v_category, new.delta, new.delta + v_debt_move, v_expires, new.id, new.purchase_id)
    returning id into v_lot_id;
    if v_debt_move <> 0 then
      v_seq := 1;
      insert into public.credit_movements (ledger_id, seq, lot_id, amount) values (new.id, 1, null, -v_debt_move);
    end if;
    if new.delta + v_debt_move > 0 then
      insert into public.credit_movements (ledger_id, seq, lot_id, amount)
      values (new.id, v_seq + 1, v_lot_id, new.delta + v_debt_move);
      if v_expires is not null and (v_next is null or v_expires < v_next) then
        v_next := v_expires;
      end if;
    end if;
    update public.wallets
       set balance = balance + new.delta, debt = debt + v_debt_move, next_expiry_at = v_next, updated_at = v_now
     where user_id = new.user_id;
    return new;
  end if;

  v_left := -new.delta;
  v_mode := case when new.kind in ('spend', 'adjustment') then 'spend'
                 when new.kind in ('capture', 'expire') then new.kind
                 else 'reverse' end;
  if v_mode = 'expire' then
    v_target := split_part(new.reference, ':', 1)::uuid;
  end if;
  if v_left > 0 then
    for v_lot in
      select l.id, l.remaining, l.expires_at
        from public.credit_lots l
       where l.user_id = new.user_id and l.remaining > 0
         and (v_mode <> 'expire' or l.id = v_target)
         and (v_mode <> 'spend' or l.expires_at is null or l.expires_at > v_now)
       order by case when v_mode <> 'reverse' then 0
                     when l.expires_at is not null and l.expires_at <= v_now then 2
                     when l.purchase_id = new.purchase_id then 0
                     else 1 end,
                l.expires_at nulls last, l.category desc, l.created_at, l.id
    loop
      v_take := least(v_left, v_lot.remaining);
      update public.credit_lots set remaining = remaining - v_take where id = v_lot.id;
      v_seq := v_seq + 1;
      insert into public.credit_movements (ledger_id, seq, lot_id, amount) values (new.id, v_seq, v_lot.id, -v_take);
      if v_take = v_lot.remaining and v_lot.expires_at is not null then
        v_recompute := true; -- it may have been the soonest expiry
      end if;
      v_left := v_left - v_take;
      exit when v_left = 0;
    end loop;
  end if;
  if v_left > 0 then
    if v_mode in ('spend', 'expire') then
      raise exception 'credit lots of user % hold less than % (kind %)', new.user_id, -new.delta, new.kind
        using errcode = 'P0001';
    end if;
    v_debt_move := v_left;
    insert into public.credit_movements (ledger_id, seq, lot_id, amount) values (new.id, v_seq + 1, null, -v_left);
  end if;
  update public.wallets
     set balance = balance + new.delta, debt = debt + v_debt_move, updated_at = v_now,
         next_expiry_at = case when v_recompute
                               then (select min(l.expires_at) from public.credit_lots l
                                      where l.user_id = new.user_id and l.remaining > 0)
                               else next_expiry_at end
   where user_id = new.user_id;
  if not found then
    raise exception 'wallet missing for user %', new.user_id using errcode = 'P0002';
  end if;
  return new;
end
$$;
comment on function public.credit_ledger_apply_to_wallet() is
  'Keeps wallets.balance equal to the ledger sum and the credit lots with it: a grant adds a lot (paying debt first), a debit takes from lots in burn-down order (recorded in credit_movements); the wallet row lock serializes changes per user.';
revoke execute on function public.credit_ledger_apply_to_wallet() from public, anon, authenticated;
grant execute on function public.credit_ledger_apply_to_wallet() to service_role;
create trigger credit_ledger_to_wallet
  after insert on public.credit_ledger
  for each row execute function public.credit_ledger_apply_to_wallet();

/*
  claim_pending_credit_grants: moves every unclaimed grant for this e-mail
  (case-insensitive) into the user's wallet, once. Returns the credits claimed.

  Called when an account confirms the address (private.settle_confirmed_email).
  A confirmation and a payment for the same e-mail can run at the same time:
  each would miss the other's uncommitted row (no confirmed account yet →
  pending grant; no grant yet → nothing to claim) and the credits would stay
  unclaimed. Both take
  a transaction lock on the e-mail before that read, so the second waits for
  the first to commit and then sees its row.
  Rows are locked purchase first, then grant, as reverse_purchase_credits does,
  so a refund racing a claim waits instead of deadlocking.
*/
create function public.claim_pending_credit_grants(p_user_id uuid, p_email text)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_email text := lower(trim(p_email));
  v_grant record;
  v_credits bigint;
  v_claimed_at timestamptz;
  v_total bigint := 0;
begin
  if p_user_id is null or coalesce(v_email, '') = '' then
    raise exception 'user id and email are required' using errcode = '22023';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('credits:buyer-email:' || v_email, 0));
  for v_grant in
    select g.id, g.purchase_id
      from public.pending_credit_grants g
      join public.purchases p on p.id = g.purchase_id
     where lower(g.email) = v_email and g.claimed_at is null
     order by g.created_at, g.id
     for update of p
  loop
    -- read the grant again under its lock: a reversal that committed meanwhile may have shrunk it
    select credits, claimed_at into v_credits, v_claimed_at
      from public.pending_credit_grants where id = v_grant.id for update;
    continue when v_claimed_at is not null;
    if v_credits > 0 then
      insert into public.credit_ledger (user_id, delta, kind, purchase_id, reference)
      values (p_user_id, v_credits, 'claim', v_grant.purchase_id, v_grant.purchase_id::text);
      v_total := v_total + v_credits;
    end if;
    update public.pending_credit_grants
       set claimed_at = now(), claimed_by = p_user_id
     where id = v_grant.id;
    update public.purchases
       set user_id = p_user_id,
           status = case when status = 'pending_user' then 'completed' else status end,
           updated_at = now()
     where id = v_grant.purchase_id;
  end loop;
  return v_total;
end
$$;
comment on function public.claim_pending_credit_grants(uuid, text) is
  'Credits a user with every unclaimed pending grant filed for their e-mail (case-insensitive); each grant once. Returns credits claimed.';
revoke execute on function public.claim_pending_credit_grants(uuid, text) from public, anon, authenticated;
grant execute on function public.claim_pending_credit_grants(uuid, text) to service_role;

/*
  grant_credits_for_purchase: the one way a payment becomes credits.
  Inserts the purchase (unique per provider + external id); a second call,
  sequential or concurrent, finds the row and returns "duplicate". The buyer is
  p_user_id if it has a profile (buying with your own account works before you
  confirm), else the account whose confirmed e-mail is p_email, else nobody:
  then a pending grant is filed for p_email, claimed when an account confirms
  that address. An unconfirmed account with the address gets nothing.
  p_credits null means "the credits of p_package_id".
*/
create function public.grant_credits_for_purchase(
  p_provider     text,
  p_external_id  text,
  p_user_id      uuid,
  p_email        text,
  p_credits      bigint,
  p_amount_minor bigint,
  p_currency     text,
  p_package_id   text default null,
  p_event_id     text default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_credits  bigint := p_credits;
  v_email    text := nullif(lower(trim(p_email)), '');
  v_user_id  uuid;
  v_purchase public.purchases%rowtype;
  v_balance  bigint;
begin
  if p_provider is null or p_provider not in ('stripe', 'fireblocks', 'invoices', 'paystack') then
    raise exception 'unknown provider: %', coalesce(p_provider, 'null') using errcode = '22023';
  end if;
  if coalesce(trim(p_external_id), '') = '' or length(p_external_id) > 255 then
    raise exception 'external id is required (at most 255 characters)' using errcode = '22023';
  end if;
  if p_amount_minor is null or p_amount_minor < 0 then
    raise exception 'amount must be a non-negative integer' using errcode = '22023';
  end if;
  if coalesce(p_currency, '') !~ '^[A-Za-z]{3}$' then
    raise exception 'currency must be a three-letter code' using errcode = '22023';
  end if;
  if v_credits is null then
    select credits into v_credits from public.credit_packages where id = p_package_id;
    if v_credits is null then
      raise exception 'unknown package: %', coalesce(p_package_id, 'none') using errcode = 'P0002';
    end if;
  elsif p_package_id is not null and not exists (select 1 from public.credit_packages where id = p_package_id) then
    raise exception 'unknown package: %', p_package_id using errcode = 'P0002';
  end if;
  if v_credits <= 0 then
    raise exception 'credits must be positive' using errcode = '22023';
  end if;

  if p_user_id is not null then
    select id into v_user_id from public.profiles where id = p_user_id;
  end if;
  if v_user_id is null and v_email is not null then
    -- serializes with a confirmation claiming this e-mail (see claim_pending_credit_grants)
    perform pg_advisory_xact_lock(hashtextextended('credits:buyer-email:' || v_email, 0));
    select p.id into v_user_id
      from public.profiles p
      join auth.users u on u.id = p.id
     where lower(p.email) = v_email and lower(u.email) = v_email and u.email_confirmed_at is not null
     order by u.email_confirmed_at, p.created_at
     limit 1;
  end if;
  if v_user_id is null and v_email is null then
    raise exception 'buyer unknown: no user id or email' using errcode = '22023';
  end if;

  insert into public.purchases as p
    (provider, external_id, user_id, email, package_id, credits, amount_minor, currency, status, event_id)
  values
    (p_provider, trim(p_external_id), v_user_id, v_email, p_package_id, v_credits, p_amount_minor,
     lower(p_currency), case when v_user_id is null then 'pending_user' else 'completed' end, p_event_id)
  on conflict (provider, external_id) do nothing
  returning * into v_purchase;

  if v_purchase.id is null then
    select * into v_purchase from public.purchases
     where provider = p_provider and external_id = trim(p_external_id);
    select balance into v_balance from public.wallets where user_id = v_purchase.user_id;
    return jsonb_build_object('outcome', 'duplicate', 'purchase_id', v_purchase.id,
      'user_id', v_purchase.user_id, 'balance', v_balance, 'credits', v_purchase.credits,
      'email', v_purchase.email);
  end if;

  if v_user_id is null then
    insert into public.pending_credit_grants (purchase_id, email, credits)
    values (v_purchase.id, v_email, v_credits);
    return jsonb_build_object('outcome', 'pending', 'purchase_id', v_purchase.id,
      'user_id', null, 'balance', null, 'credits', v_credits, 'email', v_email);
  end if;

  insert into public.credit_ledger (user_id, delta, kind, purchase_id, reference)
  values (v_user_id, v_credits, 'purchase', v_purchase.id, v_purchase.id::text);
  select balance into v_balance from public.wallets where user_id = v_user_id;
  return jsonb_build_object('outcome', 'granted', 'purchase_id', v_purchase.id,
    'user_id', v_user_id, 'balance', v_balance, 'credits', v_credits, 'email', v_email);
end
$$;
comment on function public.grant_credits_for_purchase(text, text, uuid, text, bigint, bigint, text, text, text) is
  'Records a payment and grants its credits exactly once per (provider, external_id): to the user by id, else to the account whose e-mail is confirmed, else as a pending grant. Returns {outcome: granted|pending|duplicate, purchase_id, user_id, balance}.';
revoke execute on function public.grant_credits_for_purchase(text, text, uuid, text, bigint, bigint, text, text, text) from public, anon, authenticated;
grant execute on function public.grant_credits_for_purchase(text, text, uuid, text, bigint, bigint, text, text, text) to service_role;

/*
  reverse_purchase_credits: refunds and disputes.
  - 'refund': p_refunded_minor is the provider's cumulative refunded amount; the
    credits reversed become credits * refunded / amount (rounded down), so
    replays and out-of-order partial refunds never reverse twice.
  - 'dispute': reverses what is left (credits not yet refunded or disputed).
  - 'dispute_reinstated': gives back what the dispute p_reference took (won).
  - 'dispute_lost': the dispute is final; status becomes 'reversed'.
  Before the buyer has an account the pending grant shrinks instead.
  Raises 'purchase not found' (P0002) when the payment is not known yet, so the
  event is kept as failed and retried.
*/
create function public.reverse_purchase_credits(
  p_provider       text,
  p_external_id    text,
  p_kind           text,
  p_reference      text,
  p_refunded_minor bigint default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_p       public.purchases%rowtype;
  v_target  bigint;
  v_delta   bigint := 0;         -- credits taken (+) or given back (-)
  v_status  text;
  v_ref     text;
  v_balance bigint;
begin
  if p_kind is null or p_kind not in ('refund', 'dispute', 'dispute_reinstated', 'dispute_lost') then
    raise exception 'unknown reversal kind: %', coalesce(p_kind, 'null') using errcode = '22023';
  end if;
  if coalesce(trim(p_reference), '') = '' then
    raise exception 'reference is required' using errcode = '22023';
  end if;
  select * into v_p from public.purchases
   where provider = p_provider and external_id = p_external_id
   for update;
  if v_p.id is null then
    raise exception 'purchase not found: % %', p_provider, p_external_id using errcode = 'P0002';
  end if;

  if p_kind = 'refund' then
    if p_refunded_minor is null or p_refunded_minor < 0 then
      raise exception 'refunded amount must be a non-negative integer' using errcode = '22023';
    end if;
    v_target := case when v_p.amount_minor = 0 then v_p.credits
                     else (v_p.credits * least(p_refunded_minor, v_p.amount_minor)) / v_p.amount_minor end;
    -- credits already taken by an open dispute are not taken twice
    v_target := least(v_target, v_p.credits - v_p.disputed_credits);
    v_delta := greatest(v_target - v_p.refunded_credits, 0);
    v_ref := v_p.id::text || ':refund:' || v_target;
    update public.purchases
       set refunded_minor = greatest(refunded_minor, least(p_refunded_minor, amount_minor)),
           refunded_credits = refunded_credits + v_delta,
           status = case
             when status in ('disputed', 'reversed') then status
             when refunded_credits + v_delta >= credits or greatest(refunded_minor, p_refunded_minor) >= amount_minor then 'refunded'
             when refunded_credits + v_delta > 0 or greatest(refunded_minor, p_refunded_minor) > 0 then 'partially_refunded'
             else status end,
           updated_at = now()
     where id = v_p.id
    returning status into v_status;
  elsif p_kind = 'dispute' and p_reference = any (v_p.resolved_disputes) then
    -- "created" arriving after "closed" (providers do not guarantee order): already settled
    v_status := v_p.status;
  elsif p_kind in ('dispute', 'dispute_lost') then
    v_delta := v_p.credits - v_p.refunded_credits - v_p.disputed_credits;
    v_ref := v_p.id::text || ':dispute:' || p_reference;
    update public.purchases
       set disputed_credits = disputed_credits + v_delta,
           status = case when p_kind = 'dispute_lost' then 'reversed' else 'disputed' end,
           resolved_disputes = case when p_kind = 'dispute_lost' and not p_reference = any (resolved_disputes)
                                    then resolved_disputes || p_reference else resolved_disputes end,
           updated_at = now()
     where id = v_p.id
    returning status into v_status;
  elsif p_reference = any (v_p.resolved_disputes) then
    v_status := v_p.status; -- this dispute was settled already
  else -- dispute_reinstated
    if v_p.status = 'reversed' then
      raise exception 'dispute already lost; cannot reinstate' using errcode = '22023';
    end if;
    v_delta := -v_p.disputed_credits;
    v_ref := v_p.id::text || ':dispute_reinstated:' || p_reference;
    update public.purchases
       set disputed_credits = 0,
           resolved_disputes = resolved_disputes || p_reference,
           status = case when v_p.status <> 'disputed' then v_p.status
                         when refunded_credits >= credits then 'refunded'
                         when refunded_credits > 0 then 'partially_refunded'
                         else case when user_id is null then 'pending_user' else 'completed' end end,
           updated_at = now()
     where id = v_p.id
    returning status into v_status;
  end if;

  if v_delta <> 0 then
    if v_p.user_id is not null then
      insert into public.credit_ledger (user_id, delta, kind, purchase_id, reference)
      values (v_p.user_id, -v_delta,
              case p_kind when 'dispute_lost' then 'dispute' else p_kind end,
              v_p.id, v_ref)
      on conflict (kind, reference) do nothing;
    else
      update public.pending_credit_grants
         set credits = greatest(credits - v_delta, 0)
       where purchase_id = v_p.id and claimed_at is null;
    end if;
  end if;

  if v_p.user_id is not null then
    select balance into v_balance from public.wallets where user_id = v_p.user_id;
  end if;
  return jsonb_build_object('outcome', case when v_delta = 0 then 'unchanged' else 'reversed' end,
    'purchase_id', v_p.id, 'user_id', v_p.user_id, 'credits_reversed', v_delta,
    'status', v_status, 'balance', v_balance);
end
$$;
comment on function public.reverse_purchase_credits(text, text, text, text, bigint) is
  'Refunds (cumulative, proportional), disputes and reinstatements of a purchase; idempotent. The balance may go negative (owed).';
revoke execute on function public.reverse_purchase_credits(text, text, text, text, bigint) from public, anon, authenticated;
grant execute on function public.reverse_purchase_credits(text, text, text, text, bigint) to service_role;

/*
  adjust_credits: an admin grants (p_delta > 0) or deducts (p_delta < 0)
  credits by hand, with a reason. Refused unless p_admin_id is an admin
  (profiles.is_admin, mirrored from ADMIN_EMAILS). A grant is a lot of
  p_category ('promotional' unless the admin says 'paid') expiring at
  p_expires_at (null = never; it must be in the future). A deduction takes
  from the available credits in burn-down order and may not take more than
  are available (balance less the active holds). Each call is its own ledger
  row (kind adjustment, the reason and the admin kept).
*/
create function public.adjust_credits(
  p_user_id    uuid,
  p_delta      bigint,
  p_reason     text,
  p_admin_id   uuid,
  p_expires_at timestamptz default null,
  p_category   text default 'promotional'
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_reason  text := trim(coalesce(p_reason, ''));
  v_wallet  record;
  v_balance bigint;
  v_id      uuid;
begin
  if p_admin_id is null or not exists (select 1 from public.profiles where id = p_admin_id and is_admin) then
    raise exception 'only an admin may adjust credits' using errcode = '42501';
  end if;
  if p_delta is null or p_delta = 0 then
    raise exception 'delta must be a non-zero integer' using errcode = '22023';
  end if;
  if v_reason = '' or length(v_reason) > 500 then
    raise exception 'a reason is required (at most 500 characters)' using errcode = '22023';
  end if;
  if p_category is null or p_category not in ('paid', 'promotional') then
    raise exception 'category must be paid or promotional' using errcode = '22023';
  end if;
  if p_expires_at is not null and (p_delta < 0 or p_expires_at <= now()) then
    raise exception 'an expiry is for a grant, and must be in the future' using errcode = '22023';
  end if;
  select w.balance, w.held, least(w.next_expiry_at, w.next_hold_expiry_at) as due into v_wallet
    from public.wallets w where w.user_id = p_user_id for update;
  if not found then
    raise exception 'wallet not found' using errcode = 'P0002';
  end if;
  if v_wallet.due <= now() then
    perform private.settle_wallet(p_user_id);
    select w.balance, w.held into v_wallet from public.wallets w where w.user_id = p_user_id;
  end if;
  if p_delta < 0 and v_wallet.balance - v_wallet.held + p_delta < 0 then
    raise exception 'insufficient credits: available %, deduction %', v_wallet.balance - v_wallet.held, -p_delta
      using errcode = 'P0001';
  end if;
  insert into public.credit_ledger (user_id, delta, kind, reference, reason, admin_id)
  values (p_user_id, p_delta, 'adjustment', 'adjustment:' || gen_random_uuid()::text, v_reason, p_admin_id)
  returning id into v_id;
  if p_delta > 0 then
    perform private.set_lot_terms(v_id, p_category, p_expires_at, null);
  end if;
  select balance into v_balance from public.wallets where user_id = p_user_id;
  return jsonb_build_object('outcome', 'adjusted', 'ledger_id', v_id, 'balance', v_balance);
end
$$;
comment on function public.adjust_credits(uuid, bigint, text, uuid, timestamptz, text) is
  'An admin''s manual grant (a lot: promotional unless paid, expiring at p_expires_at or never) or deduction (at most the available credits), ledger kind adjustment with the reason and the admin kept; refused for non-admins. {outcome, ledger_id, balance}.';
revoke execute on function public.adjust_credits(uuid, bigint, text, uuid, timestamptz, text) from public, anon, authenticated;
grant execute on function public.adjust_credits(uuid, bigint, text, uuid, timestamptz, text) to service_role;

/*
  link_purchase_payments: records that these payments paid the purchase with
  this external id. Idempotent; a payment already linked to another purchase
  keeps its first link (a payment pays one invoice) and is reported back.
*/
create function public.link_purchase_payments(
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
  v_linked   text[] := '{}'::text[];
  v_conflict text[] := '{}'::text[];
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
revoke execute on function public.link_purchase_payments(text, text, text[], text) from public, anon, authenticated;
grant execute on function public.link_purchase_payments(text, text, text[], text) to service_role;

/*
  The purchase a refund or dispute is about: the first of p_ids (payment
  intent, charge, invoice: in that order of preference) that is a purchase's
  external id itself, else the first one linked to a purchase above. Null when
  none is known yet.
*/
create function private.purchase_external_id_for_payment(p_provider text, p_ids text[])
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
revoke execute on function private.purchase_external_id_for_payment(text, text[]) from public, anon, authenticated;

/*
  What the signed-in pages and the admin's account pages read.

  The server calls these as service_role with the user id taken from the
  session (or an admin page), never from the request. Lists are
  keyset-paginated on (created_at, id), newest first, so a page is one index
  range scan however long the history. Each row carries cursor_at, its
  created_at as UTC text with microseconds: a JavaScript Date keeps only
  milliseconds, and a cursor rounded to them would skip rows.
*/

/* list_active_packages: the packs on sale, in display order. */
create function public.list_active_packages()
returns table (
  id text, name text, description text, credits bigint, amount_minor bigint, currency text, stripe_price_id text
)
language sql
stable
security definer
set search_path = ''
as $$
  select p.id, p.name, p.description, p.credits, p.amount_minor, p.currency, p.stripe_price_id
    from public.credit_packages p
   where p.active
   order by p.sort_order, p.amount_minor, p.id
$$;
comment on function public.list_active_packages() is
  'Credit packs currently on sale, in display order (home page, wallet, checkout).';
revoke execute on function public.list_active_packages() from public, anon, authenticated;
grant execute on function public.list_active_packages() to service_role;

/* get_active_package: one pack by id, only while it is on sale (checkout refuses the rest). */
create function public.get_active_package(p_id text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object('id', p.id, 'name', p.name, 'description', p.description, 'credits', p.credits,
           'amount_minor', p.amount_minor, 'currency', p.currency, 'stripe_price_id', p.stripe_price_id)
    from public.credit_packages p
   where p.id = p_id and p.active
$$;
comment on function public.get_active_package(text) is
  'One credit pack by id if it is active, else null. Checkout starts only from these.';
revoke execute on function public.get_active_package(text) from public, anon, authenticated;
grant execute on function public.get_active_package(text) to service_role;

/*
  get_wallet: the wallet page's numbers (private.wallet_state, 055_holds.sql,
  which reads the holds); null when the user has no wallet.
*/
create function public.get_wallet(p_user_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return private.wallet_state(p_user_id);
end
$$;
comment on function public.get_wallet(uuid) is
  'The wallet of one user as of now: {balance (negative = owed), available, held, debt, expiring_30_days, next_expiry_at, updated_at}; null when the user has none.';
revoke execute on function public.get_wallet(uuid) from public, anon, authenticated;
grant execute on function public.get_wallet(uuid) to service_role;

/*
  list_credit_lots: a user's lots for the admin page: those with credits left
  first, in burn-down order, then the used-up and expired ones, newest first
  (at most 200).
*/
create function public.list_credit_lots(p_user_id uuid)
returns table (
  id uuid, source text, category text, granted bigint, remaining bigint, expires_at timestamptz,
  created_at timestamptz, expired boolean, purchase_id uuid, ledger_id uuid
)
language sql
stable
security definer
set search_path = ''
as $$
  select l.id, l.source, l.category, l.granted, l.remaining, l.expires_at, l.created_at,
         coalesce(l.expires_at <= now(), false), l.purchase_id, l.ledger_id
    from public.credit_lots l
   where l.user_id = p_user_id
   order by (l.remaining > 0 and (l.expires_at is null or l.expires_at > now())) desc,
            case when l.remaining > 0 and (l.expires_at is null or l.expires_at > now()) then l.expires_at end nulls last,
            case when l.remaining > 0 and (l.expires_at is null or l.expires_at > now()) then l.category end desc,
            l.created_at desc, l.id
   limit 200
$$;
comment on function public.list_credit_lots(uuid) is
  'One user''s credit lots (at most 200): with credits left in burn-down order first, then used up or expired, newest first.';
revoke execute on function public.list_credit_lots(uuid) from public, anon, authenticated;
grant execute on function public.list_credit_lots(uuid) to service_role;

/*
  list_credit_ledger: a page of the user's ledger, newest first, before the
  (created_at, id) cursor, with the reason (spends, adjustments, captures),
  the admin's e-mail for adjustments, and the lots the row added to or took
  from (lots: [{lot_id (null = debt), amount, category, expires_at}]).
*/
create function public.list_credit_ledger(
  p_user_id   uuid,
  p_before_at timestamptz default null,
  p_before_id uuid default null,
  p_limit     integer default 20
) returns table (
  id uuid, delta bigint, kind text, reference text, purchase_id uuid,
  package_name text, provider text, reason text, admin_email text, created_at timestamptz, cursor_at text,
  lots jsonb
)
language sql
stable
security definer
set search_path = ''
as $$
  select l.id, l.delta, l.kind, l.reference, l.purchase_id, c.name, p.provider, l.reason, a.email, l.created_at,
         to_char(l.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
         coalesce((select jsonb_agg(jsonb_build_object('lot_id', m.lot_id, 'amount', m.amount,
                                                       'category', k.category, 'expires_at', k.expires_at)
                                    order by m.seq)
                     from public.credit_movements m
                     left join public.credit_lots k on k.id = m.lot_id
                    where m.ledger_id = l.id), '[]'::jsonb)
    from public.credit_ledger l
    left join public.purchases p on p.id = l.purchase_id
    left join public.credit_packages c on c.id = p.package_id
    left join public.profiles a on a.id = l.admin_id
   where l.user_id = p_user_id
     and (p_before_at is null or (l.created_at, l.id) < (p_before_at, p_before_id))
   order by l.created_at desc, l.id desc
   limit least(greatest(coalesce(p_limit, 20), 1), 100)
$$;
comment on function public.list_credit_ledger(uuid, timestamptz, uuid, integer) is
  'A page (at most 100) of one user''s credit ledger with reasons and the lots each row touched, newest first, keyset-paginated on (created_at, id).';
revoke execute on function public.list_credit_ledger(uuid, timestamptz, uuid, integer) from public, anon, authenticated;
grant execute on function public.list_credit_ledger(uuid, timestamptz, uuid, integer) to service_role;

/* list_purchases: a page of the user's purchases, newest first. */
create function public.list_purchases(
  p_user_id   uuid,
  p_before_at timestamptz default null,
  p_before_id uuid default null,
  p_limit     integer default 20
) returns table (
  id uuid, provider text, external_id text, package_id text, package_name text, credits bigint,
  amount_minor bigint, currency text, status text, created_at timestamptz, cursor_at text
)
language sql
stable
security definer
set search_path = ''
as $$
  select p.id, p.provider, p.external_id, p.package_id, c.name, p.credits,
         p.amount_minor, p.currency, p.status, p.created_at,
         to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    from public.purchases p
    left join public.credit_packages c on c.id = p.package_id
   where p.user_id = p_user_id
     and (p_before_at is null or (p.created_at, p.id) < (p_before_at, p_before_id))
   order by p.created_at desc, p.id desc
   limit least(greatest(coalesce(p_limit, 20), 1), 100)
$$;
comment on function public.list_purchases(uuid, timestamptz, uuid, integer) is
  'A page (at most 100) of one user''s purchases, newest first, keyset-paginated on (created_at, id).';
revoke execute on function public.list_purchases(uuid, timestamptz, uuid, integer) from public, anon, authenticated;
grant execute on function public.list_purchases(uuid, timestamptz, uuid, integer) to service_role;

/*
  take_claim_notices: credits bought before the account existed and claimed at
  sign-up are announced once. Marks the claimed grants acknowledged and returns
  what they added up to; the next call returns zero.
*/
create function public.take_claim_notices(p_user_id uuid)
returns jsonb
language sql
volatile
security definer
set search_path = ''
as $$
  with taken as (
    update public.pending_credit_grants g
       set acknowledged_at = now()
     where g.claimed_by = p_user_id and g.claimed_at is not null and g.acknowledged_at is null
    returning g.credits
  )
  select jsonb_build_object('grants', count(*), 'credits', coalesce(sum(credits), 0)) from taken
$$;
comment on function public.take_claim_notices(uuid) is
  'Marks the user''s claimed pending grants as announced and returns {grants, credits} not announced before.';
revoke execute on function public.take_claim_notices(uuid) from public, anon, authenticated;
grant execute on function public.take_claim_notices(uuid) to service_role;

/* list_pending_grants_for_user: unclaimed grants filed for the user's e-mail, and those they claimed. */
create function public.list_pending_grants_for_user(p_user_id uuid)
returns table (id uuid, purchase_id uuid, email text, credits bigint, created_at timestamptz, claimed_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select g.id, g.purchase_id, g.email, g.credits, g.created_at, g.claimed_at
    from public.pending_credit_grants g
   where g.claimed_by = p_user_id
      or (g.claimed_at is null
          and lower(g.email) = (select lower(email) from public.profiles where id = p_user_id))
   order by g.created_at desc, g.id desc
   limit 100
$$;
comment on function public.list_pending_grants_for_user(uuid) is
  'Admin: the pending credit grants for a user''s e-mail (unclaimed) and those the user claimed, newest first; at most 100.';
revoke execute on function public.list_pending_grants_for_user(uuid) from public, anon, authenticated;
grant execute on function public.list_pending_grants_for_user(uuid) to service_role;

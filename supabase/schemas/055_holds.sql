/*
  Credit lots and holds: which credits a user has (and until when), and
  credits reserved for work whose cost is known only at the end.

  Lots. Every grant adds a lot and every debit takes from lots; the ledger
  trigger does both (credit_ledger_apply_to_wallet, 040_credits.sql), so no
  grant or debit path needs to know. The burn-down order is: soonest
  expires_at first (never-expiring last), then promotional before paid, then
  oldest. credit_movements says, per ledger row, which lots it added to or
  took from. balance = sum(remaining) - debt, always.

  Holds. A hold reserves part of the available credits (balance less the
  active holds) until it is captured (the captured part is spent, the rest
  freed), released, or it expires. wallets.held is the sum of the active
  holds. Every write locks the wallet row first, so holds, spends, captures
  and grants of one user are serialized, and none of them can promise credits
  twice.

  Expiry without waiting for a job. The wallet row carries the soonest lot and
  hold expiry. Every write that finds one past runs private.settle_wallet
  first (expired holds marked and their credits freed, expired lots written
  off as ledger rows of kind expire), and every read computes what is expired
  at that instant. The sweep (expire_credit_lots, every minute) settles the
  wallets nobody touches.

  Credits held when their lot expires stay with the hold: a hold is a promise
  that its credits can be captured. Holds count against the lots in burn-down
  order, which starts with the expired lots, so the part of an expired lot
  that active holds need is kept (until they settle) and only the rest expires.
*/

/*
  Holds. status moves once, from active to captured, released or expired; an
  active hold past expires_at reads as expired everywhere before the sweep
  marks it. (user_id, idempotency_key) makes creating one happen once.
*/
create table public.credit_holds (
  id              uuid primary key default gen_random_uuid(),
  user_id         uuid not null references public.profiles (id) on delete cascade,
  idempotency_key text not null check (length(idempotency_key) between 1 and 255),
  amount          bigint not null check (amount > 0),
  reason          text check (reason is null or length(reason) between 1 and 200),
  status          text not null default 'active' check (status in ('active', 'captured', 'released', 'expired')),
  expires_at      timestamptz not null,
  created_at      timestamptz not null default now(),
  captured        bigint check (captured >= 0 and captured <= amount),
  settled_at      timestamptz,
  released_by     uuid references public.profiles (id) on delete set null,
  ledger_id       uuid, -- the capture's ledger row (no foreign key: capture_credit_hold writes both in one go)
  release_reason  text check (release_reason is null or length(release_reason) between 1 and 500),
  unique (user_id, idempotency_key),
  check ((status = 'captured') = (captured is not null)),
  check ((status = 'active') = (settled_at is null))
);
create index credit_holds_user_idx on public.credit_holds (user_id, created_at desc, id desc);
create index credit_holds_active_idx on public.credit_holds (user_id, expires_at) where status = 'active';
comment on table public.credit_holds is
  'Credits reserved until captured (spent, ledger kind capture), released or expired; unique per (user, idempotency key).';
comment on column public.credit_holds.released_by is 'The admin who released the hold (null when its owner did, or it was not released).';
comment on column public.credit_holds.release_reason is 'The admin''s reason for releasing the hold.';
alter table public.credit_holds enable row level security;
revoke insert, update, delete, truncate on public.credit_holds from anon, authenticated;
grant select on public.credit_holds to authenticated;
grant all on public.credit_holds to service_role;

/* A user sees their own holds; admins see all. */
create policy credit_holds_read_own on public.credit_holds for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/*
  set_lot_terms: the category, expiry (and source) of the lot a grant made,
  for grants whose terms the ledger trigger cannot know: an admin's
  adjustment, a plan period's credits. The wallet's soonest expiry follows.
*/
create function private.set_lot_terms(p_ledger_id uuid, p_category text, p_expires_at timestamptz, p_source text)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_user uuid;
begin
  update public.credit_lots l
     set category = p_category, expires_at = p_expires_at, source = coalesce(p_source, l.source)
   where l.user_id = (select g.user_id from public.credit_ledger g where g.id = p_ledger_id)
     and l.ledger_id = p_ledger_id
  returning l.user_id into v_user;
  if v_user is not null then
    update public.wallets w
       set next_expiry_at = (select min(l.expires_at) from public.credit_lots l
                              where l.user_id = v_user and l.remaining > 0)
     where w.user_id = v_user;
  end if;
end
$$;
comment on function private.set_lot_terms(uuid, text, timestamptz, text) is
  'Sets the category, expiry and source of the lot a ledger row granted, and the wallet''s next_expiry_at with it.';
revoke execute on function private.set_lot_terms(uuid, text, timestamptz, text) from public, anon, authenticated;

/*
  settle_wallet: writes down what has expired in one wallet. The caller holds
  the wallet row lock. Active holds past expires_at become expired (their
  credits free again); then each lot past its expiry, in burn-down order,
  loses what the remaining active holds do not need from it, as one ledger
  row of kind expire (reference '<lot id>:<remaining after>', once per step).
  p_lots false: the holds only (the sweep's expire_credit_holds).
*/
create function private.settle_wallet(
  p_user_id uuid,
  p_lots boolean default true,
  out holds_expired integer,
  out lots_expired integer
)
language plpgsql
set search_path = ''
as $$
declare
  v_now    timestamptz := now();
  v_freed  bigint;
  v_held   bigint;
  v_keep   bigint;
  v_lot    record;
begin
  holds_expired := 0;
  lots_expired := 0;
  with expired as (
    update public.credit_holds h
       set status = 'expired', settled_at = v_now
     where h.user_id = p_user_id and h.status = 'active' and h.expires_at <= v_now
    returning h.id, h.amount
  )
  -- each hold marked here sends hold.expired in this transaction (trigger credit_holds_webhook_events, 095)
  select count(*), coalesce(sum(e.amount), 0) into holds_expired, v_freed from expired e;
  update public.wallets w
     set held = w.held - v_freed,
         next_hold_expiry_at = (select min(h.expires_at) from public.credit_holds h
                                 where h.user_id = p_user_id and h.status = 'active')
   where w.user_id = p_user_id
  returning w.held into v_held;
  if not p_lots then
    return;
  end if;

  for v_lot in
    select l.id, l.remaining
      from public.credit_lots l
     where l.user_id = p_user_id and l.remaining > 0 and l.expires_at <= v_now
     order by l.expires_at, l.category desc, l.created_at, l.id
  loop
    v_keep := least(v_lot.remaining, v_held);
    v_held := v_held - v_keep;
    continue when v_keep = v_lot.remaining;
    insert into public.credit_ledger (user_id, delta, kind, reference)
    values (p_user_id, v_keep - v_lot.remaining, 'expire', v_lot.id::text || ':' || v_keep);
    lots_expired := lots_expired + 1;
  end loop;
end
$$;
comment on function private.settle_wallet(uuid, boolean) is
  'Under the caller''s wallet lock: marks the wallet''s past-due active holds expired (freeing their credits), then writes off expired lots (ledger kind expire) except what active holds still need. Returns (holds_expired, lots_expired).';
revoke execute on function private.settle_wallet(uuid, boolean) from public, anon, authenticated;

/*
  The wallet as of now, for reads: expired holds hold nothing and expired lots
  count for nothing (beyond what active holds keep), whether or not the wallet
  was settled since. balance = unexpired credits owned (negative = owed),
  held = active holds, available = balance - held, expiring_30_days = credits
  in unexpired lots that expire within 30 days.
*/
create function private.wallet_state(p_user_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  with w as (
    select * from public.wallets where user_id = p_user_id
  ), late_holds as (
    select coalesce(sum(h.amount), 0) as amount
      from public.credit_holds h
     where h.user_id = p_user_id and h.status = 'active' and h.expires_at <= now()
       and (select w.next_hold_expiry_at from w) <= now()
  ), expired_lots as (
    select coalesce(sum(l.remaining), 0) as amount
      from public.credit_lots l
     where l.user_id = p_user_id and l.remaining > 0 and l.expires_at <= now()
       and (select w.next_expiry_at from w) <= now()
  ), state as (
    select w.*, w.held - (select amount from late_holds) as held_now,
           (select amount from expired_lots) as expired_amount
      from w
  )
  select jsonb_build_object(
           'balance', s.balance - greatest(s.expired_amount - s.held_now, 0),
           'held', s.held_now,
           'available', s.balance - greatest(s.expired_amount - s.held_now, 0) - s.held_now,
           'debt', s.debt,
           'expiring_30_days', (select coalesce(sum(l.remaining), 0) from public.credit_lots l
                                 where l.user_id = p_user_id and l.remaining > 0
                                   and l.expires_at > now() and l.expires_at <= now() + interval '30 days'),
           'next_expiry_at', (select min(l.expires_at) from public.credit_lots l
                               where l.user_id = p_user_id and l.remaining > 0 and l.expires_at > now()),
           'updated_at', s.updated_at)
    from state s
$$;
comment on function private.wallet_state(uuid) is
  'One wallet as of now: {balance, held, available, debt, expiring_30_days, next_expiry_at, updated_at}; expired holds and lots already left out.';
revoke execute on function private.wallet_state(uuid) from public, anon, authenticated;

/* A hold as the API shows it; an active hold past expires_at reads expired. */
create function private.hold_json(p_hold public.credit_holds)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_expired boolean := p_hold.status = 'active' and p_hold.expires_at <= now();
begin
  return jsonb_build_object(
    'id', p_hold.id,
    'amount', p_hold.amount,
    'status', case when v_expired then 'expired' else p_hold.status end,
    'reason', p_hold.reason,
    'expires_at', p_hold.expires_at,
    'created_at', p_hold.created_at,
    'captured', p_hold.captured,
    'settled_at', case when v_expired then p_hold.expires_at else p_hold.settled_at end);
end
$$;
comment on function private.hold_json(public.credit_holds) is
  'A hold as JSON {id, amount, status, reason, expires_at, created_at, captured, settled_at}, expired when past expires_at.';
revoke execute on function private.hold_json(public.credit_holds) from public, anon, authenticated;

/*
  lock_wallet: the first step of every hold write: the wallet row locked,
  settled when something in it has expired. Raises P0002 without a wallet.
*/
create function private.lock_wallet(p_user_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_due timestamptz;
begin
  select least(w.next_expiry_at, w.next_hold_expiry_at) into v_due
    from public.wallets w where w.user_id = p_user_id for update;
  if not found then
    raise exception 'wallet not found' using errcode = 'P0002';
  end if;
  if v_due <= now() then
    perform private.settle_wallet(p_user_id);
  end if;
end
$$;
comment on function private.lock_wallet(uuid) is
  'Locks the user''s wallet row (FOR UPDATE) and settles it when a lot or hold in it has expired; P0002 without a wallet.';
revoke execute on function private.lock_wallet(uuid) from public, anon, authenticated;

/* The wallet's {balance, available} after a write, under the lock (settled, so the columns are current). */
create function private.wallet_after_write(p_user_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  -- plpgsql, not sql: its plan is kept for the session (a non-inlined SQL function is planned on every call)
  return (select jsonb_build_object('balance', w.balance, 'available', w.balance - w.held)
            from public.wallets w where w.user_id = p_user_id);
end
$$;
comment on function private.wallet_after_write(uuid) is
  'The locked, settled wallet''s {balance, available}: what a hold write answers with.';
revoke execute on function private.wallet_after_write(uuid) from public, anon, authenticated;

/*
  create_credit_hold: reserves p_amount of the available credits for
  p_expires_in_seconds (1 to 86400, default 900), once per (user, key).
  {outcome: held|duplicate (the same key and amount: the first hold)|
  conflict (the same key, another amount)|insufficient (nothing written),
  hold, balance, available}.
*/
create function public.create_credit_hold(
  p_user_id            uuid,
  p_amount             bigint,
  p_idempotency_key    text,
  p_reason             text default null,
  p_expires_in_seconds integer default 900
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_reason text := nullif(trim(coalesce(p_reason, '')), '');
  v_hold   public.credit_holds%rowtype;
  v_money  jsonb;
begin
  if p_amount is null or p_amount <= 0 then
    raise exception 'amount must be a positive integer' using errcode = '22023';
  end if;
  if coalesce(trim(p_idempotency_key), '') = '' or length(p_idempotency_key) > 255 then
    raise exception 'idempotency key is required (at most 255 characters)' using errcode = '22023';
  end if;
  if length(v_reason) > 200 then
    raise exception 'reason must be at most 200 characters' using errcode = '22023';
  end if;
  if p_expires_in_seconds is null or p_expires_in_seconds < 1 or p_expires_in_seconds > 86400 then
    raise exception 'expires_in_seconds must be 1 to 86400' using errcode = '22023';
  end if;
  perform private.lock_wallet(p_user_id);
  v_money := private.wallet_after_write(p_user_id);
  select * into v_hold from public.credit_holds where user_id = p_user_id and idempotency_key = p_idempotency_key;
  if v_hold.id is not null then
    return jsonb_build_object('outcome', case when v_hold.amount = p_amount then 'duplicate' else 'conflict' end,
                              'hold', private.hold_json(v_hold)) || v_money;
  end if;
  if (v_money ->> 'available')::bigint < p_amount then
    return jsonb_build_object('outcome', 'insufficient') || v_money;
  end if;
  insert into public.credit_holds (user_id, idempotency_key, amount, reason, expires_at)
  values (p_user_id, p_idempotency_key, p_amount, v_reason, now() + make_interval(secs => p_expires_in_seconds))
  returning * into v_hold;
  update public.wallets w
     set held = w.held + p_amount,
         next_hold_expiry_at = least(w.next_hold_expiry_at, v_hold.expires_at),
         updated_at = now()
   where w.user_id = p_user_id
  returning jsonb_build_object('balance', w.balance, 'available', w.balance - w.held) into v_money;
  return jsonb_build_object('outcome', 'held', 'hold', private.hold_json(v_hold)) || v_money;
end
$$;
comment on function public.create_credit_hold(uuid, bigint, text, text, integer) is
  'Reserves available credits once per (user, idempotency key) under the wallet lock: {outcome: held|duplicate|conflict|insufficient, hold, balance, available}.';
revoke execute on function public.create_credit_hold(uuid, bigint, text, text, integer) from public, anon, authenticated;
grant execute on function public.create_credit_hold(uuid, bigint, text, text, integer) to service_role;

/*
  End an active hold (capture or release), under the wallet lock already held:
  the hold's amount leaves wallets.held. next_hold_expiry_at is left as it
  was: it may now be earlier than the soonest active hold, which is allowed
  (it is the time something may expire, never later): the first write after
  it settles the wallet once, and settle_wallet sets it right. Recomputing it
  here would cost every capture a look at the active holds and make the
  wallet update non-HOT (the column is indexed).
  Then, if a lot in the wallet has expired (next_expiry_at), the credits of it
  that this hold kept, and did not spend, expire now (settle_wallet).
  Returns the wallet's {balance, available} after it all.
*/
create function private.end_hold(p_hold public.credit_holds)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_balance bigint;
  v_held    bigint;
  v_lot_due timestamptz;
begin
  update public.wallets w
     set held = w.held - p_hold.amount,
         updated_at = now()
   where w.user_id = p_hold.user_id
  returning w.balance, w.held, w.next_expiry_at into v_balance, v_held, v_lot_due;
  if v_lot_due <= now() then
    perform private.settle_wallet(p_hold.user_id);
    return private.wallet_after_write(p_hold.user_id);
  end if;
  return jsonb_build_object('balance', v_balance, 'available', v_balance - v_held);
end
$$;
comment on function private.end_hold(public.credit_holds) is
  'Takes an ended (captured or released) hold out of its wallet''s held amount, settles the wallet when a lot in it has expired, and returns {balance, available}.';
revoke execute on function private.end_hold(public.credit_holds) from public, anon, authenticated;

/*
  capture_credit_hold: settles an active hold. p_amount (0 to the hold's
  amount; null = all of it) is spent (ledger kind capture, with the hold's
  reason), the rest freed. {outcome: captured|duplicate (captured before:
  nothing more spent)|not_active (released or expired)|too_much (more than
  held)|not_found (no such hold of this user), hold, balance, available}.
*/
create function public.capture_credit_hold(p_user_id uuid, p_hold_id uuid, p_amount bigint default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_hold   public.credit_holds%rowtype;
  v_amount bigint;
  v_ledger uuid;
begin
  if p_amount is not null and p_amount < 0 then
    raise exception 'amount must be 0 or more' using errcode = '22023';
  end if;
  perform private.lock_wallet(p_user_id);
  -- every write of a hold happens under its wallet's row lock (just taken): the hold needs no lock of its own
  select * into v_hold from public.credit_holds where id = p_hold_id and user_id = p_user_id;
  if v_hold.id is null then
    return jsonb_build_object('outcome', 'not_found');
  end if;
  v_amount := coalesce(p_amount, v_hold.amount);
  if v_amount > v_hold.amount then
    return jsonb_build_object('outcome', 'too_much', 'hold', private.hold_json(v_hold))
           || private.wallet_after_write(p_user_id);
  end if;
  if v_hold.status <> 'active' then
    return jsonb_build_object('outcome', case when v_hold.status = 'captured' then 'duplicate' else 'not_active' end,
                              'hold', private.hold_json(v_hold))
           || private.wallet_after_write(p_user_id);
  end if;
  if v_amount > 0 then
    insert into public.credit_ledger (user_id, delta, kind, reference, reason)
    values (p_user_id, -v_amount, 'capture', v_hold.id::text, v_hold.reason)
    returning id into v_ledger;
  end if;
  update public.credit_holds
     set status = 'captured', captured = v_amount, settled_at = now(), ledger_id = v_ledger
   where id = v_hold.id
  returning * into v_hold;
  return jsonb_build_object('outcome', 'captured', 'hold', private.hold_json(v_hold)) || private.end_hold(v_hold);
end
$$;
comment on function public.capture_credit_hold(uuid, uuid, bigint) is
  'Captures (spends) all or part of an active hold once under the wallet lock, freeing the rest: {outcome: captured|duplicate|not_active|too_much|not_found, hold, balance, available}.';
revoke execute on function public.capture_credit_hold(uuid, uuid, bigint) from public, anon, authenticated;
grant execute on function public.capture_credit_hold(uuid, uuid, bigint) to service_role;

/*
  release_credit_hold: frees an active hold without spending; p_admin_id and
  p_reason when an admin does it (both kept on the hold; refused unless
  p_admin_id is an admin). {outcome: released|duplicate (released
  before)|not_active (captured or expired)|not_found, hold, balance, available}.
*/
create function public.release_credit_hold(
  p_user_id  uuid,
  p_hold_id  uuid,
  p_admin_id uuid default null,
  p_reason   text default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_hold   public.credit_holds%rowtype;
  v_reason text := nullif(trim(coalesce(p_reason, '')), '');
begin
  if p_admin_id is not null and not exists (select 1 from public.profiles where id = p_admin_id and is_admin) then
    raise exception 'only an admin may release another account''s hold' using errcode = '42501';
  end if;
  if length(v_reason) > 500 then
    raise exception 'reason must be at most 500 characters' using errcode = '22023';
  end if;
  perform private.lock_wallet(p_user_id);
  -- every write of a hold happens under its wallet's row lock (just taken): the hold needs no lock of its own
  select * into v_hold from public.credit_holds where id = p_hold_id and user_id = p_user_id;
  if v_hold.id is null then
    return jsonb_build_object('outcome', 'not_found');
  end if;
  if v_hold.status <> 'active' then
    return jsonb_build_object('outcome', case when v_hold.status = 'released' then 'duplicate' else 'not_active' end,
                              'hold', private.hold_json(v_hold))
           || private.wallet_after_write(p_user_id);
  end if;
  update public.credit_holds
     set status = 'released', settled_at = now(), released_by = p_admin_id, release_reason = v_reason
   where id = v_hold.id
  returning * into v_hold;
  return jsonb_build_object('outcome', 'released', 'hold', private.hold_json(v_hold)) || private.end_hold(v_hold);
end
$$;
comment on function public.release_credit_hold(uuid, uuid, uuid, text) is
  'Releases an active hold once under the wallet lock (p_admin_id, p_reason: an admin did it, and why): {outcome: released|duplicate|not_active|not_found, hold, balance, available}.';
revoke execute on function public.release_credit_hold(uuid, uuid, uuid, text) from public, anon, authenticated;
grant execute on function public.release_credit_hold(uuid, uuid, uuid, text) to service_role;

/* get_credit_hold: one of the user's holds as JSON (expired when past expires_at); null when they have no such hold. */
create function public.get_credit_hold(p_user_id uuid, p_hold_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select private.hold_json(h) from public.credit_holds h where h.id = p_hold_id and h.user_id = p_user_id
$$;
comment on function public.get_credit_hold(uuid, uuid) is
  'One hold of the user: {id, amount, status, reason, expires_at, created_at, captured, settled_at}; null when not theirs or unknown.';
revoke execute on function public.get_credit_hold(uuid, uuid) from public, anon, authenticated;
grant execute on function public.get_credit_hold(uuid, uuid) to service_role;

/*
  list_credit_holds: the user's holds, newest first (at most 100), with the
  status as of now; p_status keeps only those in that status.
*/
create function public.list_credit_holds(p_user_id uuid, p_status text default null, p_limit integer default 50)
returns table (
  id uuid, amount bigint, status text, reason text, idempotency_key text, expires_at timestamptz,
  created_at timestamptz, captured bigint, settled_at timestamptz, released_by_email text, release_reason text
)
language sql
stable
security definer
set search_path = ''
as $$
  select h.id, h.amount, h.status_now, h.reason, h.idempotency_key, h.expires_at, h.created_at, h.captured,
         case when h.status = 'active' and h.status_now = 'expired' then h.expires_at else h.settled_at end,
         a.email, h.release_reason
    from (select c.*, case when c.status = 'active' and c.expires_at <= now() then 'expired' else c.status end as status_now
            from public.credit_holds c where c.user_id = p_user_id) h
    left join public.profiles a on a.id = h.released_by
   where p_status is null or h.status_now = p_status
   order by h.created_at desc, h.id desc
   limit least(greatest(coalesce(p_limit, 50), 1), 100)
$$;
comment on function public.list_credit_holds(uuid, text, integer) is
  'One user''s holds, newest first (at most 100), status as of now (active past expires_at reads expired), optionally only one status; who released it (an admin) and why.';
revoke execute on function public.list_credit_holds(uuid, text, integer) from public, anon, authenticated;
grant execute on function public.list_credit_holds(uuid, text, integer) to service_role;

/* GET /api/v1/balance in one call: the key's owner's wallet {outcome: ok, balance, available, held}, or the gate's answer. */
create function public.get_balance_with_api_key(
  p_key_hash text, p_rate_limit integer default 600, p_window_seconds integer default 60
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_gate   jsonb := private.api_key_owner(p_key_hash, p_rate_limit, p_window_seconds);
  v_wallet jsonb;
begin
  if v_gate ? 'outcome' then
    return v_gate;
  end if;
  v_wallet := private.wallet_state((v_gate ->> 'user_id')::uuid);
  return jsonb_build_object('outcome', 'ok', 'balance', coalesce((v_wallet ->> 'balance')::bigint, 0),
    'available', coalesce((v_wallet ->> 'available')::bigint, 0), 'held', coalesce((v_wallet ->> 'held')::bigint, 0));
end
$$;
comment on function public.get_balance_with_api_key(text, integer, integer) is
  'GET /api/v1/balance: API key → {outcome: ok, balance, available, held} as of now, or {outcome: unauthorized|rate_limited, …}.';
revoke execute on function public.get_balance_with_api_key(text, integer, integer) from public, anon, authenticated;
grant execute on function public.get_balance_with_api_key(text, integer, integer) to service_role;

/* POST /api/v1/holds in one call: the gate, then create_credit_hold for the key's owner. */
create function public.create_hold_with_api_key(
  p_key_hash           text,
  p_amount             bigint,
  p_idempotency_key    text,
  p_reason             text default null,
  p_expires_in_seconds integer default 900,
  p_rate_limit         integer default 600,
  p_window_seconds     integer default 60
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_gate jsonb := private.api_key_owner(p_key_hash, p_rate_limit, p_window_seconds);
begin
  if v_gate ? 'outcome' then
    return v_gate;
  end if;
  return public.create_credit_hold((v_gate ->> 'user_id')::uuid, p_amount, p_idempotency_key, p_reason,
                                   coalesce(p_expires_in_seconds, 900));
end
$$;
comment on function public.create_hold_with_api_key(text, bigint, text, text, integer, integer, integer) is
  'POST /api/v1/holds: API key → its owner, rate limit, create_credit_hold; or {outcome: unauthorized|rate_limited, …}.';
revoke execute on function public.create_hold_with_api_key(text, bigint, text, text, integer, integer, integer) from public, anon, authenticated;
grant execute on function public.create_hold_with_api_key(text, bigint, text, text, integer, integer, integer) to service_role;

/* POST /api/v1/holds/{id}/capture in one call. */
create function public.capture_hold_with_api_key(
  p_key_hash       text,
  p_hold_id        uuid,
  p_amount         bigint default null,
  p_rate_limit     integer default 600,
  p_window_seconds integer default 60
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_gate jsonb := private.api_key_owner(p_key_hash, p_rate_limit, p_window_seconds);
begin
  if v_gate ? 'outcome' then
    return v_gate;
  end if;
  return public.capture_credit_hold((v_gate ->> 'user_id')::uuid, p_hold_id, p_amount);
end
$$;
comment on function public.capture_hold_with_api_key(text, uuid, bigint, integer, integer) is
  'POST /api/v1/holds/{id}/capture: API key → its owner, rate limit, capture_credit_hold; or {outcome: unauthorized|rate_limited, …}.';
revoke execute on function public.capture_hold_with_api_key(text, uuid, bigint, integer, integer) from public, anon, authenticated;
grant execute on function public.capture_hold_with_api_key(text, uuid, bigint, integer, integer) to service_role;

/* POST /api/v1/holds/{id}/release in one call. */
create function public.release_hold_with_api_key(
  p_key_hash text, p_hold_id uuid, p_rate_limit integer default 600, p_window_seconds integer default 60
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_gate jsonb := private.api_key_owner(p_key_hash, p_rate_limit, p_window_seconds);
begin
  if v_gate ? 'outcome' then
    return v_gate;
  end if;
  return public.release_credit_hold((v_gate ->> 'user_id')::uuid, p_hold_id, null, null);
end
$$;
comment on function public.release_hold_with_api_key(text, uuid, integer, integer) is
  'POST /api/v1/holds/{id}/release: API key → its owner, rate limit, release_credit_hold; or {outcome: unauthorized|rate_limited, …}.';
revoke execute on function public.release_hold_with_api_key(text, uuid, integer, integer) from public, anon, authenticated;
grant execute on function public.release_hold_with_api_key(text, uuid, integer, integer) to service_role;

/* GET /api/v1/holds/{id} in one call: {outcome: ok, hold} or {outcome: not_found}, or the gate's answer. */
create function public.get_hold_with_api_key(
  p_key_hash text, p_hold_id uuid, p_rate_limit integer default 600, p_window_seconds integer default 60
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_gate jsonb := private.api_key_owner(p_key_hash, p_rate_limit, p_window_seconds);
  v_hold jsonb;
begin
  if v_gate ? 'outcome' then
    return v_gate;
  end if;
  v_hold := public.get_credit_hold((v_gate ->> 'user_id')::uuid, p_hold_id);
  if v_hold is null then
    return jsonb_build_object('outcome', 'not_found');
  end if;
  return jsonb_build_object('outcome', 'ok', 'hold', v_hold);
end
$$;
comment on function public.get_hold_with_api_key(text, uuid, integer, integer) is
  'GET /api/v1/holds/{id}: API key → its owner, rate limit, the hold {outcome: ok, hold} or {outcome: not_found}.';
revoke execute on function public.get_hold_with_api_key(text, uuid, integer, integer) from public, anon, authenticated;
grant execute on function public.get_hold_with_api_key(text, uuid, integer, integer) to service_role;

/* GET /api/v1/holds?status= in one call: {outcome: ok, holds: [...]} (newest first, at most 100), or the gate's answer. */
create function public.list_holds_with_api_key(
  p_key_hash       text,
  p_status         text default null,
  p_limit          integer default 100,
  p_rate_limit     integer default 600,
  p_window_seconds integer default 60
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_gate jsonb := private.api_key_owner(p_key_hash, p_rate_limit, p_window_seconds);
begin
  if v_gate ? 'outcome' then
    return v_gate;
  end if;
  return jsonb_build_object('outcome', 'ok', 'holds', coalesce((
    select jsonb_agg(jsonb_build_object('id', h.id, 'amount', h.amount, 'status', h.status, 'reason', h.reason,
             'expires_at', h.expires_at, 'created_at', h.created_at, 'captured', h.captured,
             'settled_at', h.settled_at) order by h.created_at desc, h.id desc)
      from public.list_credit_holds((v_gate ->> 'user_id')::uuid, p_status, p_limit) h), '[]'::jsonb));
end
$$;
comment on function public.list_holds_with_api_key(text, text, integer, integer, integer) is
  'GET /api/v1/holds: API key → its owner, rate limit, their holds {outcome: ok, holds} (optionally one status).';
revoke execute on function public.list_holds_with_api_key(text, text, integer, integer, integer) from public, anon, authenticated;
grant execute on function public.list_holds_with_api_key(text, text, integer, integer, integer) to service_role;

/*
  api_key_writes: several of the API's writes in one transaction
  (docs/performance.md, "Group commit of the spend API").

  Under load, spends and hold writes that arrive while the previous database
  call is still running are sent together (lib/db/api-write-batch.ts). Each
  element is {"fn": <one of spend_credits_with_api_key,
  create_hold_with_api_key, capture_hold_with_api_key,
  release_hold_with_api_key>, "args": <its named arguments>} and is answered
  as that function answers it alone: the same key check and rate limit, the
  same wallet row lock, the same idempotency. Only the transaction, the round
  trip and the commit's WAL flush are shared, and one more thing: the key's
  rate-limit count is written once per key for all of its requests in the
  batch (count_api_key_uses with their number, keys in hash order so that
  two batches lock them in the same order), and the k-th of them is judged
  at the count it would have had alone. Two writes of one wallet in one batch
  run one after the other under the lock this transaction already holds: the
  second sees the first's debit, as it would one call later; the same
  Idempotency-Key twice finds the first's row (duplicate).

  There is no subtransaction per element (a savepoint each cost more than
  the rare error it would isolate): if any element raises (a bad argument, a
  deadlock with another batch), the whole call fails and nothing of it
  commits; the caller then sends each write again alone
  (lib/db/group-commit.ts), so one bad write fails only itself. Nothing is
  answered before the whole batch has committed.
*/
create function public.api_key_writes(p_calls jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_call    jsonb;
  v_args    jsonb;
  v_slot    text;
  v_key     record;
  v_uses    jsonb := '{}'::jsonb;
  v_seen    jsonb := '{}'::jsonb;
  v_gate    jsonb;
  v_nth     integer;
  v_user    uuid;
  v_result  jsonb;
  v_results jsonb := '[]'::jsonb;
begin
  if jsonb_typeof(p_calls) is distinct from 'array' then
    raise exception 'p_calls must be a JSON array' using errcode = '22023';
  end if;
  -- every request counted against its key's rate limit: one update per key (and window) for all its requests
  for v_key in
    select c.value -> 'args' ->> 'p_key_hash' as key_hash,
           greatest(coalesce((c.value -> 'args' ->> 'p_window_seconds')::integer, 60), 1) as window_seconds,
           count(*)::integer as uses
      from jsonb_array_elements(p_calls) as c
     group by 1, 2
     order by 1, 2
  loop
    v_uses := v_uses || jsonb_build_object(v_key.key_hash || '/' || v_key.window_seconds,
      coalesce(private.count_api_key_uses(v_key.key_hash, v_key.uses, v_key.window_seconds), '{}'::jsonb)
        || jsonb_build_object('uses', v_key.uses));
  end loop;
  for v_call in select c.value from jsonb_array_elements(p_calls) as c loop
    v_args := v_call -> 'args';
    v_slot := (v_args ->> 'p_key_hash') || '/' || greatest(coalesce((v_args ->> 'p_window_seconds')::integer, 60), 1);
    v_gate := v_uses -> v_slot;
    v_nth := coalesce((v_seen ->> v_slot)::integer, 0) + 1;
    v_seen := v_seen || jsonb_build_object(v_slot, v_nth);
    -- judged at the count this request would have had alone
    v_gate := private.api_key_gate(v_gate, (v_gate ->> 'count')::integer - (v_gate ->> 'uses')::integer + v_nth,
                                   (v_args ->> 'p_rate_limit')::integer, (v_args ->> 'p_window_seconds')::integer);
    if v_gate ? 'outcome' then
      v_result := v_gate;
    else
      v_user := (v_gate ->> 'user_id')::uuid;
      case v_call ->> 'fn'
        when 'spend_credits_with_api_key' then
          v_result := public.record_spend(v_user, (v_args ->> 'p_amount')::bigint, v_args ->> 'p_idempotency_key',
                                          v_args ->> 'p_reason');
        when 'create_hold_with_api_key' then
          v_result := public.create_credit_hold(v_user, (v_args ->> 'p_amount')::bigint,
            v_args ->> 'p_idempotency_key', v_args ->> 'p_reason',
            coalesce((v_args ->> 'p_expires_in_seconds')::integer, 900));
        when 'capture_hold_with_api_key' then
          v_result := public.capture_credit_hold(v_user, (v_args ->> 'p_hold_id')::uuid,
                                                 (v_args ->> 'p_amount')::bigint);
        when 'release_hold_with_api_key' then
          v_result := public.release_credit_hold(v_user, (v_args ->> 'p_hold_id')::uuid, null, null);
        else
          raise exception 'unknown API write: %', coalesce(v_call ->> 'fn', 'none') using errcode = '22023';
      end case;
    end if;
    v_results := v_results || jsonb_build_array(v_result);
  end loop;
  return v_results;
end
$$;
comment on function public.api_key_writes(jsonb) is
  'The API''s writes (spend_credits_with_api_key, create_/capture_/release_hold_with_api_key) for each {fn, args} of a JSON array, in one transaction, each key''s requests counted in its rate limit in one update. Returns an array in the same order, each element that function''s answer alone; if any raises, the whole call fails and nothing of it commits.';
revoke execute on function public.api_key_writes(jsonb) from public, anon, authenticated;
grant execute on function public.api_key_writes(jsonb) to service_role;

/*
  expire_credit_lots: the sweep's step (every minute, any number of
  instances): settles every wallet in which a lot or a hold has expired (at
  most 500 per call; a wallet another transaction holds is skipped, it
  settles itself). Returns the number of expire ledger rows written.
*/
create function public.expire_credit_lots()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user uuid;
  v_rows integer := 0;
  v_done record;
begin
  for v_user in
    select w.user_id from public.wallets w
     where w.next_expiry_at <= now() or w.next_hold_expiry_at <= now()
     limit 500
     for update skip locked
  loop
    select * into v_done from private.settle_wallet(v_user);
    v_rows := v_rows + v_done.lots_expired;
  end loop;
  return v_rows;
end
$$;
comment on function public.expire_credit_lots() is
  'Sweep: settles wallets with an expired lot or hold (holds marked expired, lots written off as ledger kind expire, except what active holds keep). Returns expire rows written.';
revoke execute on function public.expire_credit_lots() from public, anon, authenticated;
grant execute on function public.expire_credit_lots() to service_role;

/*
  expire_credit_holds: the sweep's first step: marks the active holds past
  expires_at expired in every wallet that has one (lots are left to
  expire_credit_lots, which runs next); returns the holds marked.
*/
create function public.expire_credit_holds()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user uuid;
  v_rows integer := 0;
  v_done record;
begin
  for v_user in
    select w.user_id from public.wallets w
     where w.next_hold_expiry_at <= now()
     limit 500
     for update skip locked
  loop
    select * into v_done from private.settle_wallet(v_user, false);
    v_rows := v_rows + v_done.holds_expired;
  end loop;
  return v_rows;
end
$$;
comment on function public.expire_credit_holds() is
  'Sweep: marks active holds past expires_at expired (their credits free again) in every wallet that has one; returns how many.';
revoke execute on function public.expire_credit_holds() from public, anon, authenticated;
grant execute on function public.expire_credit_holds() to service_role;

/*
  credit_invariant_violations: what must always hold between wallets, ledger,
  lots and holds; one row per breach (none = all good). The fault and
  concurrency suites and the benchmark's verification call it.
*/
create function public.credit_invariant_violations()
returns table (user_id uuid, problem text)
language sql
stable
security definer
set search_path = ''
as $$
  with lots as (
    select l.user_id, sum(l.remaining) as remaining from public.credit_lots l group by l.user_id
  ), ledger as (
    select l.user_id, sum(l.delta) as total from public.credit_ledger l group by l.user_id
  ), holds as (
    select h.user_id, sum(h.amount) as held, min(h.expires_at) as next_at
      from public.credit_holds h where h.status = 'active' group by h.user_id
  ), next_lot as (
    select l.user_id, min(l.expires_at) as next_at from public.credit_lots l where l.remaining > 0 group by l.user_id
  )
  select w.user_id, format('balance %s <> ledger sum %s', w.balance, coalesce(g.total, 0))
    from public.wallets w left join ledger g on g.user_id = w.user_id
   where w.balance <> coalesce(g.total, 0)
  union all
  select w.user_id, format('balance %s <> lots remaining %s - debt %s', w.balance, coalesce(l.remaining, 0), w.debt)
    from public.wallets w left join lots l on l.user_id = w.user_id
   where w.balance <> coalesce(l.remaining, 0) - w.debt
  union all
  select w.user_id, format('debt %s while lots still hold %s', w.debt, l.remaining)
    from public.wallets w join lots l on l.user_id = w.user_id
   where w.debt > 0 and l.remaining > 0
  union all
  select w.user_id, format('held %s <> active holds %s', w.held, coalesce(h.held, 0))
    from public.wallets w left join holds h on h.user_id = w.user_id
   where w.held <> coalesce(h.held, 0)
  union all
  select w.user_id, format('next_hold_expiry_at %s is later than the soonest active hold''s expiry %s',
                           coalesce(w.next_hold_expiry_at::text, 'null'), h.next_at)
    from public.wallets w join holds h on h.user_id = w.user_id
   where w.next_hold_expiry_at is null or w.next_hold_expiry_at > h.next_at
  union all
  select w.user_id, format('next_expiry_at %s <> %s', w.next_expiry_at, n.next_at)
    from public.wallets w left join next_lot n on n.user_id = w.user_id
   where w.next_expiry_at is distinct from n.next_at
  union all
  select l.user_id, format('lot %s: remaining %s <> what its movements add up to %s', l.id, l.remaining,
                           case when l.ledger_id is null then l.granted else 0 end + coalesce(m.total, 0))
    from public.credit_lots l
    left join (select lot_id, sum(amount) as total from public.credit_movements group by lot_id) m on m.lot_id = l.id
   where l.remaining <> case when l.ledger_id is null then l.granted else 0 end + coalesce(m.total, 0)
  union all
  select g.user_id, format('ledger row %s (%s): delta %s <> its lot movements %s', g.id, g.kind, g.delta, m.total)
    from public.credit_ledger g
    join (select ledger_id, sum(amount) as total from public.credit_movements group by ledger_id) m
      on m.ledger_id = g.id
   where m.total <> g.delta
  union all
  select g.user_id, format('ledger row %s (%s) has no lot movements', g.id, g.kind)
    from public.credit_ledger g
   where not exists (select 1 from public.credit_movements m where m.ledger_id = g.id)
     -- rows older than lots themselves (each wallet then became one lot of source migration) have none
     and g.created_at > coalesce((select min(l.created_at) from public.credit_lots l
                                   where l.user_id = g.user_id and l.source = 'migration'), '-infinity')
  union all
  select h.user_id, format('hold %s captured %s: ledger %s', h.id, h.captured, coalesce(-g.delta, 0))
    from public.credit_holds h left join public.credit_ledger g on g.id = h.ledger_id
   where h.status = 'captured' and h.captured <> coalesce(-g.delta, 0)
$$;
comment on function public.credit_invariant_violations() is
  'Every breach of: balance = ledger sum = lots remaining - debt, no debt beside credits, held = active holds, soonest expiries, each lot = its movements, each ledger row = its movements, each capture = its ledger row. Empty when all hold.';
revoke execute on function public.credit_invariant_violations() from public, anon, authenticated;
grant execute on function public.credit_invariant_violations() to service_role;

/*
  API keys and spending: how a program spends a user's credits
  (POST /api/v1/spend), and how a signed-in user does (spend_credits).

  A key looks like `ck_` + 64 random hex characters (244 random bits from two
  gen_random_uuid(), which draws on the server's strong random source). It is
  made here, returned once by create_api_key, and never stored: only its
  SHA-256 is kept, so a copy of the database spends nothing. Requests are
  looked up by that hash through a unique index (one index probe whatever the
  number of keys).

  The per-key rate limit lives on the key row itself (a fixed window counter),
  so it holds across any number of app instances: every request of a key
  updates that row, and the row lock serializes them.

  A spend is a ledger row like every other credit change (040_credits.sql), so
  the wallet stays the ledger's sum.

  A key is a credential of its account: it spends the account's credits as
  well as a signed-in browser does. So creating one needs a confirmed e-mail
  address (an account whose address is unproven may belong to someone who only
  typed another person's address, and a key made before the owner takes the
  address back would keep spending), and whatever ends the account's sessions
  revokes its keys too (057_account_access.sql). A revoked key keeps why it
  was revoked: the keys page lists it, and the API answers 401 with it.
*/

/*
  One row per key. Users read their own keys (admins all), but not the hash: a
  hash is not the key, yet there is no reason to hand it out. Nobody writes the
  table but the functions below.
*/
create table public.api_keys (
  id                     uuid primary key default gen_random_uuid(),
  user_id                uuid not null references public.profiles (id) on delete cascade,
  name                   text not null check (length(name) between 1 and 100),
  -- the first characters of the key (`ck_` + 8), shown so a user can tell their keys apart
  prefix                 text not null check (prefix ~ '^ck_[0-9a-f]{8}$'),
  key_hash               text not null unique check (key_hash ~ '^[0-9a-f]{64}$'),
  created_at             timestamptz not null default now(),
  last_used_at           timestamptz,
  revoked_at             timestamptz,
  rate_window_started_at timestamptz,
  rate_window_requests   integer not null default 0 check (rate_window_requests >= 0),
  revoked_reason         text,
  constraint api_keys_revoked_reason_check check (
    (revoked_at is null and revoked_reason is null)
    or (revoked_at is not null
        and revoked_reason in ('revoked_by_owner', 'password_changed', 'signed_out_everywhere', 'account_disabled')))
);
create index api_keys_user_idx on public.api_keys (user_id, created_at desc, id desc);
comment on table public.api_keys is
  'API keys for the public spend API: SHA-256 of the key only (the plaintext is shown once), name, prefix, use and revocation, and the per-key rate-limit window.';
comment on column public.api_keys.revoked_reason is
  'revoked_by_owner, password_changed, signed_out_everywhere or account_disabled; null while the key works.';
alter table public.api_keys enable row level security;
revoke all on public.api_keys from public, anon, authenticated;
grant select (id, user_id, name, prefix, created_at, last_used_at, revoked_at, revoked_reason) on public.api_keys to authenticated;
grant all on public.api_keys to service_role;

/* A user sees their own keys (without the hash, by the column grant above); admins see all. */
create policy api_keys_read_own on public.api_keys for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/* api_key_hash: the stored form of a key (the app hashes the same way before it asks). */
create function public.api_key_hash(p_key text)
returns text
language sql
immutable
set search_path = ''
as $$
  select encode(pg_catalog.sha256(convert_to(p_key, 'UTF8')), 'hex')
$$;
comment on function public.api_key_hash(text) is 'SHA-256 (hex) of an API key: the only form in which a key is stored.';
revoke execute on function public.api_key_hash(text) from public, anon, authenticated;
grant execute on function public.api_key_hash(text) to service_role;

/*
  create_api_key: a new key for a confirmed, enabled account. The plaintext
  exists only in this function's result. At most 25 active keys per user (a
  per-user advisory lock makes the count hold under concurrent creates).
*/
create function public.create_api_key(p_user_id uuid, p_name text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_name    text := trim(coalesce(p_name, ''));
  v_account record;
  v_key     text;
  v_id      uuid;
begin
  if v_name = '' or length(v_name) > 100 then
    raise exception 'key name is required (at most 100 characters)' using errcode = '22023';
  end if;
  select u.email_confirmed_at, u.banned_until into v_account
    from public.profiles p join auth.users u on u.id = p.id
   where p.id = p_user_id;
  if not found then
    raise exception 'user not found' using errcode = 'P0002';
  end if;
  if v_account.banned_until > now() then
    raise exception 'the account is disabled' using errcode = '55000';
  end if;
  if v_account.email_confirmed_at is null then
    raise exception 'confirm the account''s e-mail address before creating an API key' using errcode = '55000';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('credits:api-keys:' || p_user_id::text, 0));
  if (select count(*) from public.api_keys where user_id = p_user_id and revoked_at is null) >= 25 then
    raise exception 'at most 25 active keys per account; revoke one first' using errcode = '22023';
  end if;
  v_key := 'ck_' || replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
  insert into public.api_keys (user_id, name, prefix, key_hash)
  values (p_user_id, v_name, left(v_key, 11), public.api_key_hash(v_key))
  returning id into v_id;
  return jsonb_build_object('id', v_id, 'key', v_key);
end
$$;
comment on function public.create_api_key(uuid, text) is
  'Creates an API key for a confirmed, enabled account and returns {id, key}: the only time the plaintext exists; only its SHA-256 is stored.';
revoke execute on function public.create_api_key(uuid, text) from public, anon, authenticated;
grant execute on function public.create_api_key(uuid, text) to service_role;

/* revoke_api_key: the owner's key stops working at once, revoked by its owner. True when the key is (now) revoked. */
create function public.revoke_api_key(p_user_id uuid, p_key_id uuid)
returns boolean
language sql
security definer
set search_path = ''
as $$
  with revoked as (
    update public.api_keys
       set revoked_at = coalesce(revoked_at, now()),
           revoked_reason = coalesce(revoked_reason, 'revoked_by_owner')
     where id = p_key_id and user_id = p_user_id
    returning id
  )
  select exists (select 1 from revoked)
$$;
comment on function public.revoke_api_key(uuid, uuid) is
  'Revokes one of the user''s own API keys (idempotent; reason revoked_by_owner); false when the user has no such key.';
revoke execute on function public.revoke_api_key(uuid, uuid) from public, anon, authenticated;
grant execute on function public.revoke_api_key(uuid, uuid) to service_role;

/* list_api_keys: the user's keys for /settings/api-keys, active first, newest first, with why a key was revoked; never the hash. */
create function public.list_api_keys(p_user_id uuid)
returns table (
  id uuid, name text, prefix text, created_at timestamptz, last_used_at timestamptz, revoked_at timestamptz,
  revoked_reason text
)
language sql
stable
security definer
set search_path = ''
as $$
  select k.id, k.name, k.prefix, k.created_at, k.last_used_at, k.revoked_at, k.revoked_reason
    from public.api_keys k
   where k.user_id = p_user_id
   order by k.revoked_at is not null, k.created_at desc, k.id desc
   limit 100
$$;
comment on function public.list_api_keys(uuid) is
  'One user''s API keys (at most 100; active first, then newest): name, prefix, created, last used, revoked and why.';
revoke execute on function public.list_api_keys(uuid) from public, anon, authenticated;
grant execute on function public.list_api_keys(uuid) to service_role;

/*
  count_api_key_uses: p_uses requests of the key (by hash) counted in its
  rate-limit window, in one UPDATE that finds the working key through the
  unique index (a new window starts when the last one is over) and records
  the use. Returns {key_id, user_id, count (the window's count after these
  uses), started (the window's start)}; a revoked key answers
  {revoked_reason} (nothing written); an unknown key null. The second lookup
  runs only when the update found no working key. One request counts 1
  (authenticate_api_key); a batch of the API's writes counts all of one key's
  requests at once (api_key_writes, 055_holds.sql).
*/
create function private.count_api_key_uses(p_key_hash text, p_uses integer, p_window_seconds integer)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_window  interval := make_interval(secs => greatest(coalesce(p_window_seconds, 60), 1));
  v_key_id  uuid;
  v_user_id uuid;
  v_count   integer;
  v_started timestamptz;
  v_reason  text;
begin
  update public.api_keys k
     set last_used_at = now(),
         rate_window_requests = case when k.rate_window_started_at > now() - v_window
                                     then least(k.rate_window_requests::bigint + p_uses, 2147483646)::integer
                                     else least(p_uses, 2147483646) end,
         rate_window_started_at = case when k.rate_window_started_at > now() - v_window
                                       then k.rate_window_started_at else now() end
   where k.key_hash = p_key_hash and k.revoked_at is null
  returning k.id, k.user_id, k.rate_window_requests, k.rate_window_started_at
       into v_key_id, v_user_id, v_count, v_started;
  if v_key_id is null then
    select k.revoked_reason into v_reason from public.api_keys k where k.key_hash = p_key_hash;
    return case when v_reason is null then null else jsonb_build_object('revoked_reason', v_reason) end;
  end if;
  return jsonb_build_object('key_id', v_key_id, 'user_id', v_user_id, 'count', v_count, 'started', v_started);
end
$$;
comment on function private.count_api_key_uses(text, integer, integer) is
  'Counts p_uses requests in the working key''s rate-limit window and stamps last_used_at: {key_id, user_id, count, started}; {revoked_reason} for a revoked key; null for an unknown one.';
revoke execute on function private.count_api_key_uses(text, integer, integer) from public, anon, authenticated;

/*
  api_key_verdict: whether the request that brought a key's window to
  p_count fits the rate limit. p_uses is count_api_key_uses' answer for a
  working key. Returns {key_id, user_id, allowed, retry_after_seconds}.
*/
create function private.api_key_verdict(p_uses jsonb, p_count integer, p_rate_limit integer, p_window_seconds integer)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_allowed boolean := p_count <= greatest(coalesce(p_rate_limit, 600), 1);
begin
  return jsonb_build_object(
    'key_id', p_uses -> 'key_id',
    'user_id', p_uses -> 'user_id',
    'allowed', v_allowed,
    'retry_after_seconds', case when v_allowed then 0
                                else greatest(ceil(extract(epoch from (p_uses ->> 'started')::timestamptz
                                  + make_interval(secs => greatest(coalesce(p_window_seconds, 60), 1)) - now()))::integer, 1)
                           end);
end
$$;
comment on function private.api_key_verdict(jsonb, integer, integer, integer) is
  'Whether the request counted p_count in a working key''s window fits the rate limit: {key_id, user_id, allowed, retry_after_seconds}.';
revoke execute on function private.api_key_verdict(jsonb, integer, integer, integer) from public, anon, authenticated;

/*
  authenticate_api_key: the key (by hash) → whose it is, and whether this
  request fits the key's rate limit: the request is counted
  (count_api_key_uses), then judged (api_key_verdict). A revoked key answers
  {revoked_reason} (no owner, nothing written), so the API can say why it
  refuses; an unknown key answers null.
  Returns {key_id, user_id, allowed, retry_after_seconds}.
*/
create function public.authenticate_api_key(
  p_key_hash       text,
  p_rate_limit     integer default 600,
  p_window_seconds integer default 60
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uses jsonb := private.count_api_key_uses(p_key_hash, 1, p_window_seconds);
begin
  if v_uses is null or v_uses ? 'revoked_reason' then
    return v_uses;
  end if;
  return private.api_key_verdict(v_uses, (v_uses ->> 'count')::integer, p_rate_limit, p_window_seconds);
end
$$;
comment on function public.authenticate_api_key(text, integer, integer) is
  'Finds the working API key with this SHA-256 (unique index), counts the request in its rate-limit window and stamps last_used_at: {key_id, user_id, allowed, retry_after_seconds}; {revoked_reason} for a revoked key; null for an unknown one.';
revoke execute on function public.authenticate_api_key(text, integer, integer) from public, anon, authenticated;
grant execute on function public.authenticate_api_key(text, integer, integer) to service_role;

/*
  record_spend: the one place a spend happens, for spend_credits (users, via
  auth.uid()) and spend_credits_with_api_key (the API).

  The wallet row is locked first (FOR UPDATE): every change to this user's
  credits waits on that lock, so the balance read under it is the balance the
  spend is checked against, whatever runs concurrently. A spend uses only the
  available credits (balance less the active holds); when the wallet row says
  a lot or a hold has expired since, private.settle_wallet writes that down
  first (055_holds.sql), so an expired lot never pays and an expired hold
  holds nothing, sweep or no sweep. A second request with
  the same idempotency key waits, then finds the first one's ledger row. The
  key is per user (the reference is user id + key), and
  unique(kind, reference) backs this up.
  Returns {outcome, balance, available, spent}:
  - spent: a new ledger row, balance after it;
  - duplicate: this key was spent before with this amount; nothing written;
  - conflict: this key was spent before with another amount (spent = that amount); nothing written;
  - insufficient: the available credits are short; nothing written.
*/
create function public.record_spend(
  p_user_id         uuid,
  p_amount          bigint,
  p_idempotency_key text,
  p_reason          text default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_reason  text := nullif(trim(coalesce(p_reason, '')), '');
  v_ref     text;
  v_balance bigint;
  v_held    bigint;
  v_due     timestamptz;
  v_prior   bigint;
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
  v_ref := p_user_id::text || ':' || p_idempotency_key;

  select balance, held, least(next_expiry_at, next_hold_expiry_at) into v_balance, v_held, v_due
    from public.wallets where user_id = p_user_id for update;
  if v_balance is null then
    raise exception 'wallet not found' using errcode = 'P0002';
  end if;
  if v_due <= now() then
    perform private.settle_wallet(p_user_id);
    select balance, held into v_balance, v_held from public.wallets where user_id = p_user_id;
  end if;
  select -delta into v_prior from public.credit_ledger where kind = 'spend' and reference = v_ref;
  if v_prior is not null then
    return jsonb_build_object('outcome', case when v_prior = p_amount then 'duplicate' else 'conflict' end,
                              'balance', v_balance, 'available', v_balance - v_held, 'spent', v_prior);
  end if;
  if v_balance - v_held < p_amount then
    return jsonb_build_object('outcome', 'insufficient', 'balance', v_balance, 'available', v_balance - v_held,
                              'spent', 0);
  end if;
  insert into public.credit_ledger (user_id, delta, kind, reference, reason)
  values (p_user_id, -p_amount, 'spend', v_ref, v_reason);
  return jsonb_build_object('outcome', 'spent', 'balance', v_balance - p_amount,
                            'available', v_balance - v_held - p_amount, 'spent', p_amount);
end
$$;
comment on function public.record_spend(uuid, bigint, text, text) is
  'Spends available credits (balance less active holds) once per (user, idempotency key) under the wallet lock; never overdraws. {outcome: spent|duplicate|conflict|insufficient, balance, available, spent}.';
revoke execute on function public.record_spend(uuid, bigint, text, text) from public, anon, authenticated;
grant execute on function public.record_spend(uuid, bigint, text, text) to service_role;

/*
  spend_credits: users spend their own credits (auth.uid()); the server may
  call it for any user. {outcome: spent|duplicate, balance}; an overdraw
  raises P0001 "insufficient credits", the same key with another amount
  raises 23505.
*/
create function public.spend_credits(p_user_id uuid, p_amount bigint, p_idempotency_key text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_result jsonb;
begin
  if auth.uid() is not null and p_user_id is distinct from auth.uid() then
    raise exception 'cannot spend another user''s credits' using errcode = '42501';
  end if;
  -- inside SECURITY DEFINER current_user is the owner: the request's claims say who called
  -- (a direct connection that did `set role authenticated` without claims is refused too)
  if auth.uid() is null and (coalesce(auth.role(), '') in ('authenticated', 'anon')
                             or current_setting('role', true) in ('authenticated', 'anon')) then
    raise exception 'not signed in' using errcode = '42501';
  end if;
  v_result := public.record_spend(p_user_id, p_amount, p_idempotency_key, null);
  if v_result ->> 'outcome' = 'insufficient' then
    raise exception 'insufficient credits: balance %, requested %', v_result ->> 'balance', p_amount using errcode = 'P0001';
  end if;
  if v_result ->> 'outcome' = 'conflict' then
    raise exception 'idempotency key already used with a different amount (%)', v_result ->> 'spent' using errcode = '23505';
  end if;
  return jsonb_build_object('outcome', v_result ->> 'outcome', 'balance', (v_result ->> 'balance')::bigint);
end
$$;
comment on function public.spend_credits(uuid, bigint, text) is
  'Spends credits once per idempotency key; never overdraws. Users may only spend their own (auth.uid()).';
revoke execute on function public.spend_credits(uuid, bigint, text) from public, anon, authenticated;
grant execute on function public.spend_credits(uuid, bigint, text) to service_role, authenticated;

/*
  api_key_gate: the API's answer for a request whose key's uses were counted
  (count_api_key_uses' answer, p_uses; null for an unknown key) and that
  brought the window to p_count: {user_id} for a working key within its rate
  limit, else the answer that ends the request ({outcome: unauthorized[,
  revoked_reason]} or {outcome: rate_limited, retry_after_seconds}). Every
  API call goes through it: alone through api_key_owner, in a batch through
  api_key_writes (055_holds.sql).
*/
create function private.api_key_gate(p_uses jsonb, p_count integer, p_rate_limit integer, p_window_seconds integer)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_verdict jsonb;
begin
  if p_uses is null or not p_uses ? 'user_id' then
    return jsonb_build_object('outcome', 'unauthorized')
           || coalesce(jsonb_strip_nulls(jsonb_build_object('revoked_reason', p_uses -> 'revoked_reason')), '{}');
  end if;
  v_verdict := private.api_key_verdict(p_uses, p_count, p_rate_limit, p_window_seconds);
  if not (v_verdict ->> 'allowed')::boolean then
    return jsonb_build_object('outcome', 'rate_limited', 'retry_after_seconds', (v_verdict ->> 'retry_after_seconds')::integer);
  end if;
  return jsonb_build_object('user_id', p_uses ->> 'user_id');
end
$$;
comment on function private.api_key_gate(jsonb, integer, integer, integer) is
  'A counted API request → {user_id}, or {outcome: unauthorized[, revoked_reason]|rate_limited, retry_after_seconds}.';
revoke execute on function private.api_key_gate(jsonb, integer, integer, integer) from public, anon, authenticated;

/* api_key_owner: one API request's key (SHA-256) counted in its rate limit, then api_key_gate. */
create function private.api_key_owner(p_key_hash text, p_rate_limit integer, p_window_seconds integer)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_uses jsonb := private.count_api_key_uses(p_key_hash, 1, p_window_seconds);
begin
  return private.api_key_gate(v_uses, (v_uses ->> 'count')::integer, p_rate_limit, p_window_seconds);
end
$$;
comment on function private.api_key_owner(text, integer, integer) is
  'API key (SHA-256) → {user_id}, counting the request in the key''s rate limit; or {outcome: unauthorized|rate_limited, …}.';
revoke execute on function private.api_key_owner(text, integer, integer) from public, anon, authenticated;

/*
  spend_credits_with_api_key: POST /api/v1/spend in one call. The key (its
  SHA-256) alone decides whose credits are spent: api_key_owner maps it
  to its user and counts the request against the key's rate limit, then
  record_spend runs. Returns record_spend's result, or
  {outcome: unauthorized} (unknown key; with revoked_reason for a revoked one)
  or {outcome: rate_limited, retry_after_seconds}.
*/
create function public.spend_credits_with_api_key(
  p_key_hash        text,
  p_amount          bigint,
  p_idempotency_key text,
  p_reason          text default null,
  p_rate_limit      integer default 600,
  p_window_seconds  integer default 60
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
  return public.record_spend((v_gate ->> 'user_id')::uuid, p_amount, p_idempotency_key, p_reason);
end
$$;
comment on function public.spend_credits_with_api_key(text, bigint, text, text, integer, integer) is
  'The spend API in one transaction: API key (SHA-256) → its user, rate limit, record_spend. {outcome: spent|duplicate|conflict|insufficient|unauthorized (with revoked_reason for a revoked key)|rate_limited, ...}.';
revoke execute on function public.spend_credits_with_api_key(text, bigint, text, text, integer, integer) from public, anon, authenticated;
grant execute on function public.spend_credits_with_api_key(text, bigint, text, text, integer, integer) to service_role;

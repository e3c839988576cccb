/*
  Spending credits (the public API and spend_credits) and admins' manual
  adjustments.

  Both are ledger rows like every other credit change, so the wallet stays the
  ledger's sum. A spend keeps the caller's reason; an adjustment keeps the
  admin's reason and who the admin was.
*/

alter table public.credit_ledger add column if not exists reason text
  check (reason is null or length(reason) between 1 and 500);
alter table public.credit_ledger add column if not exists admin_id uuid references public.profiles (id);
comment on column public.credit_ledger.reason is 'Why: the reason a spend was made with, or the admin''s reason for an adjustment.';
comment on column public.credit_ledger.admin_id is 'The admin who made an adjustment (kind = adjustment only).';

/*
  record_spend: the one place a spend happens, for spend_credits (users, via
  auth.uid()) and spend_credits_with_api_key (the API).

  The wallet row is locked first (FOR UPDATE): every change to this user's
  credits waits on that lock, so the balance read under it is the balance the
  spend is checked against, whatever runs concurrently; a second request with
  the same idempotency key waits, then finds the first one's ledger row. The
  key is per user (the reference is user id + key), and
  unique(kind, reference) backs this up.
  Returns {outcome, balance, spent}:
  - spent: a new ledger row, balance after it;
  - duplicate: this key was spent before with this amount; nothing written;
  - conflict: this key was spent before with another amount (spent = that amount); nothing written;
  - insufficient: the balance is short; nothing written.
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

  select balance into v_balance from public.wallets where user_id = p_user_id for update;
  if v_balance is null then
    raise exception 'wallet not found' using errcode = 'P0002';
  end if;
  select -delta into v_prior from public.credit_ledger where kind = 'spend' and reference = v_ref;
  if v_prior is not null then
    return jsonb_build_object('outcome', case when v_prior = p_amount then 'duplicate' else 'conflict' end,
                              'balance', v_balance, 'spent', v_prior);
  end if;
  if v_balance < p_amount then
    return jsonb_build_object('outcome', 'insufficient', 'balance', v_balance, 'spent', 0);
  end if;
  insert into public.credit_ledger (user_id, delta, kind, reference, reason)
  values (p_user_id, -p_amount, 'spend', v_ref, v_reason);
  return jsonb_build_object('outcome', 'spent', 'balance', v_balance - p_amount, 'spent', p_amount);
end
$$;
comment on function public.record_spend(uuid, bigint, text, text) is
  'Spends credits once per (user, idempotency key) under the wallet lock; never overdraws. {outcome: spent|duplicate|conflict|insufficient, balance, spent}.';

/*
  spend_credits: users spend their own credits (auth.uid()); the server may
  call it for any user. Same contract as before: {outcome: spent|duplicate,
  balance}; an overdraw raises P0001 "insufficient credits", the same key with
  another amount raises 23505.
*/
create or replace function public.spend_credits(p_user_id uuid, p_amount bigint, p_idempotency_key text)
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

/*
  spend_credits_with_api_key: POST /api/v1/spend in one call. The key (its
  SHA-256) alone decides whose credits are spent: authenticate_api_key maps it
  to its user, counts the request against the key's rate limit, then
  record_spend runs. Returns record_spend's result, or
  {outcome: unauthorized} (unknown or revoked key) or
  {outcome: rate_limited, retry_after_seconds}.
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
  v_key jsonb := public.authenticate_api_key(p_key_hash, p_rate_limit, p_window_seconds);
begin
  if v_key is null then
    return jsonb_build_object('outcome', 'unauthorized');
  end if;
  if not (v_key ->> 'allowed')::boolean then
    return jsonb_build_object('outcome', 'rate_limited', 'retry_after_seconds', (v_key ->> 'retry_after_seconds')::integer);
  end if;
  return public.record_spend((v_key ->> 'user_id')::uuid, p_amount, p_idempotency_key, p_reason);
end
$$;
comment on function public.spend_credits_with_api_key(text, bigint, text, text, integer, integer) is
  'The spend API in one transaction: API key (SHA-256) → its user, rate limit, record_spend. {outcome: spent|duplicate|conflict|insufficient|unauthorized|rate_limited, ...}.';

/*
  adjust_credits: an admin grants (p_delta > 0) or deducts (p_delta < 0)
  credits by hand, with a reason. Refused unless p_admin_id is an admin
  (profiles.is_admin, mirrored from ADMIN_EMAILS); a deduction may not take the
  balance below zero. Each call is its own ledger row (kind adjustment, the
  reason and the admin kept).
*/
create function public.adjust_credits(p_user_id uuid, p_delta bigint, p_reason text, p_admin_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_reason  text := trim(coalesce(p_reason, ''));
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
  select balance into v_balance from public.wallets where user_id = p_user_id for update;
  if v_balance is null then
    raise exception 'wallet not found' using errcode = 'P0002';
  end if;
  if p_delta < 0 and v_balance + p_delta < 0 then
    raise exception 'insufficient credits: balance %, deduction %', v_balance, -p_delta using errcode = 'P0001';
  end if;
  insert into public.credit_ledger (user_id, delta, kind, reference, reason, admin_id)
  values (p_user_id, p_delta, 'adjustment', 'adjustment:' || gen_random_uuid()::text, v_reason, p_admin_id)
  returning id into v_id;
  return jsonb_build_object('outcome', 'adjusted', 'ledger_id', v_id, 'balance', v_balance + p_delta);
end
$$;
comment on function public.adjust_credits(uuid, bigint, text, uuid) is
  'An admin''s manual grant or deduction (ledger kind adjustment) with the reason and the admin kept; refused for non-admins; never below zero. {outcome, ledger_id, balance}.';

/*
  list_credit_ledger now also returns the reason (spends, adjustments) and the
  admin's e-mail for adjustments. Its result type changes, so it is dropped
  and created again.
*/
drop function public.list_credit_ledger(uuid, timestamptz, uuid, integer);
create function public.list_credit_ledger(
  p_user_id   uuid,
  p_before_at timestamptz default null,
  p_before_id uuid default null,
  p_limit     integer default 20
) returns table (
  id uuid, delta bigint, kind text, reference text, purchase_id uuid,
  package_name text, provider text, reason text, admin_email text, created_at timestamptz, cursor_at text
)
language sql
stable
security definer
set search_path = ''
as $$
  select l.id, l.delta, l.kind, l.reference, l.purchase_id, c.name, p.provider, l.reason, a.email, l.created_at,
         to_char(l.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
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
  'A page (at most 100) of one user''s credit ledger with reasons, newest first, keyset-paginated on (created_at, id).';

/* admin_find_users: /admin/users search, by e-mail (case-insensitive substring), with balances. */
create function public.admin_find_users(p_query text default null, p_limit integer default 50)
returns table (id uuid, email text, is_admin boolean, balance bigint, created_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select pr.id, pr.email, pr.is_admin, w.balance, pr.created_at
    from public.profiles pr
    left join public.wallets w on w.user_id = pr.id
   where coalesce(trim(p_query), '') = ''
      or lower(pr.email) like '%' || replace(replace(replace(lower(trim(p_query)), '\', '\\'), '%', '\%'), '_', '\_') || '%'
   order by pr.created_at desc, pr.id desc
   limit least(greatest(coalesce(p_limit, 50), 1), 200)
$$;
comment on function public.admin_find_users(text, integer) is
  'Admin: accounts whose e-mail contains the query (case-insensitive; all when empty), newest first, with balances; at most 200.';

/* admin_get_user: one account for /admin/users/[id]: e-mail, admin flag, balance; null when unknown. */
create function public.admin_get_user(p_user_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object('id', pr.id, 'email', pr.email, 'is_admin', pr.is_admin,
                            'balance', coalesce(w.balance, 0), 'created_at', pr.created_at)
    from public.profiles pr
    left join public.wallets w on w.user_id = pr.id
   where pr.id = p_user_id
$$;
comment on function public.admin_get_user(uuid) is 'Admin: one account (e-mail, admin flag, balance, created), or null.';

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

revoke execute on function public.record_spend(uuid, bigint, text, text) from public, anon, authenticated;
revoke execute on function public.spend_credits_with_api_key(text, bigint, text, text, integer, integer) from public, anon, authenticated;
revoke execute on function public.adjust_credits(uuid, bigint, text, uuid) from public, anon, authenticated;
revoke execute on function public.list_credit_ledger(uuid, timestamptz, uuid, integer) from public, anon, authenticated;
revoke execute on function public.admin_find_users(text, integer) from public, anon, authenticated;
revoke execute on function public.admin_get_user(uuid) from public, anon, authenticated;
revoke execute on function public.list_pending_grants_for_user(uuid) from public, anon, authenticated;
grant execute on function public.record_spend(uuid, bigint, text, text) to service_role;
grant execute on function public.spend_credits_with_api_key(text, bigint, text, text, integer, integer) to service_role;
grant execute on function public.adjust_credits(uuid, bigint, text, uuid) to service_role;
grant execute on function public.list_credit_ledger(uuid, timestamptz, uuid, integer) to service_role;
grant execute on function public.admin_find_users(text, integer) to service_role;
grant execute on function public.admin_get_user(uuid) to service_role;
grant execute on function public.list_pending_grants_for_user(uuid) to service_role;

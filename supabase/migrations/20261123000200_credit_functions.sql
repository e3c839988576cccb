/*
  Credits: the functions that change them.

  TypeScript decides what to do; these functions make it happen once. Each is
  one transaction, locks the rows it reads-then-writes, and is keyed on the
  provider's id so a redelivery or a race finds the work done.
*/

/* The ledger is append-only. */
create function public.credit_ledger_forbid_change() returns trigger
language plpgsql set search_path = '' as $$
begin
  raise exception 'credit_ledger is append-only' using errcode = '42501';
end
$$;
create trigger credit_ledger_append_only
  before update or delete on public.credit_ledger
  for each row execute function public.credit_ledger_forbid_change();

/* Every ledger row moves the wallet by its delta: balance = sum(delta) by construction. */
create function public.credit_ledger_apply_to_wallet() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.wallets
     set balance = balance + new.delta, updated_at = now()
   where user_id = new.user_id;
  if not found then
    raise exception 'wallet missing for user %', new.user_id using errcode = 'P0002';
  end if;
  return new;
end
$$;
comment on function public.credit_ledger_apply_to_wallet() is
  'Keeps wallets.balance equal to the ledger sum; the wallet row lock serializes changes per user.';
create trigger credit_ledger_to_wallet
  after insert on public.credit_ledger
  for each row execute function public.credit_ledger_apply_to_wallet();

/*
  claim_pending_credit_grants: moves every unclaimed grant for this e-mail
  (case-insensitive) into the user's wallet, once. Returns the credits claimed.

  A sign-up and a payment for the same e-mail can run at the same time: each
  would miss the other's uncommitted row (no profile yet → pending grant; no
  grant yet → nothing to claim) and the credits would stay unclaimed. Both take
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

/* New account → profile, wallet, and any credits bought before it existed. */
create function public.handle_new_auth_user() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into public.profiles (id, email) values (new.id, coalesce(new.email, ''))
  on conflict (id) do nothing;
  insert into public.wallets (user_id) values (new.id)
  on conflict (user_id) do nothing;
  if coalesce(new.email, '') <> '' then
    perform public.claim_pending_credit_grants(new.id, new.email);
  end if;
  return new;
end
$$;
comment on function public.handle_new_auth_user() is
  'Trigger on auth.users insert: creates profile and wallet, then claims pending grants for the e-mail.';
create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function public.handle_new_auth_user();

/*
  grant_credits_for_purchase: the one way a payment becomes credits.
  Inserts the purchase (unique per provider + external id); a second call,
  sequential or concurrent, finds the row and returns "duplicate". The buyer is
  p_user_id if it has a profile, else the profile with p_email, else nobody:
  then a pending grant is filed for p_email. p_credits null means "the credits
  of p_package_id".
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
    -- serializes with a sign-up claiming this e-mail (see claim_pending_credit_grants)
    perform pg_advisory_xact_lock(hashtextextended('credits:buyer-email:' || v_email, 0));
    select id into v_user_id from public.profiles where lower(email) = v_email
     order by created_at limit 1;
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
  'Records a payment and grants its credits exactly once per (provider, external_id): to the user (by id, else by e-mail) or as a pending grant. Returns {outcome: granted|pending|duplicate, purchase_id, user_id, balance}.';

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

/*
  spend_credits: the only way to use credits. Callable by `authenticated` for
  their own id only (auth.uid()); refuses to overdraw; idempotent per key.
*/
create function public.spend_credits(p_user_id uuid, p_amount bigint, p_idempotency_key text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_balance bigint;
  v_ref text;
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
  if p_amount is null or p_amount <= 0 then
    raise exception 'amount must be a positive integer' using errcode = '22023';
  end if;
  if coalesce(trim(p_idempotency_key), '') = '' or length(p_idempotency_key) > 200 then
    raise exception 'idempotency key is required (at most 200 characters)' using errcode = '22023';
  end if;
  v_ref := p_user_id::text || ':' || p_idempotency_key;

  select balance into v_balance from public.wallets where user_id = p_user_id for update;
  if v_balance is null then
    raise exception 'wallet not found' using errcode = 'P0002';
  end if;
  if exists (select 1 from public.credit_ledger where kind = 'spend' and reference = v_ref) then
    return jsonb_build_object('outcome', 'duplicate', 'balance', v_balance);
  end if;
  if v_balance < p_amount then
    raise exception 'insufficient credits: balance %, requested %', v_balance, p_amount using errcode = 'P0001';
  end if;
  insert into public.credit_ledger (user_id, delta, kind, reference)
  values (p_user_id, -p_amount, 'spend', v_ref);
  return jsonb_build_object('outcome', 'spent', 'balance', v_balance - p_amount);
end
$$;
comment on function public.spend_credits(uuid, bigint, text) is
  'Spends credits once per idempotency key; never overdraws. Users may only spend their own (auth.uid()).';

/* is_admin: used by RLS policies; security definer so it can read profiles under RLS. */
create function public.is_admin() returns boolean
language sql stable security definer set search_path = '' as $$
  select coalesce((select is_admin from public.profiles where id = auth.uid()), false)
$$;
comment on function public.is_admin() is 'True when the requesting user (auth.uid()) is an admin; used by RLS policies.';

/* sync_admin_emails: ADMIN_EMAILS is configuration; this mirrors it into profiles.is_admin. */
create function public.sync_admin_emails(p_emails text[])
returns integer
language plpgsql security definer set search_path = '' as $$
declare v_count integer;
begin
  update public.profiles
     set is_admin = lower(email) = any (select lower(trim(e)) from unnest(coalesce(p_emails, '{}')) e)
   where is_admin is distinct from (lower(email) = any (select lower(trim(e)) from unnest(coalesce(p_emails, '{}')) e));
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
comment on function public.sync_admin_emails(text[]) is 'Sets profiles.is_admin from the ADMIN_EMAILS list; returns rows changed.';

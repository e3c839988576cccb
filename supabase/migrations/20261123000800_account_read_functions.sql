/*
  What the signed-in pages read: wallet, packs, ledger, purchases, and the
  one-time "credits claimed at sign-up" notice.

  The server calls these as service_role with the user id taken from the
  session, never from the request. Lists are keyset-paginated on
  (created_at, id), newest first, so a page is one index range scan however
  long the history. Each row carries cursor_at, its created_at as UTC text with
  microseconds: a JavaScript Date keeps only milliseconds, and a cursor
  rounded to them would skip rows.
*/

/* get_wallet: the balance (negative = owed after a refund/dispute of spent credits). */
create function public.get_wallet(p_user_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object('balance', w.balance, 'updated_at', w.updated_at)
    from public.wallets w
   where w.user_id = p_user_id
$$;
comment on function public.get_wallet(uuid) is
  'The wallet of one user: {balance, updated_at}; null when the user has none.';

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

/* list_credit_ledger: a page of the user's ledger, newest first, before the (created_at, id) cursor. */
create function public.list_credit_ledger(
  p_user_id   uuid,
  p_before_at timestamptz default null,
  p_before_id uuid default null,
  p_limit     integer default 20
) returns table (
  id uuid, delta bigint, kind text, reference text, purchase_id uuid,
  package_name text, provider text, created_at timestamptz, cursor_at text
)
language sql
stable
security definer
set search_path = ''
as $$
  select l.id, l.delta, l.kind, l.reference, l.purchase_id, c.name, p.provider, l.created_at,
         to_char(l.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    from public.credit_ledger l
    left join public.purchases p on p.id = l.purchase_id
    left join public.credit_packages c on c.id = p.package_id
   where l.user_id = p_user_id
     and (p_before_at is null or (l.created_at, l.id) < (p_before_at, p_before_id))
   order by l.created_at desc, l.id desc
   limit least(greatest(coalesce(p_limit, 20), 1), 100)
$$;
comment on function public.list_credit_ledger(uuid, timestamptz, uuid, integer) is
  'A page (at most 100) of one user''s credit ledger, newest first, keyset-paginated on (created_at, id).';

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

revoke execute on function public.get_wallet(uuid) from public, anon, authenticated;
revoke execute on function public.list_active_packages() from public, anon, authenticated;
revoke execute on function public.get_active_package(text) from public, anon, authenticated;
revoke execute on function public.list_credit_ledger(uuid, timestamptz, uuid, integer) from public, anon, authenticated;
revoke execute on function public.list_purchases(uuid, timestamptz, uuid, integer) from public, anon, authenticated;
revoke execute on function public.take_claim_notices(uuid) from public, anon, authenticated;
grant execute on function public.get_wallet(uuid) to service_role;
grant execute on function public.list_active_packages() to service_role;
grant execute on function public.get_active_package(text) to service_role;
grant execute on function public.list_credit_ledger(uuid, timestamptz, uuid, integer) to service_role;
grant execute on function public.list_purchases(uuid, timestamptz, uuid, integer) to service_role;
grant execute on function public.take_claim_notices(uuid) to service_role;

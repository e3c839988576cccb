/*
  Webhook event log: record, act, finish, list, retry, reconcile, metrics,
  retention.

  A delivery is one call of ingest_webhook_event: it dedupes on (provider,
  event_id), runs the action the provider's TypeScript planner chose inside a
  savepoint, and stores the event row in its final state (processed / ignored /
  failed). Everything commits together, so the event is durable before (never
  after) its effect, an action that fails leaves its event stored as failed
  with the reason, and a delivery costs one database round trip.

  Actions are functions named webhook_action_<name>(jsonb) returning
  {status: processed|ignored, outcome: text}; the ones every provider uses are
  at the end of this file, the others beside their provider's tables
  (070_subscriptions.sql, 080_providers.sql). They are reached only through
  ingest_webhook_event / retry_webhook_event (SECURITY DEFINER already), inside
  the savepoint that keeps an event and its effect in one transaction, so they
  are not SECURITY DEFINER themselves. An exception in one of them stores the
  event as failed with the message as the reason, and the retry sweep runs it
  again later.

  Attempt history: the latest attempt lives on the event row (status, outcome,
  last_error, duration_ms, processed_at). webhook_event_attempts keeps a row
  for every failed delivery and every retry (sweep / admin), i.e. for every
  event whose history is more than its event row.
*/

/*
  Every delivery from every provider, recorded with its outcome in the
  transaction that acts on it. unique(provider, event_id) is the dedupe key.
  email / external_id are copied out of the payload at ingest so the admin log
  can search them by index. Retention sets old payloads to null
  (payload_pruned_at); the row, its outcome and its ids stay, so dedupe and the
  admin log keep working forever.
*/
create table public.webhook_events (
  id                uuid primary key default gen_random_uuid(),
  provider          text not null check (provider in ('stripe', 'fireblocks', 'invoices', 'paystack', 'tradingview')),
  event_id          text not null check (length(event_id) between 1 and 255),
  event_type        text not null,
  status            text not null check (status in ('received', 'processed', 'ignored', 'failed', 'rejected')),
  attempts          integer not null default 0,
  last_error        text,
  outcome           text,
  payload           jsonb,
  email             text,
  external_id       text,
  -- millisecond precision on purpose: the admin log's keyset cursor travels
  -- through JS Dates (ms), and a µs value would make "older than the cursor"
  -- skip rows of the same millisecond; ties are broken by id
  received_at       timestamptz not null default date_trunc('milliseconds', now()),
  processed_at      timestamptz,
  duration_ms       numeric(12, 3),
  next_attempt_at   timestamptz,
  source            text not null default 'delivery' check (source in ('delivery', 'reconcile')),
  payload_pruned_at timestamptz,
  unique (provider, event_id),
  constraint webhook_events_payload_check check (payload is not null or payload_pruned_at is not null)
);
create index webhook_events_recent_idx on public.webhook_events (received_at desc, id desc);
create index webhook_events_status_idx on public.webhook_events (status, received_at desc, id desc);
-- provider alone keeps received_at order; provider + type is served by the type index (types are per provider)
create index webhook_events_provider_idx on public.webhook_events (provider, received_at desc, id desc);
create index webhook_events_type_idx on public.webhook_events (event_type, received_at desc, id desc);
create index webhook_events_event_id_idx on public.webhook_events (event_id);
create index webhook_events_email_idx on public.webhook_events (lower(email)) where email is not null;
create index webhook_events_external_id_idx on public.webhook_events (external_id) where external_id is not null;
-- only the events the retry sweep may claim: failed, with a next attempt (claim_due_webhook_events)
create index webhook_events_due_idx on public.webhook_events (next_attempt_at)
  where status = 'failed' and next_attempt_at is not null;
comment on table public.webhook_events is 'Durable log of every provider delivery: payload, status, attempts, outcome, timing.';
comment on column public.webhook_events.source is
  'delivery = the provider called the webhook route; reconcile = fetched from the provider''s events API by the reconciliation job.';
comment on column public.webhook_events.payload_pruned_at is
  'Set when retention removed the payload (WEBHOOK_PAYLOAD_RETENTION_DAYS); such an event can no longer be retried.';
alter table public.webhook_events enable row level security;
revoke insert, update, delete, truncate on public.webhook_events from anon, authenticated;
grant select on public.webhook_events to authenticated;
grant all on public.webhook_events to service_role;

/* Provider payloads may carry PII: admins only. */
create policy webhook_events_admin_read on public.webhook_events for select to authenticated
  using (public.is_admin());

/* The attempts of an event beyond its row, for the admin detail page (see the file header). */
create table public.webhook_event_attempts (
  id          bigint generated always as identity primary key,
  event_id    uuid not null references public.webhook_events (id) on delete cascade,
  attempt     integer not null,
  status      text not null,
  outcome     text,
  error       text,
  duration_ms numeric(12, 3),
  trigger     text not null default 'delivery' check (trigger in ('delivery', 'sweep', 'admin', 'reconcile')),
  created_at  timestamptz not null default now()
);
create index webhook_event_attempts_event_idx on public.webhook_event_attempts (event_id, attempt);
comment on table public.webhook_event_attempts is
  'Attempt history beyond the event row: every failed delivery and every retry (sweep, admin). A first delivery that succeeded is only on its event row; get_webhook_event lists it as attempt 1.';
alter table public.webhook_event_attempts enable row level security;
revoke insert, update, delete, truncate on public.webhook_event_attempts from anon, authenticated;
grant select on public.webhook_event_attempts to authenticated;
grant all on public.webhook_event_attempts to service_role;

/* Like the events they belong to: admins only. */
create policy webhook_event_attempts_admin_read on public.webhook_event_attempts for select to authenticated
  using (public.is_admin());

/*
  Runs one action by name, with a static call per action: plpgsql caches each
  call's plan, and plpgsql_check checks every one. An action is its
  webhook_action_* function plus its line here (the action seam test fails
  when a function has no line). A name with no line raises, and the event is
  stored failed with the reason.
*/
create function private.run_webhook_action(p_action text, p_args jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_args jsonb := coalesce(p_args, '{}'::jsonb);
begin
  case p_action
    when 'grant' then return public.webhook_action_grant(v_args);
    when 'none' then return public.webhook_action_none(v_args);
    when 'reverse' then return public.webhook_action_reverse(v_args);
    when 'fail' then return public.webhook_action_fail(v_args);
    when 'reverse_payment' then return public.webhook_action_reverse_payment(v_args);
    when 'link_payment' then return public.webhook_action_link_payment(v_args);
    when 'subscription' then return public.webhook_action_subscription(v_args);
    when 'subscription_invoice_paid' then return public.webhook_action_subscription_invoice_paid(v_args);
    when 'subscription_payment_failed' then return public.webhook_action_subscription_payment_failed(v_args);
    when 'paystack_charge' then return public.webhook_action_paystack_charge(v_args);
    when 'paystack_refund' then return public.webhook_action_paystack_refund(v_args);
    when 'fireblocks_transfer' then return public.webhook_action_fireblocks_transfer(v_args);
    when 'invoice_update' then return public.webhook_action_invoice_update(v_args);
    when 'trading_alert' then return public.webhook_action_trading_alert(v_args);
    when 'topup_succeeded' then return public.webhook_action_topup_succeeded(v_args);
    when 'topup_failed' then return public.webhook_action_topup_failed(v_args);
    when 'grant_save_card' then return public.webhook_action_grant_save_card(v_args);
    else
      if p_action is null or p_action !~ '^[a-z][a-z0-9_]{0,62}$' then
        raise exception 'invalid action name' using errcode = '22023';
      end if;
      raise exception 'unknown action %: no function public.webhook_action_%(jsonb)', p_action, p_action
        using errcode = '42883';
  end case;
end
$$;
comment on function private.run_webhook_action(text, jsonb) is
  'Runs webhook_action_<p_action>(p_args) by a static call per action; an unknown name raises 42883, an invalid one 22023.';
revoke execute on function private.run_webhook_action(text, jsonb) from public, anon, authenticated;

/*
  One attempt of an action inside a savepoint: returns {status, outcome,
  error}. An error rolls the action back and comes back as
  status 'failed' with its message (stored, retried), never raised.
*/
create function private.try_webhook_action(p_action text, p_args jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_result jsonb;
  v_status text;
  v_error  text;
begin
  begin
    v_result := private.run_webhook_action(p_action, p_args);
    v_status := coalesce(v_result ->> 'status', 'processed');
    if v_status not in ('processed', 'ignored') then
      raise exception 'action returned invalid status %', v_status;
    end if;
  exception when others then
    get stacked diagnostics v_error = message_text;
    return jsonb_build_object('status', 'failed', 'outcome', null, 'error', v_error);
  end;
  return jsonb_build_object('status', v_status, 'outcome', v_result ->> 'outcome', 'error', null);
end
$$;
comment on function private.try_webhook_action(text, jsonb) is
  'Runs an action in a savepoint; an error becomes {status: failed, error} instead of aborting the delivery.';
revoke execute on function private.try_webhook_action(text, jsonb) from public, anon, authenticated;

/* The first backoff after a failed attempt number p_attempts (30 s, doubling, at most 6 h). */
create function private.webhook_backoff(p_attempts integer)
returns interval
language sql
immutable
security definer
set search_path = ''
as $$
  select least(interval '30 seconds' * power(2, least(greatest(p_attempts - 1, 0), 20)), interval '6 hours')
$$;
comment on function private.webhook_backoff(integer) is
  'Delay before retrying an event whose attempt number p_attempts failed: 30 s × 2^(n-1), at most 6 hours.';
revoke execute on function private.webhook_backoff(integer) from public, anon, authenticated;

/* How many automatic attempts an event gets (delivery + sweep retries). */
create function private.webhook_max_attempts()
returns integer
language sql
immutable
set search_path = ''
as $$ select 12 $$;
comment on function private.webhook_max_attempts() is
  'Automatic attempts per event (delivery + sweep retries); an admin''s Retry may go beyond. Equal to MAX_ATTEMPTS in lib/ingest/retry.ts.';
revoke execute on function private.webhook_max_attempts() from public, anon, authenticated;

/*
  One more attempt of a stored event (row already locked by the caller): the
  action in its savepoint, the row updated to the outcome, the attempt logged.
  The last automatic attempt (private.webhook_max_attempts()) schedules no
  next one: the event then waits for an admin's Retry.
*/
create function private.attempt_webhook_event(
  p_id uuid, p_action text, p_args jsonb, p_trigger text, p_started timestamptz, p_extra_ms numeric
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_try      jsonb;
  v_status   text;
  v_attempts integer;
  v_ms       numeric;
begin
  v_try := private.try_webhook_action(p_action, p_args);
  v_status := v_try ->> 'status';
  v_ms := round((extract(epoch from clock_timestamp() - p_started) * 1000)::numeric + coalesce(p_extra_ms, 0), 3);
  update public.webhook_events
     set status = v_status,
         attempts = attempts + 1,
         outcome = v_try ->> 'outcome',
         last_error = v_try ->> 'error',
         processed_at = clock_timestamp(),
         duration_ms = v_ms,
         -- the last automatic attempt schedules none: the event waits for an admin (see the sweep's claim below)
         next_attempt_at = case when v_status = 'failed' and attempts + 1 < private.webhook_max_attempts()
                                then clock_timestamp() + private.webhook_backoff(attempts + 1) end
   where id = p_id
  returning attempts into v_attempts;

  insert into public.webhook_event_attempts (event_id, attempt, status, outcome, error, duration_ms, trigger)
  values (p_id, v_attempts, v_status, v_try ->> 'outcome', v_try ->> 'error', v_ms, p_trigger);

  return jsonb_build_object('duplicate', false, 'id', p_id, 'status', v_status,
    'outcome', v_try -> 'outcome', 'error', v_try -> 'error', 'attempts', v_attempts);
end
$$;
comment on function private.attempt_webhook_event(uuid, text, jsonb, text, timestamptz, numeric) is
  'Runs one retry of a locked event row: action in a savepoint, row updated (no next attempt after the last automatic one), attempt logged.';
revoke execute on function private.attempt_webhook_event(uuid, text, jsonb, text, timestamptz, numeric) from public, anon, authenticated;

/*
  The delivery entry point used by every provider route. A delivery:
  1. takes a transaction advisory lock on (provider, event_id), so deliveries
     of one event run one after the other, and looks the event up: found →
     duplicate, nothing else happens (200 at once, no work);
  2. runs the action inside its savepoint (errors are stored, not raised);
  3. inserts the event row once, in its final state (processed / ignored /
     failed, attempts 1, outcome, timing): one heap tuple, and no second entry
     in every index of webhook_events, which an update of the indexed status
     column would make (it cannot be HOT).
  Everything commits together: the event is never durable after its effect,
  and never answered before it is committed. The unique key stays the last
  guard: a conflicting insert (a row written without the lock) raises, so the
  whole call rolls back and the provider's retry finds the duplicate.
  Returns {duplicate, id, status, outcome, error, attempts}.
*/
create function public.ingest_webhook_event(
  p_provider    text,
  p_event_id    text,
  p_event_type  text,
  p_payload     jsonb,
  p_action      text,
  p_args        jsonb,
  p_email       text default null,
  p_external_id text default null,
  p_elapsed_ms  numeric default 0
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_started  timestamptz := clock_timestamp();
  v_existing record;
  v_try      jsonb;
  v_status   text;
  v_error    text;
  v_id       uuid;
  v_ms       numeric;
begin
  if p_payload is null then
    raise exception 'payload is required' using errcode = '22023';
  end if;
  -- one delivery of an event at a time; a redelivery waits here, then finds the row
  perform pg_advisory_xact_lock(hashtextextended('credits:webhook-event:' || p_provider || ':' || p_event_id, 0));
  select id, status into v_existing from public.webhook_events
   where provider = p_provider and event_id = p_event_id;
  if found then
    return jsonb_build_object('duplicate', true, 'id', v_existing.id, 'status', v_existing.status);
  end if;

  v_try := private.try_webhook_action(p_action, p_args);
  v_status := v_try ->> 'status';
  v_error := v_try ->> 'error';
  v_ms := round((extract(epoch from clock_timestamp() - v_started) * 1000)::numeric + coalesce(p_elapsed_ms, 0), 3);
  insert into public.webhook_events (provider, event_id, event_type, status, attempts, last_error, outcome, payload,
      email, external_id, processed_at, duration_ms, next_attempt_at)
  values (p_provider, p_event_id, coalesce(nullif(p_event_type, ''), 'unknown'), v_status, 1, v_error,
      v_try ->> 'outcome', p_payload, nullif(lower(trim(p_email)), ''), nullif(p_external_id, ''), clock_timestamp(), v_ms,
      case when v_status = 'failed' then clock_timestamp() + private.webhook_backoff(1) end)
  on conflict (provider, event_id) do nothing
  returning id into v_id;
  if v_id is null then
    -- only a row written without the lock gets here: undo the action, let the provider retry
    raise exception 'event % was recorded concurrently', p_event_id using errcode = '40001';
  end if;
  if v_status = 'failed' then
    insert into public.webhook_event_attempts (event_id, attempt, status, outcome, error, duration_ms, trigger)
    values (v_id, 1, v_status, null, v_error, v_ms, 'delivery');
  end if;
  return jsonb_build_object('duplicate', false, 'id', v_id, 'status', v_status,
    'outcome', v_try -> 'outcome', 'error', v_try -> 'error', 'attempts', 1);
end
$$;
comment on function public.ingest_webhook_event(text, text, text, jsonb, text, jsonb, text, text, numeric) is
  'Records a provider event (dedupe on provider+event_id), runs its action once and stores the row in its final state, in one transaction. Returns {duplicate, id, status, outcome, error}.';
revoke execute on function public.ingest_webhook_event(text, text, text, jsonb, text, jsonb, text, text, numeric) from public, anon, authenticated;
grant execute on function public.ingest_webhook_event(text, text, text, jsonb, text, jsonb, text, text, numeric) to service_role;

/*
  Several deliveries in one transaction (docs/performance.md, "Group commit").

  Under load, deliveries that arrive while the previous database call is still
  running are sent together (lib/db/ingest-batch.ts). Each one goes
  through public.ingest_webhook_event exactly as a lone delivery does: the
  same advisory lock and dedupe, the same action in its savepoint, the same
  event row. Only the transaction, the round trip and the commit's WAL flush
  are shared.

  Each delivery runs in its own subtransaction: an error in one (a conflicting
  insert, a deadlock, a bad argument) rolls back that delivery alone and comes
  back as {"sqlstate", "message"} in its place, so the caller answers that
  delivery as a lone call that raised would be answered (503 or 500, the
  provider retries) while the others commit. Nothing is answered before the
  whole batch has committed.

  A redelivery of an event earlier in the same batch takes the same advisory
  lock again (re-entrant within the session) and finds the row the earlier
  delivery wrote: it is a duplicate, as it would be one call later.
*/
create function public.ingest_webhook_events(p_events jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_event   jsonb;
  v_result  jsonb;
  v_results jsonb := '[]'::jsonb;
  v_state   text;
  v_message text;
begin
  if jsonb_typeof(p_events) is distinct from 'array' then
    raise exception 'p_events must be a JSON array' using errcode = '22023';
  end if;
  for v_event in select e.value from jsonb_array_elements(p_events) as e loop
    begin
      v_result := public.ingest_webhook_event(
        v_event ->> 'p_provider',
        v_event ->> 'p_event_id',
        v_event ->> 'p_event_type',
        nullif(v_event -> 'p_payload', 'null'::jsonb),
        v_event ->> 'p_action',
        nullif(v_event -> 'p_args', 'null'::jsonb),
        v_event ->> 'p_email',
        v_event ->> 'p_external_id',
        coalesce((v_event ->> 'p_elapsed_ms')::numeric, 0));
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_message = message_text;
      v_result := jsonb_build_object('sqlstate', v_state, 'message', v_message);
    end;
    v_results := v_results || jsonb_build_array(v_result);
  end loop;
  return v_results;
end
$$;
comment on function public.ingest_webhook_events(jsonb) is
  'ingest_webhook_event for each element of a JSON array of its named arguments, in one transaction, each in its own subtransaction. Returns an array in the same order: each element is ingest_webhook_event''s answer, or {sqlstate, message} when that delivery raised (it was rolled back alone).';
revoke execute on function public.ingest_webhook_events(jsonb) from public, anon, authenticated;
grant execute on function public.ingest_webhook_events(jsonb) to service_role;

/* Re-runs a stored failed event (sweep or admin). Processed/ignored events are left alone. */
create function public.retry_webhook_event(p_id uuid, p_action text, p_args jsonb, p_trigger text default 'admin')
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_started timestamptz := clock_timestamp();
  v_status text;
begin
  if p_trigger not in ('sweep', 'admin') then
    raise exception 'invalid trigger' using errcode = '22023';
  end if;
  select status into v_status from public.webhook_events where id = p_id for update;
  if v_status is null then
    raise exception 'event not found' using errcode = 'P0002';
  end if;
  if v_status not in ('failed', 'received') then
    return jsonb_build_object('duplicate', false, 'id', p_id, 'status', v_status, 'skipped', true);
  end if;
  return private.attempt_webhook_event(p_id, p_action, p_args, p_trigger, v_started, 0);
end
$$;
comment on function public.retry_webhook_event(uuid, text, jsonb, text) is
  'Runs a failed event''s action again under a row lock (so two retriers cannot both apply it).';
revoke execute on function public.retry_webhook_event(uuid, text, jsonb, text) from public, anon, authenticated;
grant execute on function public.retry_webhook_event(uuid, text, jsonb, text) to service_role;

/*
  An event fetched from the provider's API that was never delivered: the same
  ingest_webhook_event (same dedupe, same action, same transaction). When this
  call recorded it (not a duplicate of a live delivery that won the race), the
  row is marked source = reconcile and its first attempt keeps trigger
  "reconcile" in the history. ingest_webhook_event writes no attempts row for a
  first delivery that succeeds, so this writes that row itself when there is
  none: reconciliation is rare (at most one run every ten minutes).
*/
create function public.reconcile_webhook_event(
  p_provider    text,
  p_event_id    text,
  p_event_type  text,
  p_payload     jsonb,
  p_action      text,
  p_args        jsonb,
  p_email       text default null,
  p_external_id text default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_result jsonb;
  v_id uuid;
begin
  v_result := public.ingest_webhook_event(
    p_provider => p_provider, p_event_id => p_event_id, p_event_type => p_event_type, p_payload => p_payload,
    p_action => p_action, p_args => p_args, p_email => p_email, p_external_id => p_external_id);
  if not coalesce((v_result ->> 'duplicate')::boolean, false) then
    v_id := (v_result ->> 'id')::uuid;
    update public.webhook_events set source = 'reconcile' where id = v_id;
    update public.webhook_event_attempts set trigger = 'reconcile' where event_id = v_id and attempt = 1;
    if not found then
      insert into public.webhook_event_attempts (event_id, attempt, status, outcome, error, duration_ms, trigger)
      select e.id, 1, e.status, e.outcome, e.last_error, e.duration_ms, 'reconcile'
        from public.webhook_events e where e.id = v_id;
    end if;
  end if;
  return v_result;
end
$$;
comment on function public.reconcile_webhook_event(text, text, text, jsonb, text, jsonb, text, text) is
  'Ingests an event fetched from a provider''s API through ingest_webhook_event (same dedupe and action), marks it source = reconcile unless a delivery recorded it first, and records its first attempt with trigger reconcile.';
revoke execute on function public.reconcile_webhook_event(text, text, text, jsonb, text, jsonb, text, text) from public, anon, authenticated;
grant execute on function public.reconcile_webhook_event(text, text, text, jsonb, text, jsonb, text, text) to service_role;

/*
  Picks failed events that are due, at most p_limit, skipping rows another
  instance is handling, and pushes their next attempt out (a lease) so a crash
  mid-retry only delays them. Its time is proportional to the events actually
  due: the bound is now(), stable within the statement and so an index range
  condition (the claim runs in its own transaction, so now() is when it ran),
  and webhook_events_due_idx holds only the events the sweep may claim. A bound
  on clock_timestamp() (volatile) would walk every failed event instead: 4.5 s
  at 10M events with 200k failed ones (docs/scaling.md).
*/
create function public.claim_due_webhook_events(p_limit integer default 50, p_max_attempts integer default 12)
returns table (id uuid, provider text, event_type text, payload jsonb, attempts integer)
language plpgsql
security definer
set search_path = ''
as $$
begin
  return query
  update public.webhook_events e
     set next_attempt_at = clock_timestamp() + interval '5 minutes'
   where e.id in (
     select d.id from public.webhook_events d
      where d.status = 'failed' and d.next_attempt_at is not null and d.next_attempt_at <= now()
        and d.attempts < p_max_attempts
      order by d.next_attempt_at
      limit greatest(least(p_limit, 500), 1)
      for update skip locked)
  returning e.id, e.provider, e.event_type, e.payload, e.attempts;
end
$$;
comment on function public.claim_due_webhook_events(integer, integer) is
  'Leases due failed events to one retrier (FOR UPDATE SKIP LOCKED); safe with many app instances. An index range scan: only failed events with a next attempt are in its index.';
revoke execute on function public.claim_due_webhook_events(integer, integer) from public, anon, authenticated;
grant execute on function public.claim_due_webhook_events(integer, integer) to service_role;

/* Which of these event ids are already in the log (one indexed lookup per page of a provider's events API). */
create function public.known_webhook_event_ids(p_provider text, p_event_ids text[])
returns text[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(e.event_id), '{}'::text[])
    from public.webhook_events e
   where e.provider = p_provider and e.event_id = any(p_event_ids)
$$;
comment on function public.known_webhook_event_ids(text, text[]) is
  'The subset of p_event_ids already recorded for p_provider (unique index lookup); used by reconciliation to skip known events.';
revoke execute on function public.known_webhook_event_ids(text, text[]) from public, anon, authenticated;
grant execute on function public.known_webhook_event_ids(text, text[]) to service_role;

/*
  Admin log: filters + keyset pagination on (received_at, id) desc, one index
  per filter shape (dynamic SQL, so each call is planned for the filters it
  has). Free text (event id / e-mail / external id) runs its three lookups
  first, each on its own index, in a materialized CTE: with a plain OR the
  planner walks the recent-events index filtering every row (~700 ms at
  1,000,000 events; ~1 ms this way, `npm run bench -- --log-queries`).
*/
-- plpgsql_check allows "OUT variable % is maybe unmodified": the rows come from RETURN QUERY EXECUTE, which it cannot follow.
create function public.list_webhook_events(
  p_provider    text default null,
  p_status      text default null,
  p_type        text default null,
  p_q           text default null,
  p_from        timestamptz default null,
  p_to          timestamptz default null,
  p_before_at   timestamptz default null,
  p_before_id   uuid default null,
  p_limit       integer default 50
) returns table (
  id uuid, provider text, event_id text, event_type text, status text, attempts integer,
  last_error text, outcome text, email text, external_id text,
  received_at timestamptz, processed_at timestamptz, duration_ms numeric, source text
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_q text := nullif(trim(p_q), '');
  v_sql text;
begin
  if v_q is not null then
    -- Each arm uses its own index; the union is small, so sorting it is cheap.
    v_sql := 'with hits as materialized (
        select h.id from public.webhook_events h where h.event_id = $4
        union
        select h.id from public.webhook_events h where lower(h.email) = lower($4) and h.email is not null
        union
        select h.id from public.webhook_events h where h.external_id = $4 and h.external_id is not null)
      select e.id, e.provider, e.event_id, e.event_type, e.status, e.attempts, e.last_error,
        e.outcome, e.email, e.external_id, e.received_at, e.processed_at, e.duration_ms, e.source
      from hits join public.webhook_events e on e.id = hits.id where true';
  else
    v_sql := 'select e.id, e.provider, e.event_id, e.event_type, e.status, e.attempts, e.last_error,
        e.outcome, e.email, e.external_id, e.received_at, e.processed_at, e.duration_ms, e.source
      from public.webhook_events e where true';
  end if;
  if p_provider is not null then v_sql := v_sql || ' and e.provider = $1'; end if;
  if p_status is not null then v_sql := v_sql || ' and e.status = $2'; end if;
  if p_type is not null then v_sql := v_sql || ' and e.event_type = $3'; end if;
  if p_from is not null then v_sql := v_sql || ' and e.received_at >= $5'; end if;
  if p_to is not null then v_sql := v_sql || ' and e.received_at < $6'; end if;
  if p_before_at is not null and p_before_id is not null then
    v_sql := v_sql || ' and (e.received_at, e.id) < ($7, $8)';
  end if;
  v_sql := v_sql || ' order by e.received_at desc, e.id desc limit $9';
  return query execute v_sql
    using p_provider, p_status, p_type, v_q, p_from, p_to, p_before_at, p_before_id,
          greatest(least(coalesce(p_limit, 50), 200), 1);
end
$$;
comment on function public.list_webhook_events(text, text, text, text, timestamptz, timestamptz, timestamptz, uuid, integer) is
  'Admin event log page: optional filters (provider, status, type, free text = event id / e-mail / external id, date range), keyset-paginated newest first, with each row''s source (delivery / reconcile). Free text looks up its three indexes first.';
revoke execute on function public.list_webhook_events(text, text, text, text, timestamptz, timestamptz, timestamptz, uuid, integer) from public, anon, authenticated;
grant execute on function public.list_webhook_events(text, text, text, text, timestamptz, timestamptz, timestamptz, uuid, integer) to service_role;

/*
  One event with its payload and attempt history, for the admin detail page.
  The latest attempt is the event row itself when it has no attempts row (a
  first delivery that succeeded writes none).
*/
create function public.get_webhook_event(p_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select to_jsonb(e) || jsonb_build_object('attempt_log', coalesce((
    select jsonb_agg(a.entry order by a.attempt)
      from (
        select r.attempt, to_jsonb(r) - 'event_id' as entry
          from public.webhook_event_attempts r where r.event_id = e.id
        union all
        select e.attempts, jsonb_build_object('id', 0, 'attempt', e.attempts, 'status', e.status, 'outcome', e.outcome,
                 'error', e.last_error, 'duration_ms', e.duration_ms, 'trigger', 'delivery', 'created_at', e.processed_at)
         where e.attempts = 1 and e.processed_at is not null
           and not exists (select 1 from public.webhook_event_attempts r where r.event_id = e.id)
      ) a), '[]'::jsonb))
  from public.webhook_events e
  where e.id = p_id
$$;
comment on function public.get_webhook_event(uuid) is
  'One webhook event with payload and attempt history (a first delivery that succeeded is shown from the event row).';
revoke execute on function public.get_webhook_event(uuid) from public, anon, authenticated;
grant execute on function public.get_webhook_event(uuid) to service_role;

/*
  Health numbers for the admin metrics page, /api/metrics and the sweep's alert
  evaluation: totals, p50/p95, retries, counts by type and provider, and time
  series by status, provider and type since p_since; the last hour's failure
  rate and p95 for the alerts.

  The statement runs through EXECUTE … USING, so it is planned with the actual
  window (an index range scan on received_at), not as a generic plan that
  assumes a third of the table matches and reads the whole event log: 2.7 s
  for the last hour at 1,000,000 events that way (`npm run measure:scale`,
  docs/scaling.md), growing with the log, not with the window. The window's
  rows carry only the columns the numbers need (not the payload), and are
  grouped once (cells: per bucket, provider, type and status); every series
  reads those few rows.

  Only the window's eight most frequent types are charted (ties by name, as the
  by_type list); the rest are summed per bucket into one row whose event_type
  is null (the page's "other"; null, because a provider may well send a type
  called "other"). The cap lives here, not in TypeScript: types are whatever the
  providers send (Stripe alone has hundreds), so an uncapped series grows with
  buckets × types, and the per-bucket sum of the uncharted types needs every
  type's counts, which only this query has (by_type stops at 25).
*/
create function public.webhook_metrics(p_since timestamptz, p_bucket_seconds integer default 3600)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_result jsonb;
begin
  execute $sql$
  with w as materialized (
    select provider, event_type, status, attempts, duration_ms, received_at
      from public.webhook_events where received_at >= $1
  ), last_hour as (
    select count(*) filter (where status = 'failed') as failed,
           count(*) filter (where status in ('processed', 'ignored', 'failed')) as finished,
           percentile_cont(0.95) within group (order by duration_ms) as p95
      from public.webhook_events where received_at >= now() - interval '1 hour'
  ), cells as (
    -- the window counted once per bucket, provider, type and status: the
    -- series and the type ranking read these few rows, not the events again
    select date_bin(make_interval(secs => greatest($2, 60)), received_at, timestamptz '2000-01-01') as bucket,
           provider, event_type, status, count(*) n
      from w group by 1, 2, 3, 4
  ), type_counts as (
    select event_type, sum(n)::bigint n from cells group by event_type
  ), charted_types as (
    select event_type, row_number() over (order by n desc, event_type) as rank
      from type_counts order by rank limit 8
  )
  select jsonb_build_object(
    'since', $1,
    'total', (select count(*) from w),
    'processed', (select count(*) from w where status = 'processed'),
    'ignored', (select count(*) from w where status = 'ignored'),
    'failed', (select count(*) from w where status = 'failed'),
    'received', (select count(*) from w where status = 'received'),
    'retries', (select coalesce(sum(greatest(attempts - 1, 0)), 0) from w),
    'p50_ms', (select percentile_cont(0.5) within group (order by duration_ms) from w where duration_ms is not null),
    'p95_ms', (select percentile_cont(0.95) within group (order by duration_ms) from w where duration_ms is not null),
    'by_type', coalesce((select jsonb_agg(jsonb_build_object('key', event_type, 'count', n) order by n desc, event_type)
        from (select event_type, n from type_counts order by n desc, event_type limit 25) t), '[]'::jsonb),
    'by_provider', coalesce((select jsonb_agg(jsonb_build_object('key', provider, 'count', n) order by n desc)
        from (select provider, count(*) n from w group by provider) t), '[]'::jsonb),
    'series', coalesce((select jsonb_agg(jsonb_build_object('bucket', bucket, 'processed', processed,
          'ignored', ignored, 'failed', failed, 'total', total) order by bucket)
        from (select bucket,
                     coalesce(sum(n) filter (where status = 'processed'), 0)::bigint processed,
                     coalesce(sum(n) filter (where status = 'ignored'), 0)::bigint ignored,
                     coalesce(sum(n) filter (where status = 'failed'), 0)::bigint failed,
                     sum(n)::bigint total
                from cells group by 1) s), '[]'::jsonb),
    'series_by_provider', coalesce((select jsonb_agg(jsonb_build_object('bucket', bucket, 'provider', provider, 'count', n) order by bucket)
        from (select bucket, provider, sum(n)::bigint n from cells group by 1, 2) s), '[]'::jsonb),
    'series_by_type', coalesce((select jsonb_agg(jsonb_build_object('bucket', bucket, 'event_type', event_type, 'count', n)
          order by bucket, rank nulls last)
        from (select x.bucket, c.event_type, c.rank, sum(x.n)::bigint n
                from cells x left join charted_types c on c.event_type = x.event_type
               group by 1, 2, 3) s), '[]'::jsonb),
    'last_hour', (select jsonb_build_object(
        'failure_rate', case when finished = 0 then 0 else failed::numeric / finished end,
        'p95_ms', p95, 'finished', finished, 'failed', failed) from last_hour)
  )
  $sql$ into v_result using p_since, p_bucket_seconds;
  return v_result;
end
$$;
comment on function public.webhook_metrics(timestamptz, integer) is
  'Success rate, p50/p95, failures, retries, counts by type/provider and time series by status, provider and type (the window''s top 8 types, the rest as event_type null) since p_since; last-hour alert inputs. Planned per call for its window (index range scan), not generically.';
revoke execute on function public.webhook_metrics(timestamptz, integer) from public, anon, authenticated;
grant execute on function public.webhook_metrics(timestamptz, integer) to service_role;

/*
  Retention: sets payload to null on events received before p_older_than, at
  most p_batch rows per call (short row locks; the sweep calls it a few times).
  A watermark (ops_jobs 'webhook_payload_retention') keeps each batch an index
  range scan from where the last one stopped, instead of walking over every
  already-pruned row (12 s per call at 10M events without one, docs/scaling.md);
  a batch that finds less than p_batch rows moves it to the cutoff. An advisory
  lock lets one instance prune at a time, so no row is passed over.
  Pruned failed events leave the retry schedule (nothing left to re-plan).
*/
create function public.prune_webhook_payloads(p_older_than timestamptz, p_batch integer default 500)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_from  timestamptz;
  v_count integer;
  v_last  timestamptz;
begin
  if not pg_catalog.pg_try_advisory_xact_lock(727002) then
    return 0; -- another instance is pruning
  end if;
  select watermark into v_from from public.ops_jobs where name = 'webhook_payload_retention';
  with batch as (
    select e.id, e.received_at from public.webhook_events e
     where e.received_at < p_older_than
       and e.received_at >= coalesce(v_from, '-infinity'::timestamptz)
       and e.payload is not null
     order by e.received_at
     limit greatest(least(p_batch, 10000), 1)
     for update
  ), pruned as (
    update public.webhook_events e
       set payload = null, payload_pruned_at = now(), next_attempt_at = null
      from batch
     where e.id = batch.id
    returning batch.received_at
  )
  select count(*), max(received_at) into v_count, v_last from pruned;
  if v_count < greatest(least(p_batch, 10000), 1) then
    -- the whole range up to the cutoff was read: nothing older is left with a payload
    -- (new rows arrive with received_at = now(), far past the cutoff)
    perform public.advance_ops_job_watermark('webhook_payload_retention', p_older_than);
  else
    perform public.advance_ops_job_watermark('webhook_payload_retention', v_last);
  end if;
  return v_count;
end
$$;
comment on function public.prune_webhook_payloads(timestamptz, integer) is
  'Retention: payload := null for up to p_batch events received before p_older_than (row, outcome, ids stay); returns how many. One instance at a time.';
revoke execute on function public.prune_webhook_payloads(timestamptz, integer) from public, anon, authenticated;
grant execute on function public.prune_webhook_payloads(timestamptz, integer) to service_role;

/* ---- Actions shared by providers ---- */

/* Record only: unpaid checkouts, failed payments, unhandled types. */
create function public.webhook_action_none(p_args jsonb)
returns jsonb language sql immutable set search_path = '' as $$
  select jsonb_build_object('status', coalesce(p_args ->> 'status', 'processed'),
                            'outcome', coalesce(p_args ->> 'outcome', 'recorded'))
$$;
comment on function public.webhook_action_none(jsonb) is 'Action: nothing to change; keeps the given status and outcome.';
revoke execute on function public.webhook_action_none(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_none(jsonb) to service_role;

/* A verified event we cannot act on (e.g. an unexpected payload shape): stored failed with the reason. */
create function public.webhook_action_fail(p_args jsonb)
returns jsonb language plpgsql set search_path = '' as $$
begin
  raise exception '%', coalesce(nullif(p_args ->> 'reason', ''), 'cannot process event');
end
$$;
comment on function public.webhook_action_fail(jsonb) is 'Action: fail the event with the given reason (kept for retry).';
revoke execute on function public.webhook_action_fail(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_fail(jsonb) to service_role;

/* Grant a payment's credits (grant_credits_for_purchase with named arguments). */
create function public.webhook_action_grant(p_args jsonb)
returns jsonb language plpgsql set search_path = '' as $$
declare v jsonb;
begin
  v := public.grant_credits_for_purchase(
    p_args ->> 'provider', p_args ->> 'external_id', (p_args ->> 'user_id')::uuid, p_args ->> 'email',
    (p_args ->> 'credits')::bigint, (p_args ->> 'amount_minor')::bigint, p_args ->> 'currency',
    p_args ->> 'package_id', p_args ->> 'event_id');
  return jsonb_build_object('status', 'processed', 'result', v, 'outcome',
    case v ->> 'outcome'
      when 'granted' then format('granted %s credits to %s (balance %s)', v ->> 'credits',
                                 coalesce(v ->> 'email', v ->> 'user_id'), v ->> 'balance')
      when 'pending' then format('pending grant of %s credits for %s (no account yet)', v ->> 'credits', v ->> 'email')
      else format('duplicate payment %s: already granted', p_args ->> 'external_id') end);
end
$$;
comment on function public.webhook_action_grant(jsonb) is 'Action: grant_credits_for_purchase from named arguments.';
revoke execute on function public.webhook_action_grant(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_grant(jsonb) to service_role;

/* Reverse (refund / dispute / reinstate) a payment's credits. */
create function public.webhook_action_reverse(p_args jsonb)
returns jsonb language plpgsql set search_path = '' as $$
declare v jsonb;
begin
  v := public.reverse_purchase_credits(p_args ->> 'provider', p_args ->> 'external_id', p_args ->> 'kind',
    p_args ->> 'reference', (p_args ->> 'refunded_minor')::bigint);
  return jsonb_build_object('status', 'processed', 'result', v, 'outcome',
    case when (v ->> 'credits_reversed')::bigint > 0
           then format('%s: took back %s credits (purchase %s)', p_args ->> 'kind', v ->> 'credits_reversed', v ->> 'status')
         when (v ->> 'credits_reversed')::bigint < 0
           then format('%s: gave back %s credits (purchase %s)', p_args ->> 'kind', -(v ->> 'credits_reversed')::bigint, v ->> 'status')
         else format('%s: nothing to change (purchase %s)', p_args ->> 'kind', v ->> 'status') end);
end
$$;
comment on function public.webhook_action_reverse(jsonb) is 'Action: reverse_purchase_credits from named arguments.';
revoke execute on function public.webhook_action_reverse(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_reverse(jsonb) to service_role;

/*
  Action: a refund or dispute naming a payment. Resolves the purchase, then
  reverses exactly as webhook_action_reverse does. Unknown payment → 'purchase
  not found' (the event is kept failed and retried: the purchase or the link
  may simply not have arrived yet).
*/
create function public.webhook_action_reverse_payment(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_ids text[] := array(select jsonb_array_elements_text(coalesce(p_args -> 'payment_ids', '[]'::jsonb)));
  v_external_id text;
begin
  v_ids := array_remove(v_ids, null);
  if cardinality(v_ids) = 0 then
    raise exception 'payment id is required' using errcode = '22023';
  end if;
  v_external_id := private.purchase_external_id_for_payment(p_args ->> 'provider', v_ids);
  if v_external_id is null then
    raise exception 'purchase not found: % %', p_args ->> 'provider', array_to_string(v_ids, ' / ') using errcode = 'P0002';
  end if;
  return public.webhook_action_reverse(p_args || jsonb_build_object('external_id', v_external_id));
end
$$;
comment on function public.webhook_action_reverse_payment(jsonb) is
  'Action: refund/dispute of a payment (payment_ids: pi, ch, invoice); finds the purchase it paid (directly or via purchase_payments) and reverses it.';
revoke execute on function public.webhook_action_reverse_payment(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_reverse_payment(jsonb) to service_role;

/* Action: invoice_payment.paid (API 2025-03-31 and later) links the payment intent to its invoice's purchase. */
create function public.webhook_action_link_payment(p_args jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v jsonb;
begin
  v := public.link_purchase_payments(p_args ->> 'provider', p_args ->> 'external_id',
    array(select jsonb_array_elements_text(coalesce(p_args -> 'payment_ids', '[]'::jsonb))), p_args ->> 'event_id');
  if jsonb_array_length(v -> 'conflicts') > 0 then
    return jsonb_build_object('status', 'ignored', 'result', v, 'outcome',
      format('payment %s already belongs to another purchase; not linked to %s',
             (select string_agg(x, ', ') from jsonb_array_elements_text(v -> 'conflicts') x), p_args ->> 'external_id'));
  end if;
  return jsonb_build_object('status', 'processed', 'result', v, 'outcome',
    format('payment %s linked to %s (refunds and disputes of it reverse that purchase)',
           coalesce((select string_agg(x, ', ') from jsonb_array_elements_text(v -> 'linked') x), 'none'),
           p_args ->> 'external_id'));
end
$$;
comment on function public.webhook_action_link_payment(jsonb) is
  'Action: links the payments of an invoice_payment.paid to the invoice''s purchase (external id).';
revoke execute on function public.webhook_action_link_payment(jsonb) from public, anon, authenticated;
grant execute on function public.webhook_action_link_payment(jsonb) to service_role;

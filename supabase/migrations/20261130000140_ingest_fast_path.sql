/*
  The delivery path, made cheaper in Postgres (issue 14; measured in
  docs/performance.md with `npm run bench` and scripts/bench/sql-profile.ts).

  Before, a delivery inserted its event row as 'received', ran the action and
  then updated the row to its final state: two heap tuples, and since status
  is indexed the update was not HOT, so every index of webhook_events got a
  second entry. It also wrote one webhook_event_attempts row (plus its foreign
  key check, which locks the event row) for every delivery, and reached the
  action through EXECUTE, which parses and plans a statement on every call.

  Now a delivery:
  1. takes a transaction advisory lock on (provider, event_id), so deliveries
     of one event run one after the other, and looks the event up: found →
     duplicate, nothing else happens (as before: 200 at once, no work);
  2. runs the action inside its savepoint (errors are stored, not raised);
  3. inserts the event row once, in its final state (processed / ignored /
     failed, attempts 1, outcome, timing).
  Everything still commits together: the event is never durable after its
  effect, and never answered before it is committed. The unique key stays the
  last guard: a conflicting insert (a row written without the lock) raises, so
  the whole call rolls back and the provider's retry finds the duplicate.

  The answer no longer carries the action's own result (unused by every
  caller; the route parsed it on each delivery): {duplicate, id, status,
  outcome, error, attempts} as documented.

  Attempt history: the latest attempt lives on the event row (status, outcome,
  last_error, duration_ms, processed_at). webhook_event_attempts keeps a row
  for every failed delivery and every retry (sweep / admin), i.e. for every
  event whose history is more than its event row; get_webhook_event shows the
  event row's attempt when it has no row of its own, so the admin detail page
  lists the same attempts as before.
*/

/*
  Runs one action by name. The actions shipped with the app are called
  statically (plpgsql caches their plans); others, added later, by EXECUTE.
  Only webhook_action_* functions can be reached.
*/
create or replace function private.run_webhook_action(p_action text, p_args jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_args jsonb := coalesce(p_args, '{}'::jsonb);
  v_result jsonb;
begin
  case p_action
    when 'grant' then return public.webhook_action_grant(v_args);
    when 'none' then return public.webhook_action_none(v_args);
    when 'reverse' then return public.webhook_action_reverse(v_args);
    when 'fail' then return public.webhook_action_fail(v_args);
    when 'subscription' then return public.webhook_action_subscription(v_args);
    else
      if p_action is null or p_action !~ '^[a-z][a-z0-9_]{0,62}$' then
        raise exception 'invalid action name' using errcode = '22023';
      end if;
      execute format('select public.%I($1)', 'webhook_action_' || p_action) using v_args into v_result;
      return v_result;
  end case;
end
$$;
comment on function private.run_webhook_action(text, jsonb) is
  'Runs webhook_action_<p_action>(p_args): shipped actions by a static call, others by EXECUTE.';
revoke execute on function private.run_webhook_action(text, jsonb) from public, anon, authenticated;

/*
  One attempt of an action inside a savepoint: returns {status, outcome,
  error}. An error rolls the action back and comes back as
  status 'failed' with its message (stored, retried), never raised.
*/
create or replace function private.try_webhook_action(p_action text, p_args jsonb)
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
create or replace function private.webhook_backoff(p_attempts integer)
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

/* The delivery entry point used by every provider route (same signature as before). */
create or replace function public.ingest_webhook_event(
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

/* How many automatic attempts an event gets (delivery + sweep retries). */
create or replace function private.webhook_max_attempts()
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
  The event's previous attempt is logged first when it has no row yet (an
  event stored before this migration was written, or recorded 'received').
*/
create or replace function private.attempt_webhook_event(
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
  One event with its payload and attempt history, for the admin detail page.
  The latest attempt is the event row itself when it has no attempts row (a
  first delivery that succeeded writes none).
*/
create or replace function public.get_webhook_event(p_id uuid)
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

comment on table public.webhook_event_attempts is
  'Attempt history beyond the event row: every failed delivery and every retry (sweep, admin). A first delivery that succeeded is only on its event row; get_webhook_event lists it as attempt 1.';

/*
  The retry sweep's claim in time proportional to the events actually due
  (docs/scaling.md: 4.5 s at 10M events with 200k failed ones, every minute).

  Before, claim_due_webhook_events bounded its scan of webhook_events_due_idx
  with `next_attempt_at <= clock_timestamp()`. clock_timestamp() is volatile,
  so the planner could not make it an index bound: the scan read the index in
  order and filtered, which walks every failed event that is not due, and the
  index held every failed event ever, those out of attempts included (their
  next_attempt_at stayed set, or null after retention).

  Now:
  - the bound is now(): stable within the statement, so it is an index range
    condition (the claim runs in its own transaction, so now() is when it ran);
  - the index holds only events the sweep may claim: failed, with a next
    attempt (partial index on next_attempt_at is not null);
  - the last allowed attempt (private.webhook_max_attempts(), 12, equal to
    MAX_ATTEMPTS in lib/ingest/retry.ts: tests/integration/retry-schedule.test.ts
    checks it) schedules no next attempt: an event out of attempts waits for an
    admin's Retry, and the admin page shows no next automatic retry;
  - events already out of attempts lose their next_attempt_at here.
*/
update public.webhook_events
   set next_attempt_at = null
 where status = 'failed' and attempts >= private.webhook_max_attempts() and next_attempt_at is not null;

drop index if exists public.webhook_events_due_idx;
create index webhook_events_due_idx on public.webhook_events (next_attempt_at)
  where status = 'failed' and next_attempt_at is not null;

create or replace function public.claim_due_webhook_events(p_limit integer default 50, p_max_attempts integer default 12)
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

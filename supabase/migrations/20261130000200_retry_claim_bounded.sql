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

create or replace function private.webhook_max_attempts()
returns integer
language sql
immutable
set search_path = ''
as $$ select 12 $$;
comment on function private.webhook_max_attempts() is
  'Automatic attempts per event (delivery + sweep retries); an admin''s Retry may go beyond. Equal to MAX_ATTEMPTS in lib/ingest/retry.ts.';
revoke execute on function private.webhook_max_attempts() from public, anon, authenticated;

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
         -- the last automatic attempt schedules none: the event waits for an admin
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

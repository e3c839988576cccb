/*
  Operations on the event log: where a row came from (a delivery, or the
  reconciliation job that fetched an event the provider never delivered), and
  payload retention (old payloads are set to null; the row, its outcome and its
  ids stay, so dedupe and the admin log keep working forever).
*/

/*
  Background jobs the sweep runs (reconciliation, retention): how far each has
  got (watermark) and when it last started, so that any number of app instances
  calling the sweep run a throttled job once per interval, not once each.
*/
create table if not exists public.ops_jobs (
  name            text primary key check (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  watermark       timestamptz,
  last_started_at timestamptz,
  updated_at      timestamptz not null default now()
);
comment on table public.ops_jobs is
  'State of each background job the sweep runs: its watermark (how far it has got) and when it last started (throttle across instances).';

alter table public.ops_jobs enable row level security;
revoke all on public.ops_jobs from public, anon, authenticated;
grant all on public.ops_jobs to service_role;

/* 'delivery': the provider called our route; 'reconcile': fetched from the provider's API after it was never delivered. */
alter table public.webhook_events add column if not exists source text not null default 'delivery';
/* When retention set the payload to null (the row, outcome and ids stay). */
alter table public.webhook_events add column if not exists payload_pruned_at timestamptz;
alter table public.webhook_events alter column payload drop not null;
do $$
begin
  if not exists (select 1 from pg_constraint where conname = 'webhook_events_source_check') then
    -- not valid + validate: the check does not hold a write lock while it reads an existing log
    alter table public.webhook_events add constraint webhook_events_source_check
      check (source in ('delivery', 'reconcile')) not valid;
    alter table public.webhook_events validate constraint webhook_events_source_check;
  end if;
  if not exists (select 1 from pg_constraint where conname = 'webhook_events_payload_check') then
    alter table public.webhook_events add constraint webhook_events_payload_check
      check (payload is not null or payload_pruned_at is not null) not valid;
    alter table public.webhook_events validate constraint webhook_events_payload_check;
  end if;
end
$$;
comment on column public.webhook_events.source is
  'delivery = the provider called the webhook route; reconcile = fetched from the provider''s events API by the reconciliation job.';
comment on column public.webhook_events.payload_pruned_at is
  'Set when retention removed the payload (WEBHOOK_PAYLOAD_RETENTION_DAYS); such an event can no longer be retried.';

/* The first attempt of a reconciled event is shown as such in the attempt history. */
alter table public.webhook_event_attempts drop constraint if exists webhook_event_attempts_trigger_check;
alter table public.webhook_event_attempts add constraint webhook_event_attempts_trigger_check
  check (trigger in ('delivery', 'sweep', 'admin', 'reconcile')) not valid;
alter table public.webhook_event_attempts validate constraint webhook_event_attempts_trigger_check;

/*
  Runs a throttled job at most once every p_every_seconds across all instances:
  true for the one caller that moved last_started_at, false for everyone else.
*/
create or replace function public.claim_ops_job(p_name text, p_every_seconds integer)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_claimed boolean;
begin
  insert into public.ops_jobs (name) values (p_name) on conflict (name) do nothing;
  update public.ops_jobs
     set last_started_at = now(), updated_at = now()
   where name = p_name
     and (last_started_at is null or last_started_at <= now() - make_interval(secs => greatest(p_every_seconds, 0)))
  returning true into v_claimed;
  return coalesce(v_claimed, false);
end
$$;
comment on function public.claim_ops_job(text, integer) is
  'Throttle for sweep jobs: true for exactly one caller per p_every_seconds (row lock on ops_jobs), false for the others.';

/* A job's watermark (null before its first complete run). */
create or replace function public.ops_job_watermark(p_name text)
returns timestamptz
language sql
stable
security definer
set search_path = ''
as $$
  select watermark from public.ops_jobs where name = p_name
$$;
comment on function public.ops_job_watermark(text) is 'How far a background job has got (null before its first complete run).';

/* Moves a watermark forward only (concurrent runs cannot move it back). */
create or replace function public.advance_ops_job_watermark(p_name text, p_watermark timestamptz)
returns timestamptz
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_watermark timestamptz;
begin
  insert into public.ops_jobs as j (name, watermark) values (p_name, p_watermark)
  on conflict (name) do update
    set watermark = greatest(j.watermark, excluded.watermark), updated_at = now()
  returning watermark into v_watermark;
  return v_watermark;
end
$$;
comment on function public.advance_ops_job_watermark(text, timestamptz) is
  'Sets a job''s watermark to the greater of the stored and the given value; returns the result.';

/* Which of these event ids are already in the log (one indexed lookup per page of a provider's events API). */
create or replace function public.known_webhook_event_ids(p_provider text, p_event_ids text[])
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

/*
  An event fetched from the provider's API that was never delivered: the same
  ingest_webhook_event (same dedupe, same action, same transaction), and when
  this call recorded it (not a duplicate of a live delivery that won the race)
  the row and its first attempt are marked as reconciled.
*/
create or replace function public.reconcile_webhook_event(
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
  end if;
  return v_result;
end
$$;
comment on function public.reconcile_webhook_event(text, text, text, jsonb, text, jsonb, text, text) is
  'Ingests an event fetched from a provider''s API through ingest_webhook_event (same dedupe and action) and marks it source = reconcile unless a delivery recorded it first.';

/*
  Retention: sets payload to null on events received before p_older_than, at
  most p_batch rows per call (short row locks; the sweep calls it a few times).
  A watermark (ops_jobs 'webhook_payload_retention') keeps each batch an index
  range scan from where the last one stopped, instead of walking over every
  already-pruned row; an advisory lock lets one instance prune at a time.
  Pruned failed events leave the retry schedule (nothing left to re-plan).
*/
create or replace function public.prune_webhook_payloads(p_older_than timestamptz, p_batch integer default 500)
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
  if v_last is not null then
    perform public.advance_ops_job_watermark('webhook_payload_retention', v_last);
  end if;
  return v_count;
end
$$;
comment on function public.prune_webhook_payloads(timestamptz, integer) is
  'Retention: payload := null for up to p_batch events received before p_older_than (row, outcome, ids stay); returns how many. One instance at a time.';

/*
  The admin log gains the source column (reconciled events are tagged in the
  list). Same query as before otherwise; the return type changes, hence drop + create.
*/
drop function if exists public.list_webhook_events(text, text, text, text, timestamptz, timestamptz, timestamptz, uuid, integer);
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

revoke execute on function public.claim_ops_job(text, integer) from public, anon, authenticated;
revoke execute on function public.ops_job_watermark(text) from public, anon, authenticated;
revoke execute on function public.advance_ops_job_watermark(text, timestamptz) from public, anon, authenticated;
revoke execute on function public.known_webhook_event_ids(text, text[]) from public, anon, authenticated;
revoke execute on function public.reconcile_webhook_event(text, text, text, jsonb, text, jsonb, text, text) from public, anon, authenticated;
revoke execute on function public.prune_webhook_payloads(timestamptz, integer) from public, anon, authenticated;
revoke execute on function public.list_webhook_events(text, text, text, text, timestamptz, timestamptz, timestamptz, uuid, integer) from public, anon, authenticated;
grant execute on function public.claim_ops_job(text, integer) to service_role;
grant execute on function public.ops_job_watermark(text) to service_role;
grant execute on function public.advance_ops_job_watermark(text, timestamptz) to service_role;
grant execute on function public.known_webhook_event_ids(text, text[]) to service_role;
grant execute on function public.reconcile_webhook_event(text, text, text, jsonb, text, jsonb, text, text) to service_role;
grant execute on function public.prune_webhook_payloads(timestamptz, integer) to service_role;
grant execute on function public.list_webhook_events(text, text, text, text, timestamptz, timestamptz, timestamptz, uuid, integer) to service_role;

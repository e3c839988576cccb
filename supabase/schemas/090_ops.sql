/*
  Operations: background jobs of the sweep, alert incidents and their
  notifications, and the health probe.
*/

/*
  Background jobs the sweep runs (reconciliation, retention): how far each has
  got (watermark) and when it last started, so that any number of app instances
  calling the sweep run a throttled job once per interval, not once each.
  Server-only.
*/
create table public.ops_jobs (
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

/*
  Runs a throttled job at most once every p_every_seconds across all instances:
  true for the one caller that moved last_started_at, false for everyone else.
*/
create function public.claim_ops_job(p_name text, p_every_seconds integer)
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
revoke execute on function public.claim_ops_job(text, integer) from public, anon, authenticated;
grant execute on function public.claim_ops_job(text, integer) to service_role;

/* A job's watermark (null before its first complete run). */
create function public.ops_job_watermark(p_name text)
returns timestamptz
language sql
stable
security definer
set search_path = ''
as $$
  select watermark from public.ops_jobs where name = p_name
$$;
comment on function public.ops_job_watermark(text) is 'How far a background job has got (null before its first complete run).';
revoke execute on function public.ops_job_watermark(text) from public, anon, authenticated;
grant execute on function public.ops_job_watermark(text) to service_role;

/* Moves a watermark forward only (concurrent runs cannot move it back). */
create function public.advance_ops_job_watermark(p_name text, p_watermark timestamptz)
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
revoke execute on function public.advance_ops_job_watermark(text, timestamptz) from public, anon, authenticated;
grant execute on function public.advance_ops_job_watermark(text, timestamptz) to service_role;

/*
  One row per alert incident (failure rate or latency over its threshold). At
  most one open incident per kind (partial unique index): every instance
  evaluates the alert, and only the one whose insert (or update) changed the
  state files the message, so N instances send one message, not N.
*/
create table public.alert_incidents (
  id              bigint generated always as identity primary key,
  kind            text not null check (kind in ('failure-rate', 'latency')),
  opened_at       timestamptz not null default now(),
  opened_message  text not null,
  cleared_at      timestamptz,
  cleared_message text
);
create unique index alert_incidents_open_idx on public.alert_incidents (kind) where cleared_at is null;
comment on table public.alert_incidents is
  'Alert incidents: opened when the last hour crosses a threshold, cleared when it is back under; one open row per kind.';
alter table public.alert_incidents enable row level security;
revoke all on public.alert_incidents from public, anon, authenticated;
grant select on public.alert_incidents to authenticated;
grant all on public.alert_incidents to service_role;

/* Admins may read incidents (e.g. an incident history on the metrics page). */
create policy alert_incidents_admin_read on public.alert_incidents for select to authenticated using (public.is_admin());

/*
  Messages for ALERT_WEBHOOK_URL: one per incident transition (unique), sent by
  whichever instance claims it (a lease, like the retry sweep), retried with
  backoff when the receiver fails. Server-only.
*/
create table public.alert_notifications (
  id              bigint generated always as identity primary key,
  incident_id     bigint not null references public.alert_incidents (id) on delete cascade,
  transition      text not null check (transition in ('opened', 'cleared')),
  message         text not null,
  created_at      timestamptz not null default now(),
  attempts        integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  sent_at         timestamptz,
  last_error      text,
  unique (incident_id, transition)
);
create index alert_notifications_due_idx on public.alert_notifications (next_attempt_at) where sent_at is null;
comment on table public.alert_notifications is
  'Alert messages to post to ALERT_WEBHOOK_URL, one per incident transition; sent_at once delivered.';
alter table public.alert_notifications enable row level security;
revoke all on public.alert_notifications from public, anon, authenticated;
grant all on public.alert_notifications to service_role;

/*
  Records the current alert state, p_state = {<kind>: {firing, message}} for
  each kind evaluated. A kind that fires with no open incident opens one; an open
  incident whose kind no longer fires is cleared. Each transition files one
  webhook message (when p_webhook) and one mail per address in p_emails, in
  this transaction. Concurrent callers serialize on the open-incident index /
  row: one transition each, whoever wins. Returns the transitions this call
  made.
*/
create function public.record_alert_state(p_state jsonb, p_webhook boolean default false, p_emails text[] default '{}')
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_kind       text;
  v_item       jsonb;
  v_message    text;
  v_incident   bigint;
  v_transition text;
  v_made       jsonb := '[]'::jsonb;
  v_emails     text[];
begin
  select coalesce(array_agg(distinct lower(trim(e))), '{}') into v_emails
    from unnest(coalesce(p_emails, '{}')) e where trim(e) <> '';
  if jsonb_typeof(p_state) is distinct from 'object' then
    raise exception 'p_state must be an object {kind: {firing, message}}' using errcode = '22023';
  end if;
  for v_kind, v_item in select key, value from jsonb_each(p_state) order by key loop
    v_message := coalesce(nullif(v_item ->> 'message', ''), v_kind);
    v_incident := null;
    if coalesce((v_item ->> 'firing')::boolean, false) then
      insert into public.alert_incidents (kind, opened_message) values (v_kind, v_message)
      on conflict (kind) where cleared_at is null do nothing
      returning id into v_incident;
      v_transition := 'opened';
    else
      update public.alert_incidents set cleared_at = now(), cleared_message = v_message
       where kind = v_kind and cleared_at is null
      returning id into v_incident;
      v_transition := 'cleared';
    end if;
    continue when v_incident is null;

    if p_webhook then
      insert into public.alert_notifications (incident_id, transition, message)
      values (v_incident, v_transition, v_message)
      on conflict (incident_id, transition) do nothing;
    end if;
    if cardinality(v_emails) > 0 then
      insert into public.email_outbox (to_email, subject, body_text)
      select unnest(v_emails),
             case v_transition when 'opened' then '[alert] ' else '[resolved] ' end || left(v_message, 150),
             v_message;
    end if;
    v_made := v_made || jsonb_build_object('incident_id', v_incident, 'kind', v_kind, 'transition', v_transition, 'message', v_message);
  end loop;
  return v_made;
end
$$;
comment on function public.record_alert_state(jsonb, boolean, text[]) is
  'Opens / clears alert incidents from the evaluated state {kind: {firing, message}}; each transition files one webhook message and one outbox mail per address, once across instances.';
revoke execute on function public.record_alert_state(jsonb, boolean, text[]) from public, anon, authenticated;
grant execute on function public.record_alert_state(jsonb, boolean, text[]) to service_role;

/* Leases due webhook messages to one sender (skip locked), oldest first. */
create function public.claim_alert_notifications(p_limit integer default 10)
returns table (id bigint, transition text, message text, attempts integer)
language plpgsql
security definer
set search_path = ''
as $$
begin
  return query
  update public.alert_notifications n
     set attempts = n.attempts + 1, next_attempt_at = now() + interval '2 minutes'
   where n.id in (
     select d.id from public.alert_notifications d
      where d.sent_at is null and d.next_attempt_at <= now() and d.attempts < 20
      order by d.id
      limit greatest(least(p_limit, 100), 1)
      for update skip locked)
  returning n.id, n.transition, n.message, n.attempts;
end
$$;
comment on function public.claim_alert_notifications(integer) is
  'Leases unsent alert messages that are due to one sender (FOR UPDATE SKIP LOCKED); gives up after 20 attempts.';
revoke execute on function public.claim_alert_notifications(integer) from public, anon, authenticated;
grant execute on function public.claim_alert_notifications(integer) to service_role;

/* After a send: sent, or the error and a backoff before the next try. */
create function public.finish_alert_notification(p_id bigint, p_error text default null)
returns void
language sql
security definer
set search_path = ''
as $$
  update public.alert_notifications
     set sent_at = case when p_error is null then now() end,
         last_error = left(p_error, 500),
         next_attempt_at = case when p_error is null then next_attempt_at
                                else now() + least(interval '30 seconds' * power(2, least(attempts, 10)), interval '1 hour') end
   where id = p_id
$$;
comment on function public.finish_alert_notification(bigint, text) is
  'Marks an alert message sent (p_error null) or records the error and schedules the next try with backoff.';
revoke execute on function public.finish_alert_notification(bigint, text) from public, anon, authenticated;
grant execute on function public.finish_alert_notification(bigint, text) to service_role;

/* health_check: what GET /api/health calls; proves the database answers and the schema is there. */
create function public.health_check()
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object('ok', true, 'time', now(),
    'packages', (select count(*) from public.credit_packages where active))
$$;
comment on function public.health_check() is 'Liveness probe for /api/health: the database answers and the schema exists.';
revoke execute on function public.health_check() from public, anon, authenticated;
grant execute on function public.health_check() to service_role;

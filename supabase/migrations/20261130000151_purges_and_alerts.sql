/*
  Retention for the other tables that only grow, and alert incidents.
*/

/*
  Sign-in rate-limit counters whose window started before p_older_than are
  worth nothing (a new attempt starts a new window): deleted p_batch at a time.
*/
create or replace function public.purge_auth_rate_limits(p_older_than timestamptz, p_batch integer default 1000)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  delete from public.auth_rate_limits r
   where (r.scope, r.key_hash) in (
     select o.scope, o.key_hash from public.auth_rate_limits o
      where o.window_started_at < p_older_than
      limit greatest(least(p_batch, 10000), 1)
      for update skip locked);
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
comment on function public.purge_auth_rate_limits(timestamptz, integer) is
  'Retention: deletes up to p_batch sign-in rate-limit counters whose window started before p_older_than; returns how many.';

/*
  Sent mails older than p_older_than, p_batch at a time. The outbox table is
  optional here (dynamic SQL, checked with to_regclass): on a database without
  public.email_outbox this returns 0, so this migration does not depend on the
  one that creates it.
*/
create or replace function public.purge_sent_emails(p_older_than timestamptz, p_batch integer default 1000)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  if pg_catalog.to_regclass('public.email_outbox') is null then
    return 0;
  end if;
  execute 'delete from public.email_outbox m where m.id in (
             select o.id from public.email_outbox o
              where o.sent_at is not null and o.sent_at < $1
              order by o.sent_at
              limit $2
              for update skip locked)'
    using p_older_than, greatest(least(p_batch, 10000), 1);
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
comment on function public.purge_sent_emails(timestamptz, integer) is
  'Retention: deletes up to p_batch outbox mails sent before p_older_than (0 when email_outbox does not exist); returns how many.';

/*
  One row per alert incident (failure rate or latency over its threshold). At
  most one open incident per kind (partial unique index): every instance
  evaluates the alert, and only the one whose insert (or update) changed the
  state files the message, so N instances send one message, not N.
*/
create table if not exists public.alert_incidents (
  id              bigint generated always as identity primary key,
  kind            text not null check (kind in ('failure-rate', 'latency')),
  opened_at       timestamptz not null default now(),
  opened_message  text not null,
  cleared_at      timestamptz,
  cleared_message text
);
create unique index if not exists alert_incidents_open_idx on public.alert_incidents (kind) where cleared_at is null;
comment on table public.alert_incidents is
  'Alert incidents: opened when the last hour crosses a threshold, cleared when it is back under; one open row per kind.';

/*
  Messages for ALERT_WEBHOOK_URL: one per incident transition (unique), sent by
  whichever instance claims it (a lease, like the retry sweep), retried with
  backoff when the receiver fails.
*/
create table if not exists public.alert_notifications (
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
create index if not exists alert_notifications_due_idx on public.alert_notifications (next_attempt_at) where sent_at is null;
comment on table public.alert_notifications is
  'Alert messages to post to ALERT_WEBHOOK_URL, one per incident transition; sent_at once delivered.';

alter table public.alert_incidents enable row level security;
alter table public.alert_notifications enable row level security;
revoke all on public.alert_incidents, public.alert_notifications from public, anon, authenticated;
grant all on public.alert_incidents, public.alert_notifications to service_role;
/* Admins may read incidents (e.g. an incident history on the metrics page). */
drop policy if exists alert_incidents_admin_read on public.alert_incidents;
create policy alert_incidents_admin_read on public.alert_incidents for select to authenticated using (public.is_admin());
grant select on public.alert_incidents to authenticated;

/*
  Records the current alert state, p_state = {<kind>: {firing, message}} for
  each kind evaluated. A kind that fires with no open incident opens one; an open
  incident whose kind no longer fires is cleared. Each transition files one
  webhook message (when p_webhook) and, when public.email_outbox exists, one
  mail per address in p_emails, in this transaction. Concurrent callers
  serialize on the open-incident index / row: one transition each, whoever
  wins. Returns the transitions this call made.
*/
create or replace function public.record_alert_state(p_state jsonb, p_webhook boolean default false, p_emails text[] default '{}')
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
    if cardinality(v_emails) > 0 and pg_catalog.to_regclass('public.email_outbox') is not null then
      execute 'insert into public.email_outbox (to_email, subject, body_text) select unnest($1), $2, $3'
        using v_emails,
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

/* Leases due webhook messages to one sender (skip locked), oldest first. */
create or replace function public.claim_alert_notifications(p_limit integer default 10)
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

/* After a send: sent, or the error and a backoff before the next try. */
create or replace function public.finish_alert_notification(p_id bigint, p_error text default null)
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

revoke execute on function public.purge_auth_rate_limits(timestamptz, integer) from public, anon, authenticated;
revoke execute on function public.purge_sent_emails(timestamptz, integer) from public, anon, authenticated;
revoke execute on function public.record_alert_state(jsonb, boolean, text[]) from public, anon, authenticated;
revoke execute on function public.claim_alert_notifications(integer) from public, anon, authenticated;
revoke execute on function public.finish_alert_notification(bigint, text) from public, anon, authenticated;
grant execute on function public.purge_auth_rate_limits(timestamptz, integer) to service_role;
grant execute on function public.purge_sent_emails(timestamptz, integer) to service_role;
grant execute on function public.record_alert_state(jsonb, boolean, text[]) to service_role;
grant execute on function public.claim_alert_notifications(integer) to service_role;
grant execute on function public.finish_alert_notification(bigint, text) to service_role;

/*
  Reconciled events keep "reconcile" in their attempt history.

  ingest_webhook_event (20261130000140) writes no attempts row for a first
  delivery that succeeds (get_webhook_event shows it from the event row, as
  trigger "delivery"), so reconcile_webhook_event's update of attempt 1 found
  nothing for a reconciled event processed on its first try, and the admin
  page called it a delivery. Reconciliation is rare (at most one run every ten
  minutes), so here it writes the row itself when there is none.
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

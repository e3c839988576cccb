/*
  Several deliveries in one transaction (issue 14; docs/performance.md, "Group
  commit").

  Under load, deliveries that arrive while the previous database call is still
  running are sent together (lib/db/rpc/ingest-batch.ts). Each one goes
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
create or replace function public.ingest_webhook_events(p_events jsonb)
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
